# Copyright 2026 The twin Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.


"""
One episode in its own ROS graph: the bridge and the controller as processes, watched.

Run as ``python -m twin_campaign.episode CAMPAIGN KEY RESULT [--record DIR]`` by the
campaign runner (one process per episode: a crash or a hang costs that episode only). It
reserves a ROS domain id, starts the bridge (seed and episode from the campaign) and the
controller unchanged, follows the ground truth, judges the criteria as samples arrive, stops
everything as soon as the outcome is decided, and writes the result as JSON.
"""

import argparse
from dataclasses import dataclass
import json
import math
import os
from pathlib import Path
import resource
import struct
import sys
import threading
import time
from typing import Callable

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
import rclpy
from rclpy.duration import Duration
from rclpy.exceptions import NoTypeSupportImportedException
from rclpy.experimental import EventsExecutor
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from rclpy.type_support import check_for_type_support
from rosgraph_msgs.msg import Clock
from std_msgs.msg import String
from std_srvs.srv import SetBool
from twin.arguments import bridge_parameters
from twin_analysis.metrics import final_drift, stamped_pose, yaw_of
from twin_bridge.bridge_node import main as bridge_main
from twin_bridge.conversions import SerializedOdometry
from twin_bridge.fastdds_profiles import with_fast_acknowledgements
from twin_bridge.graph_watch import qos_mismatch
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_bridge.testing import isolate_ros_graph
from twin_campaign import warm
from twin_campaign.campaign import (Campaign, CampaignError, Episode, episodes, goal_in_odom,
                                    load, Scenario, spawn_of)
from twin_campaign.criteria import metrics, Sample, Trace, verdict
from twin_campaign.processes import confine, process_tree, scheduling_of
from twin_sim.evaluation import ClearanceProbe
from twin_tools import run
from twin_tools.recorder import Recorder
import yaml

SAMPLE_PERIOD_S = 0.1      # sim s between judged samples
SILENCE_LIMIT_S = 60.0     # wall s without ground truth: the episode is hung
GOAL_ACK_S = 5.0           # wall s to wait for the controller to acknowledge its goal
LOCKSTEP_TIMEOUT_S = 30.0  # wall s the twin waits for an answer: a loaded machine is slow
MATCH_S = 1.0              # wall s from a complete graph to the resume (see resume_when_ready)
BRIDGE = 'twin_bridge'
# Deep enough for a lock-step twin's bursts: a dropped ground truth would shift a sample.
RELIABLE = QoSProfile(depth=1000, reliability=ReliabilityPolicy.RELIABLE)
GOAL_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)   # as rviz2's goal
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)


def find(campaign: Campaign, key: str) -> tuple[Scenario, Episode]:
    """Return the scenario and episode named ``key`` (e.g. ``corridor-003``)."""
    for episode in episodes(campaign):
        if episode.key == key:
            return next(s for s in campaign.scenarios if s.name == episode.scenario), episode
    raise CampaignError(f'{campaign.path}: no episode {key!r}')


def bridge_command(campaign: Campaign, scenario: Scenario, episode: Episode) -> list[str]:
    """
    Return the bridge's command line: ground truth in the world, paused until resumed.

    Paused at the start, so every episode's controller is up before time begins and a
    fault at 1 s finds it driving, however long it took to start.
    """
    x, y, yaw = spawn_of(scenario, campaign.seed, episode.index)
    lockstep = ['lockstep.enabled:=true', f'lockstep.period:={campaign.lockstep_period}',
                f'lockstep.timeout:={LOCKSTEP_TIMEOUT_S}'] if campaign.lockstep_period else []
    params = [f'episode:={episode.index}', 'ground_truth_frame:=world', 'start_paused:=true',
              *lockstep,
              *[f'{k}:={v}' for k, v in (('faults_file', campaign.faults_file),
                                         ('variations_file', campaign.variations_file)) if v]]
    options = run.parser().parse_args([
        '--world', scenario.world, '--x', str(x), '--y', str(y), '--yaw', str(yaw),
        '--real-time-factor', str(campaign.real_time_factor), '--seed', str(campaign.seed),
        *[arg for p in params for arg in ('--param', p)]])
    return run.bridge_command(options)


