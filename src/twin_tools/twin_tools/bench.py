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
The benchmark (not a test): how fast the twin runs, against the bare PyBullet loop.

``twin bench [--repeats 3] [--paced-seconds 60] [--json F] [--markdown F]``.
Every scenario uses TurtleBot3 rates (scan 360 beams at 5 Hz, IMU 200 Hz, odometry, TF and
joint states 50 Hz, /clock every step), 240 Hz physics and the arena world, headless. Each
figure is the median of ``--repeats`` runs with min and max (paced: one long run).

Scenarios: bare PyBullet loop; twin_sim core; the bridge as fast as it can with a subscriber
process on every topic of every robot, at /clock periods of one step, 1/120 s and 1/100 s;
paced (factor, /clock jitter, CPU, the period jitter of a 50 Hz sim-time timer); command
latency; LIDAR beams; 1/4/16 robots in one world; the cost of one publish; parallel twins;
the bridge's peak RSS. Every robot drives the same circle (0.1 m/s, 0.3 rad/s) in every
scenario: PyBullet's step costs more in some places than in others.

Each speed is given twice: by wall time, and by CPU time (simulated seconds per CPU second
of the measured process, all its threads), which a loaded machine disturbs far less; the
ratios between scenarios are taken from CPU time.
"""

import argparse
from dataclasses import replace
import functools
import json
import math
import os
from pathlib import Path
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from ament_index_python.packages import get_package_prefix
import numpy as np
import pybullet
from twin.arguments import bridge_parameters_file, default_robot, world_file
from twin_sim import LidarConfig, load_robot_description, load_world, Pose, Twin, TwinConfig
from twin_sim.kinematics import body_to_wheels
from twin_sim.robot import FIRST_COLLISION_GROUP
from twin_sim.twin import Schedule
from twin_sim.world import World
import yaml

STEP_S = 1.0 / 240.0
STEP_NS = round(STEP_S * 1e9)
ROBOT = Path(default_robot())
ARENA = Path(world_file('arena'))
DRIVE = (0.1, 0.3)   # m/s, rad/s: the circle every robot of every scenario drives
# Messages per simulated second of one robot at TurtleBot3 rates (scan, imu, odom, tf,
# joint_states, ground_truth/odom), and of /clock by its period.
TOPIC_RATES = {'scan': 5.0, 'imu': 200.0, 'odom': 50.0, 'tf': 50.0, 'joint_states': 50.0,
               'ground_truth/odom': 50.0}
CLOCK_PERIODS = {'every step (240 Hz)': 0.0, '120 Hz': 1.0 / 120.0, '100 Hz': 0.01}


CORES = sorted(os.sched_getaffinity(0))
# The measured process (this one's loops, or the bridge) runs on one core; the subscriber
# or commander that loads it runs on another when there is one.
MEASURED_CORE, LOAD_CORE = CORES[0], CORES[-1]


def on_core(core: int):
    """Return a ``preexec_fn`` that pins a child process to ``core``."""
    return lambda: os.sched_setaffinity(0, {core})


def stats(values: list) -> dict:
    """Return median, min and max."""
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values)}


class Stopwatch:
    """Wall and CPU time (this process, all threads) of a block: ``with Stopwatch() as w``."""

    def __enter__(self):
        """Start both clocks."""
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        """Stop both clocks: ``wall`` and ``cpu`` become the seconds spent."""
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def factors(self, sim_seconds: float) -> dict:
        """Return simulated seconds per wall second and per CPU second."""
        return {'wall': sim_seconds / self.wall, 'cpu': sim_seconds / self.cpu}


def speeds(runs: list[dict]) -> dict:
    """Return the stats of the wall and CPU factors of several runs."""
    return {clock: stats([run[clock] for run in runs]) for clock in ('wall', 'cpu')}


@functools.cache
def wheel_speeds() -> list[float]:
    """Return the wheel joint velocities (URDF sign, rad/s) that drive DRIVE, left first."""
    twin = Twin(TwinConfig(robot=ROBOT))
    robot = twin.robot
    forward = body_to_wheels(*DRIVE, robot.wheel_radius, robot.wheel_separation)
    signs = robot.wheel_signs
    twin.close()
    return [sign * speed for sign, speed in zip(signs, forward)]


# -- bare: the practical ceiling -----------------------------------------------------------

def bare_factor(sim_seconds: float, beams: int = 360) -> dict:
    """
    Run the same robot, world, step, motion and ray casts as the twin in a plain PyBullet loop.

    No twin_sim in the loop (it only builds the scene), no ROS: the cost of physics and
    sensing alone. Returns the real-time factors by wall and by CPU time.
    """
    wheel_targets = wheel_speeds()
    world, arena = World(), load_world(ARENA)
    arena.build(world)
    body = world.load_urdf_text('robot', load_robot_description(ROBOT).urdf, arena.spawn)
    client = world.client
    joints = {pybullet.getJointInfo(body, j, physicsClientId=client)[1].decode(): j
              for j in range(pybullet.getNumJoints(body, physicsClientId=client))}
    links = {pybullet.getJointInfo(body, j, physicsClientId=client)[12].decode(): j
             for j in joints.values()}
    wheels = [joints['wheel_left_joint'], joints['wheel_right_joint']]
    # The robot in a collision group of its own that the rays skip, as the twin's LIDAR does:
    # rays that stop on the robot itself (half of them) cost less than the twin's rays.
    for link in (-1, *joints.values()):
        pybullet.setCollisionFilterGroupMask(body, link, FIRST_COLLISION_GROUP, -1,
                                             physicsClientId=client)
    ray_mask = ~FIRST_COLLISION_GROUP & 0x7FFFFFFF
    angles = 2 * math.pi * np.arange(beams) / beams
    beam_directions = np.column_stack((np.cos(angles), np.sin(angles), np.zeros(beams)))
    lidar, imu, odom = Schedule(5.0), Schedule(200.0), Schedule(50.0)
    steps = round(sim_seconds / STEP_S)
    watch = Stopwatch().__enter__()
    for k in range(1, steps + 1):
        pybullet.setJointMotorControlArray(body, wheels, pybullet.VELOCITY_CONTROL,
                                           targetVelocities=wheel_targets, forces=[1.0, 1.0],
                                           physicsClientId=client)
        pybullet.stepSimulation(physicsClientId=client)
        now = k * STEP_NS
        if lidar.due(now):
            state = pybullet.getLinkState(body, links['base_scan'], physicsClientId=client)
            rotation = np.array(pybullet.getMatrixFromQuaternion(state[5])).reshape(3, 3)
            ends = (np.array(state[4]) + beam_directions @ rotation.T * 3.5).tolist()
            for start in range(0, beams, 16383):
                pybullet.rayTestBatch([state[4]] * len(ends[start:start + 16383]),
                                      ends[start:start + 16383], collisionFilterMask=ray_mask,
                                      physicsClientId=client)
        if imu.due(now):
            pybullet.getLinkState(body, links['imu_link'], computeLinkVelocity=1,
                                  physicsClientId=client)
        if odom.due(now):
            pybullet.getJointStates(body, wheels, physicsClientId=client)
    watch.__exit__()
    world.close()
    return watch.factors(sim_seconds)


# -- core: twin_sim producing every reading -------------------------------------------------

# Free spots of the arena, between its pillars: robots 1-4 take the inner four.
ARENA_SPOTS = [(x, y) for x in (-0.55, 0.55, -1.65, 1.65) for y in (-0.55, 0.55, -1.65, 1.65)]


def core_factor(sim_seconds: float, beams: int = 360, robots: int = 1) -> dict:
    """
    Run twin_sim with every sensor at its rate; return the real-time factors (wall, CPU).

    :param robots: how many robots share the arena (one starts at the world's spawn pose,
        several on the free spots between the pillars)
    """
    world = load_world(ARENA)
    spots = [Pose(x=x, y=y) for x, y in ARENA_SPOTS[:robots]]
    spawns = [world.spawn] if robots == 1 else spots
    twin = Twin(TwinConfig(robot=ROBOT, lidar=replace(LidarConfig(), samples=beams)),
                world.build, spawns)
    for index in range(robots):
        twin.set_command(*DRIVE, robot=index)
    steps = round(sim_seconds / STEP_S)
    with Stopwatch() as watch:
        for _ in range(steps):
            twin.step_all()
    twin.close()
    return watch.factors(sim_seconds)


def robots_bridge(robots: int, seconds: float) -> dict:
    """Run one bridge with ``robots`` namespaced robots as fast as it can, every topic read."""
    names = [f'tb{index}' for index in range(robots)]
    spawns = ', '.join(f'{x}, {y}, 0.0' for x, y in ARENA_SPOTS[:robots])
    return run_bridge(0.0, seconds, (f'robots:=[{", ".join(names)}]',
                                     f'robot_spawns:=[{spawns}]'), names)


def parallel_factor(processes: int, sim_seconds: float) -> float:
    """
    Run independent core twins in parallel processes; return aggregate sim-s per wall-s.

    Each worker times its own stepping loop (process start-up and imports excluded), and
    the loops run at the same time, so their factors add up.
    """
    command = [sys.executable, '-m', 'twin_tools.bench', '--core-worker', str(sim_seconds)]
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                                preexec_fn=on_core(CORES[index % len(CORES)]))
               for index in range(processes)]
    return sum(float(worker.communicate()[0].split()[-1]) for worker in workers)


# -- the cost of one publish ------------------------------------------------------------------

COST_SUBSCRIBER = """
import sys
import rclpy
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
rclpy.init()
node = rclpy.create_node('bench_cost_subscriber')
node.create_subscription(Clock, 'bench_cost/best_effort', lambda m: None,
                         qos_profile_sensor_data)
node.create_subscription(Clock, 'bench_cost/reliable', lambda m: None,
                         QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE))
end = node.get_clock().now().nanoseconds + float(sys.argv[1]) * 1e9
while node.get_clock().now().nanoseconds < end:
    rclpy.spin_once(node, timeout_sec=0.1)
"""


def publish_cost(count: int = 3000) -> dict:
    """
    Return the CPU time of one rclpy publish (a /clock-sized message), µs.

    Best effort and reliable, with no subscriber and with one in another process: this
    process's CPU, all threads, so DDS's own work for the message is counted.
    """
    import rclpy   # here, so the core scenarios run in a process without ROS
    from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
    from rosgraph_msgs.msg import Clock
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node('bench_cost', context=context)
    publishers = {'best_effort': node.create_publisher(Clock, 'bench_cost/best_effort',
                                                       qos_profile_sensor_data),
                  'reliable': node.create_publisher(Clock, 'bench_cost/reliable', QoSProfile(
                      depth=100, reliability=ReliabilityPolicy.RELIABLE))}

    def cost(publisher) -> float:
        msg = Clock()
        with Stopwatch() as watch:
            for k in range(count):
                msg.clock.nanosec = k
                publisher.publish(msg)
        return watch.cpu / count * 1e6

    results = {f'{name}_unsubscribed_us': cost(p) for name, p in publishers.items()}
    subscriber = subprocess.Popen([sys.executable, '-c', COST_SUBSCRIBER, '60'],
                                  preexec_fn=on_core(LOAD_CORE))
    deadline = time.monotonic() + 60.0
    while (min(p.get_subscription_count() for p in publishers.values()) == 0 and
           time.monotonic() < deadline):
        time.sleep(0.05)
    time.sleep(1.0)   # discovery settles
    results.update({f'{name}_us': cost(p) for name, p in publishers.items()})
    subscriber.kill()
    subscriber.wait()
    node.destroy_node()
    rclpy.shutdown(context=context)
    return results


def messages_per_sim_second(robots: int, clock_period: float) -> float:
    """Return the messages the bridge publishes per simulated second at TurtleBot3 rates."""
    clock = 1.0 / STEP_S if clock_period == 0.0 else 1.0 / clock_period
    return robots * sum(TOPIC_RATES.values()) + clock


# -- the bridge, with subscribers in another process ----------------------------------------

SUBSCRIBER = """
import json, sys, time
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, JointState, LaserScan
from nav_msgs.msg import Odometry
from tf2_msgs.msg import TFMessage
seconds, out, robots = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
drive = json.loads(sys.argv[4])
rclpy.init()
node = rclpy.create_node('bench_subscriber')
reliable = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
counts = {}
clock = []
published_jitter = []   # the bridge's own (p50, p99) per diagnostics window
def on_diagnostics(msg):
    values = {item.key: item.value for item in msg.status[0].values}
    if values.get('clock_jitter_p99_ms', 'n/a') != 'n/a':
        published_jitter.append((float(values['clock_jitter_p50_ms']),
                                 float(values['clock_jitter_p99_ms'])))