def controller_command(campaign: Campaign, scenario: Scenario) -> list[str]:
    """
    Return the controller's command line on sim time with the campaign's parameters.

    A launch file gets them as launch arguments (``name:=value``), with ``use_sim_time``.
    """
    parameters = {**campaign.controller.parameters, **scenario.controller_parameters}
    text = [f'{name}:={yaml.safe_dump(value, default_flow_style=True).strip()}'
            .removesuffix('\n...') for name, value in parameters.items()]
    if campaign.controller.launch:
        return ['ros2', 'launch', campaign.controller.launch, 'use_sim_time:=true', *text]
    return [sys.executable, '-m', campaign.controller.module, '--ros-args',
            '-p', 'use_sim_time:=true', *[arg for p in text for arg in ('-p', p)]]


class Watcher:
    """Follow ground truth, odometry, faults and variation; judge the episode as it goes."""

    def __init__(self, node, campaign: Campaign, scenario: Scenario, probe: ClearanceProbe,
                 spawn: tuple, released: Callable[[], bool] = lambda: True):
        """
        Subscribe to what the criteria and the results need; offer the goal, if any.

        :param released: tells whether the campaign runner lets the twin resume (a
            :class:`Gate`); the start handshake is done before, while it waits
        """
        self.campaign, self.scenario, self.probe, self.spawn = campaign, scenario, probe, spawn
        self.released = released
        self.trace, self.truth = Trace(), []
        self.odometry_ends, self.odometry_count = [None, None], 0   # first, latest (CDR)
        self.next_sample_t = 0.0
        self.variation, self.faults = '', []
        self.decision = None
        self.last_heard = time.monotonic()
        self.pause, self.resumed = node.create_client(SetBool, 'sim/pause'), False
        self.resumed_at = None   # time.monotonic() of the resume
        self.started, self.ready_at, self.clock_heard = time.monotonic(), None, False
        self.not_started, self.clock = '', None
        topic = campaign.controller.goal_topic
        self.goal_pub = node.create_publisher(PoseStamped, topic, GOAL_QOS) \
            if topic and scenario.goal else None
        self.lockstep_timeouts = 0
        # Only the start handshake needs /clock (the twin is up; the goal's stamp): dropped
        # at the resume, as its 100 Hz would be half of what this process reads.
        self.clock_subscription = node.create_subscription(Clock, '/clock', self.on_clock,
                                                           RELIABLE)
        node.create_subscription(DiagnosticArray, '/diagnostics', self.on_diagnostics, RELIABLE)
        # Both serialized: turning each message into Python objects cost about 0.2 CPU s
        # per episode for each. The ground truth's stamp, pose and speed are read from its
        # bytes (truth_of); the drift needs the first and the last odometry only.
        node.create_subscription(Odometry, 'ground_truth/odom', self.on_truth, RELIABLE,
                                 raw=True)
        node.create_subscription(Odometry, 'odom', self.on_odometry, RELIABLE, raw=True)
        node.create_subscription(String, 'sim/faults', self.on_faults, LATCHED)
        node.create_subscription(String, 'sim/variation', self.on_variation, LATCHED)

    def on_truth(self, serialized: bytes) -> None:
        """
        Take a sample at each multiple of SAMPLE_PERIOD_S of sim time; judge; note a decision.

        On a fixed grid of sim time (the first message at or after each multiple), so two
        runs of an episode sample the same instants even if one lost a message.
        """
        self.last_heard = time.monotonic()
        stamped, speed = truth_of(serialized)
        self.truth.append(stamped)
        samples = self.trace.samples
        if samples and stamped[0] < self.next_sample_t or self.decision:
            return
        t, x, y, yaw = stamped
        self.next_sample_t = (math.floor(t / SAMPLE_PERIOD_S + 1e-6) + 1) * SAMPLE_PERIOD_S
        samples.append(Sample(t, x, y, yaw, speed, self.probe.at(x, y, yaw)))
        final = t - samples[0].t >= self.scenario.time_limit
        self.decision = verdict(self.scenario, self.campaign.criteria, self.trace, final)
        self.decision = self.decision if self.decision.outcome else None

    def on_odometry(self, serialized: bytes) -> None:
        """Keep the first and the latest odometry message, serialized (for the drift)."""
        self.odometry_ends[self.odometry_count > 0] = serialized
        self.odometry_count += 1

    def odometry(self) -> list:
        """Return the first and the latest stamped odometry poses: all the drift reads."""
        return [stamped_pose(deserialize_message(end, Odometry)) for end in self.odometry_ends]

    def on_faults(self, msg: String) -> None:
        """Note when the first fault became active, and every fault seen."""
        document = yaml.safe_load(msg.data) or {}
        active = [f['kind'] for faults in (document.get('active') or {}).values()
                  for f in faults]
        if active and self.trace.fault_onset is None:
            self.trace.fault_onset = float(document.get('sim_time_s', 0.0))
        self.faults.extend(kind for kind in active if kind not in self.faults)

    def on_diagnostics(self, msg: DiagnosticArray) -> None:
        """Keep the twin's count of lock-step holds that timed out (not reproducible)."""
        for status in msg.status:
            for value in status.values:
                if value.key == 'lockstep_timeouts':
                    self.lockstep_timeouts = max(self.lockstep_timeouts, int(value.value))

    def on_variation(self, msg: String) -> None:
        """Keep the drawn variation (YAML) for the results row."""
        self.variation = msg.data

    def on_clock(self, msg: Clock) -> None:
        """Note that the twin is up: its /clock ticks (once a second while paused)."""
        self.clock_heard, self.clock = True, msg.clock

    def resume_when_ready(self, node) -> None:
        """
        Resume the paused twin once the start handshake is complete (:func:`handshake_gap`).

        The graph is the watcher's view; the twin and the controller match each other's
        endpoints from the same discovery messages, so MATCH_S more lets the pair catch up.
        Still incomplete after the campaign's ``start_timeout``: ``not_started`` says why.
        Complete, it waits for the runner's go-ahead (``released``) as long as it takes.
        """
        now = time.monotonic()
        if self.resumed or (self.ready_at is not None and now >= self.ready_at and
                            not self.released()):
            return   # ready and waiting: the graph is looked at again once released
        gap = handshake_gap(self.clock_heard, self.pause.service_is_ready(), graph_of(node))
        if not gap and self.goal_pub and not self.goal_pub.get_subscription_count():
            gap = f'the controller does not subscribe {self.goal_pub.topic_name} (goal_topic)'
        if gap:
            self.ready_at = None
            if now - self.started > self.campaign.start_timeout:
                self.not_started = (f'not started after {self.campaign.start_timeout:g} s '
                                    f'(start_timeout): {gap}')
            return
        if self.ready_at is None:
            self.ready_at = now + MATCH_S
        if now < self.ready_at or not self.released():
            return
        self.resume(node)

    def resume(self, node) -> None:
        """Give the goal, if any; resume the twin; stop following /clock."""
        if self.goal_pub:
            self.send_goal()
        self.pause.call_async(SetBool.Request(data=False))
        node.destroy_subscription(self.clock_subscription)
        self.resumed = True
        self.last_heard = self.resumed_at = time.monotonic()

    def send_goal(self) -> None:
        """
        Give the controller the scenario's goal as rviz2's 2D Goal Pose does, in odometry.

        Before time begins, and acknowledged (a reliable reader has it) before the resume,
        so the controller has it when its first timer fires.
        """
        goal = PoseStamped()
        goal.header.stamp, goal.header.frame_id = self.clock, 'odom'
        goal.pose.position.x, goal.pose.position.y = goal_in_odom(self.scenario.goal,
                                                                  self.spawn)
        goal.pose.orientation.w = 1.0
        self.goal_pub.publish(goal)
        self.goal_pub.wait_for_all_acked(Duration(seconds=GOAL_ACK_S))

    def hung(self) -> bool:
        """Tell whether the twin has been silent too long since it was resumed."""
        return self.resumed and time.monotonic() - self.last_heard > SILENCE_LIMIT_S