node.create_subscription(DiagnosticArray, '/diagnostics', on_diagnostics, reliable)
def counter(topic):
    counts.setdefault(topic, 0)
    def count(msg):
        counts[topic] += 1
    return count
commands = []
for robot in robots:   # every topic of every robot ('' : the node's own namespace)
    prefix = robot + '/' if robot else ''
    for topic, kind, qos in [('scan', LaserScan, qos_profile_sensor_data),
                             ('imu', Imu, qos_profile_sensor_data), ('odom', Odometry, reliable),
                             ('tf', TFMessage, reliable), ('joint_states', JointState, reliable),
                             ('ground_truth/odom', Odometry, reliable)]:
        node.create_subscription(kind, prefix + topic, counter(topic), qos)
    commands.append(node.create_publisher(Twist, prefix + 'cmd_vel', reliable))
node.create_subscription(Clock, '/clock', lambda m: clock.append(
    (m.clock.sec * 10**9 + m.clock.nanosec, time.monotonic())), reliable)
twist = Twist()
twist.linear.x, twist.angular.z = drive
def command():   # every wall second: 60 s of cmd_vel_timeout is 5 s of wall at 12x
    for publisher in commands:
        publisher.publish(twist)
node.create_timer(1.0, command)
# One executor for the whole run: rclpy.spin_once(node) adds and removes the node on
# every call, which delays callbacks by milliseconds and would count as /clock jitter.
executor = SingleThreadedExecutor()
executor.add_node(node)
give_up = time.monotonic() + 60.0
while not clock or min(p.get_subscription_count() for p in commands) == 0:
    executor.spin_once(timeout_sec=0.1)
    if time.monotonic() > give_up:
        sys.exit('no /clock or cmd_vel subscriber within 60 s: did the bridge start?')
command()
for _ in range(20):   # the command's first effects, and late matches, out of the window
    executor.spin_once(timeout_sec=0.05)
command()
for topic in counts:
    counts[topic] = 0
published_jitter.clear()
start = len(clock) - 1
open(out + '.start', 'w').close()   # the bench reads the bridge's CPU time now
end = time.monotonic() + seconds
while time.monotonic() < end:
    executor.spin_once(timeout_sec=0.05)
window = clock[start:]
json.dump({'counts': counts, 'clock': window, 'published_jitter': published_jitter},
          open(out, 'w'))
"""

# A controller's timer on simulated time: the 50 Hz loop of a typical controller node, whose
# periods (sim and wall) show what the /clock period does to it.
SIM_TIMER = """
import json, sys, time
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
seconds, out = float(sys.argv[1]), sys.argv[2]
rclpy.init()
node = rclpy.create_node('bench_controller',
                         parameter_overrides=[Parameter('use_sim_time', value=True)])
ticks = []
node.create_timer(0.02, lambda: ticks.append((node.get_clock().now().nanoseconds,
                                              time.monotonic())))
executor = SingleThreadedExecutor()
executor.add_node(node)
give_up = time.monotonic() + 60.0
while len(ticks) < 5:
    executor.spin_once(timeout_sec=0.1)
    if time.monotonic() > give_up:
        sys.exit('no sim-time timer ticks within 60 s: did the bridge start?')
del ticks[:]
end = time.monotonic() + seconds
while time.monotonic() < end:
    executor.spin_once(timeout_sec=0.05)
json.dump(ticks, open(out, 'w'))
"""

# A controller-like process: publish cmd_vel right after a /clock message (so the sim time
# at the publish is known), then read from the bridge's diagnostics when it was applied.
COMMANDER = """
import json, sys, time
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from rosgraph_msgs.msg import Clock
samples, out = int(sys.argv[1]), sys.argv[2]
rclpy.init()
node = rclpy.create_node('bench_commander')
reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
command = node.create_publisher(Twist, 'cmd_vel', reliable)
latest = {'clock': None, 'values': {}}
clock_qos = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
node.create_subscription(Clock, '/clock', lambda m: latest.update(
    clock=m.clock.sec * 10**9 + m.clock.nanosec), clock_qos)
node.create_subscription(DiagnosticArray, '/diagnostics', lambda m: latest.update(
    values={item.key: item.value for status in m.status for item in status.values}), reliable)
executor = SingleThreadedExecutor()
executor.add_node(node)
give_up = time.monotonic() + 60.0
while latest['clock'] is None or command.get_subscription_count() == 0:
    executor.spin_once(timeout_sec=0.1)
    if time.monotonic() > give_up:
        sys.exit('no /clock or cmd_vel subscriber within 60 s: did the bridge start?')
results = []
for k in range(samples):
    latest['clock'] = None
    while latest['clock'] is None:
        executor.spin_once(timeout_sec=0.1)
    sim_at_publish = latest['clock']
    msg = Twist()
    msg.angular.z = 0.5 if k % 2 else -0.5   # turn on the spot, to and fro
    published = time.monotonic()
    command.publish(msg)
    while float(latest['values'].get('cmd_vel_last_received_steady_s', 0.0)) < published:
        executor.spin_once(timeout_sec=0.1)
    values = latest['values']
    results.append({'sim_at_publish_ns': sim_at_publish,
                    'applied_sim_ns': int(values['cmd_vel_last_applied_sim_ns']),
                    'published': published,
                    'received': float(values['cmd_vel_last_received_steady_s']),
                    'applied': float(values['cmd_vel_last_applied_steady_s'])})