def odometry_layout() -> tuple[int, int, int]:
    """
    Return where an Odometry's stamp lies, and its pose and its planar velocity from its end.

    Found by the twin's own :class:`SerializedOdometry` (sentinels serialized). Only the
    frame ids vary in length, and every field after them is a double: counted from the
    message's end, the pose and the twist lie at the same place whatever the frame ids.
    """
    odometry = SerializedOdometry('', '')
    pose_from_end = len(odometry.buffer) - odometry.doubles_at
    return odometry.stamps_at[0], pose_from_end, pose_from_end - 8 * odometry.twist_at


CDR_LITTLE_ENDIAN = b'\x00\x01'   # the encapsulation header's first bytes
STAMP = SerializedOdometry.STAMP    # builtin_interfaces/Time, as the twin writes it
POSE = struct.Struct('<7d')         # position x, y, z; orientation x, y, z, w
PLANAR_VELOCITY = struct.Struct('<2d')   # twist.twist.linear x, y
STAMP_AT, POSE_FROM_END, VELOCITY_FROM_END = odometry_layout()


def truth_of(serialized: bytes) -> tuple[tuple, float]:
    """
    Return an Odometry message's (stamp s, x m, y m, yaw rad) and planar speed, from its CDR.

    The numbers :func:`stamped_pose` and ``math.hypot`` of the linear twist give for the
    deserialized message, to the bit (:func:`odometry_layout`). A big-endian message is
    deserialized instead.
    """
    if serialized[:2] != CDR_LITTLE_ENDIAN:
        msg = deserialize_message(serialized, Odometry)
        return stamped_pose(msg), math.hypot(msg.twist.twist.linear.x, msg.twist.twist.linear.y)
    end = len(serialized)
    sec, nanosec = STAMP.unpack_from(serialized, STAMP_AT)
    x, y, _, *orientation = POSE.unpack_from(serialized, end - POSE_FROM_END)
    vx, vy = PLANAR_VELOCITY.unpack_from(serialized, end - VELOCITY_FROM_END)
    return ((sec + nanosec * 1e-9, x, y, yaw_of(*orientation)),
            math.hypot(vx, vy))