json.dump(results, open(out, 'w'))
"""


def start_bridge(real_time_factor: float, parameters: tuple = ()) -> subprocess.Popen:
    """
    Start the installed bridge on the arena with the default parameters file.

    :param parameters: more ``name:=value`` bridge parameters
    """
    executable = Path(get_package_prefix('twin_bridge'), 'lib', 'twin_bridge', 'twin_bridge')
    return subprocess.Popen(
        [str(executable), '--ros-args',
         '--params-file', bridge_parameters_file(),
         '-p', f'robot_description_file:={ROBOT}', '-p', f'world_file:={ARENA}',
         '-p', f'real_time_factor:={real_time_factor}',
         '-p', 'enable_stamped_cmd_vel:=false',   # the commander publishes plain Twist
         '-p', 'cmd_vel_timeout:=60.0',           # the subscriber commands every second
         *(arg for p in parameters for arg in ('-p', p)), '--log-level', 'warn'],
        stdout=subprocess.DEVNULL,   # warnings and errors still show on stderr
        preexec_fn=on_core(MEASURED_CORE))


def stop_bridge(bridge: subprocess.Popen) -> None:
    """Stop the bridge as Ctrl-C would."""
    bridge.send_signal(signal.SIGINT)
    bridge.wait(timeout=30)


def run_bridge(real_time_factor: float, seconds: float, parameters: tuple = (),
               robots: tuple = ('',)) -> dict:
    """
    Run the bridge and a subscriber process on every topic of every robot.

    The subscriber drives every robot on DRIVE's circle. Returns the factor by wall time and
    by the bridge's CPU time (all its threads, over the subscriber's counting window), what
    the subscriber saw, and the bridge's memory.

    :param robots: the robots' namespaces ('' for a lone robot's)
    """
    bridge = start_bridge(real_time_factor, parameters)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'seen.json'
        subscriber = subprocess.Popen(
            [sys.executable, '-c', SUBSCRIBER, str(seconds), str(out), json.dumps(list(robots)),
             json.dumps(DRIVE)], preexec_fn=on_core(LOAD_CORE))
        while not Path(f'{out}.start').exists() and subscriber.poll() is None:
            time.sleep(0.01)
        cpu_before, started = _cpu_seconds(bridge.pid), time.monotonic()
        if subscriber.wait() != 0:
            stop_bridge(bridge)
            raise RuntimeError('the benchmark subscriber failed (see above)')
        cpu = _cpu_seconds(bridge.pid) - cpu_before
        wall_window = time.monotonic() - started
        peak_rss_mb = memory_mb(bridge.pid)
        seen = json.loads(out.read_text())
    stop_bridge(bridge)
    clock = seen['clock']
    sim = (clock[-1][0] - clock[0][0]) / 1e9
    wall = clock[-1][1] - clock[0][1]
    delivered = {topic: seen['counts'][topic] / max(rate * sim * len(robots), 1.0)
                 for topic, rate in TOPIC_RATES.items()}
    # Each /clock's arrival against the wall time its simulated time is due at (paced runs).
    sim_s = np.array([ns for ns, _ in clock]) / 1e9
    arrival_s = np.array([arrival for _, arrival in clock])
    return {'wall': sim / wall, 'cpu': sim / cpu * wall_window / wall if cpu else math.nan,
            'cpu_share': cpu / wall_window, 'peak_rss_mb': peak_rss_mb,
            'delivered': delivered, 'clock_messages': len(clock),
            'clock_interval_ms': np.diff(arrival_s) * 1e3,
            'clock_jitter_ms': np.abs(np.diff(arrival_s) - np.diff(sim_s) *
                                      (1.0 / real_time_factor if real_time_factor else 0.0))
            * 1e3, 'published_jitter': seen['published_jitter']}


def sim_timer_jitter(clock_period: float, seconds: float) -> dict:
    """
    Run the bridge paced with a /clock period; return a 50 Hz sim-time timer's period jitter.

    |period - 20 ms| of the timer's callbacks, p50 and p99, in simulated and in wall time.
    """
    bridge = start_bridge(1.0, (f'clock_period:={clock_period}',))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'ticks.json'
        subprocess.run([sys.executable, '-c', SIM_TIMER, str(seconds), str(out)], check=True,
                       preexec_fn=on_core(LOAD_CORE))
        ticks = np.array(json.loads(out.read_text()))
    stop_bridge(bridge)
    sim_ms = np.abs(np.diff(ticks[:, 0]) / 1e6 - 20.0)
    wall_ms = np.abs(np.diff(ticks[:, 1]) * 1e3 - 20.0)
    return {'sim_p50_ms': float(np.percentile(sim_ms, 50)),
            'sim_p99_ms': float(np.percentile(sim_ms, 99)),
            'wall_p50_ms': float(np.percentile(wall_ms, 50)),
            'wall_p99_ms': float(np.percentile(wall_ms, 99)), 'ticks': len(ticks)}


def command_latency(samples: int) -> dict:
    """
    Time ``samples`` commands from a commander process's publish to the step applying them.

    The bridge runs paced (real_time_factor 1). Sim-time latency is counted to the end of the
    first step that moved under the command, from the sim time at the publish.
    """
    # /clock at every step: the commander takes the sim time at its publish from it.
    bridge = start_bridge(1.0, ('diagnostics_period:=0.1', 'clock_period:=0.0'))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'latency.json'
        subprocess.run([sys.executable, '-c', COMMANDER, str(samples), str(out)], check=True,
                       preexec_fn=on_core(LOAD_CORE))
        results = json.loads(out.read_text())
    stop_bridge(bridge)
    steps = [(r['applied_sim_ns'] + STEP_NS - r['sim_at_publish_ns']) / STEP_NS
             for r in results]
    wall_ms = [(r['applied'] - r['published']) * 1e3 for r in results]
    return {'steps': stats(steps),
            'within_one_step': float(np.mean(np.array(steps) <= 1.0)),
            'wall_ms': stats(wall_ms),
            'wall_p99_ms': float(np.percentile(wall_ms, 99)),
            'transport_ms': stats([(r['received'] - r['published']) * 1e3 for r in results]),
            'samples': len(results)}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def memory_mb(pid: int, field: str = 'VmHWM') -> float:
    """Return a process's memory from /proc, MB: ``VmHWM`` its peak RSS, ``VmRSS`` its RSS."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith(f'{field}:'):
            return int(line.split()[1]) / 1024
    return float('nan')