@dataclass(frozen=True)
class Endpoint:
    """One end of a topic on the graph: its node and QoS."""

    node: str
    namespace: str
    qos: QoSProfile


@dataclass(frozen=True)
class Graph:
    """What the start handshake needs of the graph: each topic's publishers, subscriptions."""

    publishers: dict
    subscriptions: dict

    def nodes_publishing(self, topic: str, besides: str) -> list[Endpoint]:
        """Return the publishers of ``topic`` other than the node ``besides``."""
        return [e for e in self.publishers.get(topic, ()) if e.node != besides]


def graph_of(node) -> Graph:
    """Return the graph as ``node`` sees it: every topic's endpoints."""
    topics = [name for name, _ in node.get_topic_names_and_types()]

    def endpoints(infos) -> list[Endpoint]:
        return [Endpoint(i.node_name, i.node_namespace, i.qos_profile) for i in infos]
    return Graph({t: endpoints(node.get_publishers_info_by_topic(t)) for t in topics},
                 {t: endpoints(node.get_subscriptions_info_by_topic(t)) for t in topics})


def handshake_gap(clock_heard: bool, pause_ready: bool, graph: Graph) -> str:
    """
    Return what the start handshake still waits for, or '' when the episode may begin.

    The twin is up (its /clock ticks, its sim/pause answers); the controller's node
    publishes /cmd_vel and the twin's subscription there accepts its QoS; the controller
    runs on sim time (it subscribes /clock); and every topic the controller subscribes to
    that the twin publishes has QoS the two ends agree on.
    """
    if not clock_heard or not pause_ready:
        return 'the twin is not up (no /clock, or no sim/pause service)'
    controllers = graph.nodes_publishing('/cmd_vel', BRIDGE)
    if not controllers:
        return 'no controller node publishes /cmd_vel'
    if not any(_agree(p, s) for p in controllers for s in graph.subscriptions.get('/cmd_vel', ())
               if s.node == BRIDGE):
        return "the twin's /cmd_vel subscription does not match the controller's publisher"
    names = {(c.node, c.namespace) for c in controllers}
    reads = {t: [s for s in ends if (s.node, s.namespace) in names]
             for t, ends in graph.subscriptions.items()}
    if not reads.get('/clock'):
        return f'the controller {controllers[0].node} does not subscribe /clock (use_sim_time)'
    for topic, readers in sorted(reads.items()):
        writers = [p for p in graph.publishers.get(topic, ()) if p.node == BRIDGE]
        if writers and not all(any(_agree(w, r) for w in writers) for r in readers):
            return f"the controller's {topic} subscription does not match the twin's publisher"
    return ''


def _agree(publisher: Endpoint, subscription: Endpoint) -> bool:
    return qos_mismatch(publisher.qos, subscription.qos) is None   # as the twin checks its own


def result(campaign: Campaign, scenario: Scenario, episode: Episode, watcher: Watcher,
           started: float, processes: list, scheduling: dict | None = None) -> dict:
    """
    Return the episode's results row (and its trajectory for the report).

    :param started: when this process started (``time.monotonic()``, the machine's clock)
    :param processes: the bridge and the controller, ended
    :param scheduling: by process (episode, bridge, controller), :func:`scheduling_of`
    """
    trace = watcher.trace
    if len(watcher.truth) > 1 and watcher.odometry_count > 1:
        trace.odometry_drift = final_drift(watcher.truth, watcher.odometry())
    decision = watcher.decision or verdict(scenario, campaign.criteria, trace, final=True)
    variation = yaml.safe_load(watcher.variation) or {} if watcher.variation else {}
    return {
        'key': episode.key, 'scenario': scenario.name, 'episode': episode.index,
        'seed': campaign.seed, 'spawn': ' '.join(f'{v:.4f}' for v in watcher.spawn),
        'variations': json.dumps(variation.get('values', variation), sort_keys=True),
        'faults': ' '.join(watcher.faults), 'outcome': decision.outcome,
        'failed_criterion': decision.failed, **metrics(scenario, campaign.criteria, trace),
        'wall_s': time.monotonic() - started, 'cpu_s': cpu_s(),
        'cpu_s_by_process': cpu_s_by_process(processes),
        'scheduling_by_process': scheduling or {},
        # Where and how it ran (the bridge and the controller inherit both)
        'cores': len(os.sched_getaffinity(0)), 'niceness': os.getpriority(os.PRIO_PROCESS, 0),
        # On the machine's monotonic clock, as the bench's: its runs' timelines.
        'started_at': started, 'ready_at': watcher.ready_at, 'resumed_at': watcher.resumed_at,
        'ended_at': time.monotonic(),
        'lockstep_timeouts': watcher.lockstep_timeouts,
        'trajectory': [[round(s.x, 4), round(s.y, 4)] for s in trace.samples],
    }


def cpu_s() -> float:
    """Return the CPU seconds of this process and its ended children (twin, controller)."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def cpu_s_by_process(processes: list) -> dict:
    """
    Return the CPU seconds of this process, the bridge and the controller, apart.

    A process exec'd rather than forked warm (a launch file's) has no count of its own:
    its share is what the reaped children took besides the others'.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    bridge, controller = (getattr(p, 'cpu_s', None) for p in processes)
    rest = children.ru_utime + children.ru_stime - sum(c or 0.0 for c in (bridge, controller))
    return {'episode': own.ru_utime + own.ru_stime,
            'bridge': rest if bridge is None else bridge,
            'controller': rest if controller is None else controller}


def run_episode(campaign: Campaign, key: str, record: str | None,
                gate_fifo: str | None = None) -> dict:
    """
    Run one episode to its decision in this process's own ROS graph; return its row.

    :param gate_fifo: a FIFO; the twin resumes once the runner writes to it, on the core it
        names (:class:`Gate`)
    """
    started = time.monotonic()
    scenario, episode = find(campaign, key)
    isolate_ros_graph()   # a domain id of its own, locked as the test runs lock theirs
    world = bridge_parameters({'world': scenario.world}, True)
    if campaign.lockstep_period:   # this process's readers too answer DDS heartbeats at once
        os.environ.update(with_fast_acknowledgements(os.environ))
    # Forked warm (twin_campaign.warm) before rclpy starts its threads or PyBullet a client.
    processes = [warm.start(bridge_command(campaign, scenario, episode), bridge_main),
                 warm.start(controller_command(campaign, scenario))]
    probe = ClearanceProbe(world['world_file'], world['robot_description_file'])
    init_without_signal_handlers()
    # No parameter services: nobody sets this node's parameters, and each is one more
    # entity that every turn of the executor waits on.
    node = rclpy.create_node('twin_campaign_episode', start_parameter_services=False)
    spawn = spawn_of(scenario, campaign.seed, episode.index)
    gate = Gate(gate_fifo, lambda core: pin(os.getpid(), core)) if gate_fifo else None
    watcher = Watcher(node, campaign, scenario, probe, spawn,
                      gate.is_open if gate else (lambda: True))
    recorder = Recorder(node, Path(record) / key / 'twin.mcap') if record else None

    def ended() -> bool:
        watcher.resume_when_ready(node)
        return bool(watcher.decision or watcher.hung() or watcher.not_started or
                    any(p.poll() is not None for p in processes))
    try:
        watch(node, ended, gate)
    finally:
        # Before the stop: the processes' counts, while they still have their threads
        scheduling = {name: scheduling_of(pid) for name, pid in (
            ('episode', os.getpid()), ('bridge', processes[0].pid),
            ('controller', processes[1].pid))}
        run.stop(processes)
        probe.close()
    crashed = [p.args[2 if p.args[0] == sys.executable else 0] for p in processes
               if p.returncode not in (0, -2, -15)]
    if recorder:
        _finish_recording(recorder, world)
    node.destroy_node()
    rclpy.try_shutdown()
    if watcher.not_started:
        raise RuntimeError(watcher.not_started)
    if watcher.hung():
        raise RuntimeError(f'no ground truth for {SILENCE_LIMIT_S:g} s: the twin hung')
    if crashed and watcher.decision is None:
        raise RuntimeError(f'{", ".join(crashed)} ended before the outcome was decided')
    return result(campaign, scenario, episode, watcher, started, processes, scheduling)