# -- the report --------------------------------------------------------------------------

def run_all(repeats: int, paced_seconds: float, only: tuple = ()) -> dict:
    """
    Run every scenario, or those ``only`` names (SCENARIOS); return the results.

    :param only: scenario names; empty for all of them
    """
    os.sched_setaffinity(0, {MEASURED_CORE})   # the bare and core loops run here
    results = {'machine': f'{platform.processor() or platform.machine()}, '
                          f'{os.cpu_count()} cores, Python {platform.python_version()}',
               'clock_default': settings_clock_period()}
    for name, scenario in SCENARIOS.items():
        if not only or name in only:
            results.update(scenario(repeats, paced_seconds, results['clock_default']))
    return results


def speed_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Run the bare loop, the core and the bridge (each /clock period) side by side."""
    bare, core, bridge = [], [], {name: [] for name in CLOCK_PERIODS}
    for _ in range(repeats):   # side by side: each repeat runs every scenario once
        bare.append(bare_factor(10.0))
        core.append(core_factor(10.0))
        for name, period in CLOCK_PERIODS.items():
            bridge[name].append(run_bridge(0.0, 15.0, (f'clock_period:={period}',)))
    return {'bare': speeds(bare), 'core': speeds(core), 'core_ratio': _ratios(core, bare),
            'bridge': {name: _bridge_summary(runs, bare, core)
                       for name, runs in bridge.items()}}


def wakeup_jitter(seconds: float, period_s: float = 1 / 240) -> dict:
    """
    Sleep to a grid of ``period_s`` in plain Python (no ROS, no physics), on the bridge's core.

    The machine's floor for paced jitter: |interval - period| p50 and p99, ms, as the bridge
    reports its own.
    """
    code = (f'import json, time\nwakes, start = [], time.monotonic()\n'
            f'for k in range(1, {round(seconds / period_s)}):\n'
            f'    time.sleep(max(0.0, start + k * {period_s!r} - time.monotonic()))\n'
            f'    wakes.append(time.monotonic())\nprint(json.dumps(wakes))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, preexec_fn=on_core(MEASURED_CORE)).stdout
    deviation_ms = np.abs(np.diff(json.loads(out)) - period_s) * 1e3
    return {'p50_ms': float(np.percentile(deviation_ms, 50)),
            'p99_ms': float(np.percentile(deviation_ms, 99))}


def paced_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Run the bridge paced (real_time_factor 1): factor, CPU, /clock jitter, peak RSS."""
    paced = run_bridge(1.0, paced_seconds)
    published_p99 = [p99 for _, p99 in paced['published_jitter']]
    return {'wakeup': wakeup_jitter(10.0),
            'paced': {'factor': paced['wall'], 'cpu': paced['cpu_share'],
                      'jitter_p50_ms': float(np.percentile(paced['clock_jitter_ms'], 50)),
                      'jitter_p99_ms': float(np.percentile(paced['clock_jitter_ms'], 99)),
                      'published_jitter_p99_ms': stats(published_p99),
                      'seconds': paced_seconds, 'peak_rss_mb': paced['peak_rss_mb']}}


def sim_timer_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Measure a 50 Hz sim-time timer's period jitter at each /clock period."""
    return {'sim_timer': {name: sim_timer_jitter(period, 20.0)
                          for name, period in CLOCK_PERIODS.items()}}


def latency_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Measure the command latency, paced."""
    return {'latency': command_latency(100)}


def publish_cost_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Measure the CPU cost of one rclpy publish."""
    return {'publish_cost': publish_cost()}


def lidar_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Run the core with more LIDAR beams."""
    return {'lidar_core': {beams: speeds([core_factor(5.0, beams) for _ in range(repeats)])
                           for beams in (360, 1440, 16384)}}


def robots_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Run 1, 4 and 16 robots in one world: the core and the bridge, side by side."""
    robots = {}
    for n in (1, 4, 16):
        cores, bridges = [], []
        for _ in range(repeats):
            cores.append(core_factor(5.0, robots=n))
            bridges.append(robots_bridge(n, 10.0))
        robots[n] = {'core': speeds(cores), 'bridge': _bridge_summary(bridges, None, cores),
                     'messages_per_sim_s': messages_per_sim_second(n, shipped)}
    return {'robots': robots}


def parallel_results(repeats: int, paced_seconds: float, shipped: float) -> dict:
    """Run independent core twins in parallel processes, one per core."""
    single = stats([parallel_factor(1, 30.0) for _ in range(repeats)])['median']
    return {'parallel': {n: {'aggregate': parallel_factor(n, 30.0), 'single': single}
                         for n in range(1, (os.cpu_count() or 1) + 1)}}


# Each scenario's name (for --only) and what runs it; in the order of the full run.
SCENARIOS = {'speed': speed_results, 'paced': paced_results, 'sim_timer': sim_timer_results,
             'latency': latency_results, 'publish_cost': publish_cost_results,
             'lidar': lidar_results, 'robots': robots_results, 'parallel': parallel_results}


def settings_clock_period() -> float:
    """Return the /clock period the shipped parameter file gives, s."""
    parameters = yaml.safe_load(Path(bridge_parameters_file()).read_text())
    return float(next(iter(parameters.values()))['ros__parameters']['clock_period'])


def _ratios(runs: list[dict], baselines: list[dict]) -> dict:
    """Return the stats of each run's factor over its side-by-side baseline's, by CPU time."""
    return stats([run['cpu'] / base['cpu'] for run, base in zip(runs, baselines)])


def _bridge_summary(runs: list[dict], bare: list[dict] | None, core: list[dict]) -> dict:
    summary = {'speed': speeds(runs), 'to_core': _ratios(runs, core),
               'delivered': {topic: min(r['delivered'][topic] for r in runs)
                             for topic in runs[0]['delivered']},
               'cpu_share': stats([r['cpu_share'] for r in runs]),
               'peak_rss_mb': max(r['peak_rss_mb'] for r in runs)}
    if bare is not None:
        summary['to_bare'] = _ratios(runs, bare)
    return summary


def markdown(results: dict) -> str:
    """Render the results as the table committed in docs/benchmarks.md."""
    def triple(s):
        digits = 2 if s['max'] < 10 else 1
        return f'{s["median"]:.{digits}f} ({s["min"]:.{digits}f}–{s["max"]:.{digits}f})'

    def speed(s):
        return f'{triple(s["cpu"])} by CPU, {triple(s["wall"])} by wall'

    def delivered(shares):
        return ', '.join(f'{topic} {share:.0%}' for topic, share in shares.items())
    paced, latency, cost = results['paced'], results['latency'], results['publish_cost']
    published = paced['published_jitter_p99_ms']
    default = results['clock_default']
    lines = [
        '# Benchmarks', '',
        f'Machine: {results["machine"]}. Command: `make bench` (`twin bench`).',
        'Real-time factor = simulated seconds per second, by CPU time of the measured process '
        '(all its threads) and by wall time; median (min–max) of the runs. Ratios are by CPU '
        'time, each run against the baseline run next to it.',
        'TurtleBot3 rates: scan 360 beams at 5 Hz, IMU 200 Hz, odom/TF/joint states/ground '
        'truth 50 Hz; physics 240 Hz; the arena world; headless; every robot drives a circle '
        f'({DRIVE[0]} m/s, {DRIVE[1]} rad/s). The bare and core loops and the bridge run '
        'pinned to one core; the subscriber process, reading every topic of every robot, runs '
        'on another.', '',
        '| scenario | result | target |', '|---|---|---|',
        f'| bare PyBullet loop (same robot, world, motion, rays) | {speed(results["bare"])} | '
        'the ceiling |',
        f'| core (twin_sim, every reading) | {speed(results["core"])}; core / bare '
        f'{triple(results["core_ratio"])} | ≥ 0.8 (stretch 0.85) |',
    ]
    for name, bridge in results['bridge'].items():
        shipped = ' (the shipped default)' if CLOCK_PERIODS[name] == default else ''
        target = ('≥ 0.40 (stretch 0.45)' if CLOCK_PERIODS[name] == 0.0 else
                  '≥ 0.45 (stretch 0.5)' if shipped else '')
        lines.append(
            f'| bridge, real_time_factor 0, /clock {name}{shipped}, every topic subscribed | '
            f'{speed(bridge["speed"])}; bridge / bare {triple(bridge["to_bare"])}, bridge / '
            f'core {triple(bridge["to_core"])}; bridge CPU share '
            f'{bridge["cpu_share"]["median"]:.0%}; delivered {delivered(bridge["delivered"])}'
            f' | {target} |')
    lines += [
        f'| paced, real_time_factor 1.0, {paced["seconds"]:.0f} s, /clock {default:g} s | '
        f'achieved {paced["factor"]:.4f}; bridge CPU {paced["cpu"]:.0%} | 1.00 ± 0.01 |',
        "| /clock jitter at publication (the bridge's diagnostics, p99 of each 1 s window) | "
        f'{triple(published)} ms | p99 < 2 ms |',
        "| the machine's floor: a plain Python loop sleeping to the 240 Hz grid on the "
        "bridge's core (no ROS, no physics), |interval − period| | p50 "
        f'{results["wakeup"]["p50_ms"]:.2f} ms, p99 {results["wakeup"]["p99_ms"]:.2f} ms | |',
        f'| /clock jitter at a subscriber in another process (whole run; each arrival '
        f'against its simulated time) | p50 {paced["jitter_p50_ms"]:.2f} ms, p99 '
        f'{paced["jitter_p99_ms"]:.2f} ms | p99 < 2 ms |',
    ]
    for name, jitter in results['sim_timer'].items():
        lines.append(
            f'| 50 Hz sim-time timer of a controller node, paced, /clock {name}: |period − '
            f'20 ms| | simulated p50 {jitter["sim_p50_ms"]:.2f} ms, p99 '
            f'{jitter["sim_p99_ms"]:.2f} ms; wall p50 {jitter["wall_p50_ms"]:.2f} ms, p99 '
            f'{jitter["wall_p99_ms"]:.2f} ms | |')
    lines += [
        f'| command latency, paced: cmd_vel publish (right after a /clock) to the end of the '
        f'first step moved by it, {latency["samples"]} commands | {triple(latency["steps"])} '
        f'steps, {latency["within_one_step"]:.0%} within 1 step; wall time '
        f'{triple(latency["wall_ms"])} ms, of which DDS delivery {triple(latency["transport_ms"])}'
        f' ms | ≤ 1 step for ≥ 98 % |',
        f'| peak RSS of the bridge | {paced["peak_rss_mb"]:.0f} MB | ≤ 250 MB |',
        f'| one rclpy publish (a /clock message), CPU of the publishing process | best effort '
        f'{cost["best_effort_us"]:.1f} µs, reliable {cost["reliable_us"]:.1f} µs with a '
        f'subscriber in another process; {cost["best_effort_unsubscribed_us"]:.1f} / '
        f'{cost["reliable_unsubscribed_us"]:.1f} µs with none | the floor |',
    ]
    for beams, s in results['lidar_core'].items():
        lines.append(f'| core with {beams} LIDAR beams | {speed(s)} | |')
    best_effort = TOPIC_RATES['scan'] + TOPIC_RATES['imu']   # per robot; the rest reliable
    for n, r in results['robots'].items():
        bridge, messages = r['bridge'], r['messages_per_sim_s']
        floor_us = (n * best_effort * cost['best_effort_us'] +
                    (messages - n * best_effort) * cost['reliable_us'])
        target = '≥ 1.0 (bridge, by wall)' if n == 16 else ''
        lines.append(
            f'| {n} robot(s) in one arena, every sensor, every topic of every robot subscribed '
            f'(bridge: namespaced tb0…, real_time_factor 0, /clock {default:g} s) | core '
            f'{speed(r["core"])}; bridge {speed(bridge["speed"])}; bridge / core '
            f'{triple(bridge["to_core"])}; robot-seconds per wall second: core '
            f'{n * r["core"]["wall"]["median"]:.1f}, bridge '
            f'{n * bridge["speed"]["wall"]["median"]:.1f}; {messages:.0f} messages per '
            f'simulated second, whose publishing alone caps the bridge at '
            f'{1e6 / floor_us:.1f}× real time; delivered '
            f'{delivered(bridge["delivered"])} | {target} |')
    for n, p in results['parallel'].items():
        lines.append(f'| {n} independent core twin(s) in parallel processes | aggregate '
                     f'{p["aggregate"]:.1f} sim-s/wall-s, {p["aggregate"] / p["single"]:.2f} × '
                     f'one | ≥ 0.9 × N |')
    return '\n'.join(lines) + '\n'