class Gate:
    """
    The campaign runner's go-ahead to resume the twin: a line (or the end) on a FIFO.

    The runner starts an episode while the one before it still steps, so its start-up (the
    processes, discovery, the handshake, MATCH_S) overlaps the other's steps; ready and
    paused, the episode waits for the go-ahead. A thread blocks on the FIFO and wakes the
    executor (``wake``; the EventsExecutor takes no guard conditions), so the resume follows
    the go-ahead at once. The line names the core the episode steps on (``pin`` confines
    its processes there first), or is empty: anywhere.
    """

    def __init__(self, path: str, pin: Callable[[int], None] = lambda core: None):
        """Start waiting on the FIFO ``path`` (the runner holds it open)."""
        self._open, self.wake, self.pin = threading.Event(), lambda: None, pin
        threading.Thread(target=self._wait, args=(path,), name='gate', daemon=True).start()

    def is_open(self) -> bool:
        """Tell whether the runner has let the twin resume."""
        return self._open.is_set()

    def _wait(self, path: str) -> None:
        with open(path, 'rb', buffering=0) as fifo:
            place = fifo.readline().strip()
        if place:
            self.pin(int(place))
        self._open.set()
        self.wake()   # after the flag: a watch that missed the wake sees the flag


def pin(root: int, core: int) -> None:
    """
    Confine the process ``root``, the processes under it and all their threads to ``core``.

    An episode's processes take turns (lock-step), about 2,000 context switches per
    simulated second: free to run on any core, beside another episode, a turn may wake its
    partner on the other core (docs/campaigns.md, "Why two episodes cost more than one").
    """
    confine((root, *process_tree(root)), {core})


def watch(node, ended, gate: Gate | None = None) -> None:
    """
    Spin ``node`` until ``ended()`` or a stop signal since ROS started; a gate wakes it.

    With rclpy's EventsExecutor (C++): the watcher takes about 3,000 messages per 20
    simulated s, and the SingleThreadedExecutor, which builds its wait set again in Python
    for each, spent 1.1 CPU s on them (a third of an episode's CPU); this one 0.4 s.
    """
    executor = EventsExecutor(context=node.context)
    if gate:
        gate.wake = executor.wake
    spin_until_signalled(node, ended, executor)


def _finish_recording(recorder, world: dict) -> None:
    from twin_analysis.report import write_report
    recorder.close(world_file=world['world_file'], robot_file=world['robot_description_file'])
    png, _ = write_report(recorder.path)
    print(f'twin campaign: recording {recorder.path}, report {png}', flush=True)


def warm_up() -> None:
    """
    Load once, in a warm server (twin_campaign.warm), what each episode's processes would.

    The type support of every message and service type imported (a C library each, loaded
    at a type's first use, with rosidl's parser: 0.03 CPU s in each of the episode process,
    the bridge and the controller) and xacro (the robot's description, 0.01 s).
    """
    import xacro  # noqa: F401
    for name, module in list(sys.modules.items()):
        if name.endswith(('.msg', '.srv')):
            for value in vars(module).values():
                if isinstance(value, type) and hasattr(type(value), '_TYPE_SUPPORT'):
                    try:
                        check_for_type_support(value)
                    except (ImportError, NoTypeSupportImportedException):
                        pass   # loaded, or not, at its first use as before


def main(args: list[str] | None = None) -> int:
    """Run one episode and write its result (JSON); exit 1 with the reason on an error."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('campaign')
    parser.add_argument('key')
    parser.add_argument('result')
    parser.add_argument('--record', metavar='DIR')
    parser.add_argument('--gate', metavar='FIFO',
                        help='resume the twin once a line can be read from FIFO (the runner), '
                        'on the core it names, if any')
    options = parser.parse_args(args)
    try:
        row = run_episode(load(options.campaign), options.key, options.record,
                          options.gate)
    except (CampaignError, RuntimeError) as error:
        print(f'twin campaign: episode {options.key}: {error}', file=sys.stderr)
        return 1
    Path(options.result).write_text(json.dumps(row))
    print(f'twin campaign: {options.key}: {row["outcome"]} {row["failed_criterion"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