def _notes(markdown_file: Path) -> str:
    """Return the hand-written sections after the table (from the first '## '), kept."""
    text = markdown_file.read_text() if markdown_file.exists() else ''
    return text[text.index('\n## '):] if '\n## ' in text else ''


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Run the benchmark, print the table, save JSON and markdown (``twin bench``)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='examples: twin bench --repeats 1 --paced-seconds 20 --markdown /tmp/bench.md; '
        'twin bench --only speed robots --repeats 2')
    parser.add_argument('--repeats', type=int, default=3,
                        help='runs of each scenario (the table shows median, min and max)')
    parser.add_argument('--paced-seconds', type=float, default=60.0,
                        help='wall seconds of the paced run (real_time_factor 1)')
    parser.add_argument('--json', type=Path, default=Path('artifacts/bench.json'),
                        help='where to write every figure as JSON')
    parser.add_argument('--markdown', type=Path, default=Path('docs/benchmarks.md'),
                        help='where to write the table (the notes after it are kept)')
    parser.add_argument('--only', nargs='+', choices=SCENARIOS, default=[], metavar='SCENARIO',
                        help='run only these scenarios and print their figures as JSON (the '
                        'table is not rewritten): ' + ', '.join(SCENARIOS))
    parser.add_argument('--core-worker', type=float, help=argparse.SUPPRESS)
    options = parser.parse_args(args)
    if options.core_worker:
        print(core_factor(options.core_worker)['wall'])
        return 0
    os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    results = run_all(options.repeats, options.paced_seconds, tuple(options.only))
    if options.only:
        print(json.dumps(results, indent=2, default=str))
        return 0
    table = markdown(results)
    print(table)
    for path, text in ((options.json, json.dumps(results, indent=2, default=str)),
                       (options.markdown, table + _notes(options.markdown))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
