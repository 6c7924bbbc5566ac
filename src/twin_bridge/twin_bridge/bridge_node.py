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
The twin's ROS 2 node: a TurtleBot3-class robot's drivers, backed by twin_sim.

The node owns simulated time. A steady (wall-clock) timer advances the physics in fixed
steps, paced by ``real_time_factor``; every message is stamped with simulated time and
``/clock`` is published. Commands pass the :class:`CommandGate` before reaching the motors.
"""

import os
import re
import sys
import time

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import rclpy
from rclpy.clock import Clock as RclpyClock, ClockType
from rclpy.event_handler import PublisherEventCallbacks, SubscriptionEventCallbacks
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from std_srvs.srv import SetBool, Trigger
from twin_bridge import conversions, fastdds_profiles
from twin_bridge.declaration import declare_parameters, parameter_overrides, ros_arguments
from twin_bridge.graph_watch import GraphWatch
from twin_bridge.injection import FaultsAndVariations, with_faults_and_variations
from twin_bridge.lockstep import Lockstep
from twin_bridge.map_outputs import MapOutputs
from twin_bridge.parameters import (bridge_settings, checked_values, given_parameters,
                                    robot_spawns, start_pose, twin_config)
from twin_bridge.robot_drivers import RELIABLE, reported, RobotDrivers
from twin_bridge.security import security_problem
from twin_bridge.simulation_interfaces_server import SimulationInterfacesServer
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_bridge.timing import Pacing, PacingJitter, StepFailures
from twin_sim import DescriptionError, load_world, Twin

NS_PER_S = 1_000_000_000
GRAPH_CHECK_PERIOD_S = 2.0   # how often the graph is checked for conflicting publishers
FAST_BATCH_S = 0.01          # most wall time one timer tick spends stepping
COMMAND_READS_PER_TIMEOUT = 4   # a tick steps at most cmd_vel_timeout / 4 simulated
LOCKSTEP_POLL_S = 0.01       # lock-step: how often a hold's timeout (and a resume) is checked
NEVER_NS = 2**62             # a /clock period that never comes due
# Who reads each robot's streams is asked of DDS at most once in this wall time (asking for
# every message was 2-4 % of a 16-robot bridge): a new subscriber is served this much later.
READERS_KNOWN_FOR_S = FAST_BATCH_S

# Endpoints without rclpy's default QoS-event handlers (incompatible QoS and type): each is
# a waitable the executor adds to its wait set, in Python, before every wait; two per
# endpoint were 34 waitables with one robot and 170 with 16, 40 % of a 16-robot bridge's
# time. GraphWatch names incompatible endpoints instead.
NO_PUBLISHER_EVENTS = PublisherEventCallbacks(use_default_callbacks=False)
NO_SUBSCRIPTION_EVENTS = SubscriptionEventCallbacks(use_default_callbacks=False)

# sim/step publishes a burst of /clock messages at once; keep them all for slow readers.
CLOCK_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)


class StartupError(Exception):
    """A configuration problem that stops the node; the message says what to fix."""


def installed(package: str) -> bool:
    """Tell whether the ament index knows a ROS package."""
    try:
        get_package_share_directory(package)
        return True
    except PackageNotFoundError:
        return False


class BridgeNode(Node):
    """The twin's drivers: sensors and odometry out, validated commands in, time owned."""

    def __init__(self, given: dict | None = None, dds_profile_given: bool = False, **kwargs):
        """
        Check the parameters, build the twin, and start publishing; no blocking calls.

        :param given: parameter values by dotted name, as files and ``--param`` give them
        :param dds_profile_given: the process was started with a Fast DDS profile (the user's,
            or the lock-step one ``twin campaign`` gives): lock-step gives no advice then
        :raises StartupError: a parameter, the robot or the world is unusable
        """
        try:
            overrides = parameter_overrides(checked_values(given or {}))
        except ValueError as error:
            raise StartupError(str(error)) from None
        super().__init__('twin_bridge', parameter_overrides=overrides, **kwargs)
        self.counters_callback_errors = 0
        self.dds_profile_given = dds_profile_given
        try:
            values = declare_parameters(self)
            self.settings = settings = bridge_settings(values)
        except ValueError as error:
            raise StartupError(str(error)) from None
        names = self._build_twin(values)
        self.jitter = PacingJitter()
        self.paused = settings.start_paused
        self.step_timer = None   # paced stepping, or lock-step's poll; see wake_step_timer
        self.batch_deadline = None   # wall s by which the current batch of steps ends
        self.halted = None   # why the simulation stopped by itself (read: sim/reset), or None
        self.step_failures = StepFailures()
        self.step_ns = self.twin.step_ns
        self.readers_known_until = 0.0   # wall s; see READERS_KNOWN_FOR_S
        self.clock_pub = self.create_publisher(Clock, '/clock', CLOCK_QOS)
        self.clock_serialized = conversions.SerializedClock()   # rewritten each step
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', RELIABLE)
        publish_robot_state = settings.publish_robot_state == 'true' or (
            settings.publish_robot_state == 'auto' and not installed('robot_state_publisher'))
        self.drivers = [
            RobotDrivers(self, name, index, settings,
                         self.twin.description.xml if publish_robot_state else None)
            for index, name in enumerate(names)]
        self._make_services()
        self.simulation_interfaces = SimulationInterfacesServer(self)
        self._start_clock()
        self.graph_watch = GraphWatch(self, [d.namespace for d in self.drivers],
                                      settings.enable_stamped_cmd_vel)
        self._attach_components()
        self.get_logger().info(
            f'twin up: {self.twin.description.source}'
            f'{" as " + ", ".join(names) if any(names) else ""}, world '
            f'{settings.world_file or "(ground only)"}, physics step {self.step_ns / 1e6:.3f} ms, '
            f'real_time_factor {settings.real_time_factor or "max"}, cmd_vel as '
            f'{"TwistStamped" if settings.enable_stamped_cmd_vel else "Twist"}')
        geometry = self.twin.robots[0].drive_geometry()   # every robot has the same model
        self.get_logger().info('wheel geometry: ' + ', '.join(
            f'{name} {value:.5g}' for name, value in geometry.items()))

    def create_publisher(self, *args, **kwargs):
        """Create a publisher as rclpy does, without QoS-event handlers by default."""
        kwargs.setdefault('event_callbacks', NO_PUBLISHER_EVENTS)
        return super().create_publisher(*args, **kwargs)

    def create_subscription(self, *args, **kwargs):
        """Create a subscription as rclpy does, without QoS-event handlers by default."""
        kwargs.setdefault('event_callbacks', NO_SUBSCRIPTION_EVENTS)
        return super().create_subscription(*args, **kwargs)

    def _build_twin(self, values: dict) -> list[str]:
        """Build the world and its robots; return the robots' names ('' for a lone one)."""
        settings, spawn, build_world = self.settings, self.settings.spawn, None
        self.world_grid = None   # the Nav2 map of a map world
        if values['gui'] and not (os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
            raise StartupError('gui is true, but there is no display (DISPLAY and '
                               'WAYLAND_DISPLAY are unset): set gui false, or use a desktop')
        try:
            if settings.world_file:
                world = load_world(settings.world_file)
                build_world, self.world_grid = world.build, world.grid
                spawn = start_pose(spawn, world.spawn, settings.use_world_spawn)
            robots = robot_spawns(settings, spawn)
            config = with_faults_and_variations(twin_config(values, settings, spawn),
                                                settings.faults_file, settings.variations_file)
            self.spawns = [pose for _, pose in robots]
            self.twin = Twin(config, build_world, self.spawns)
            if settings.episode:
                self.twin.reset(episode=settings.episode)
        except (DescriptionError, ValueError) as error:
            raise StartupError(str(error)) from None
        return [name for name, _ in robots]

    def _attach_components(self) -> None:
        """
        Attach the optional parts of the bridge, each given this node and ``self.twin``.

        The place for components that add topics or services of their own (a map
        publisher, simulation_interfaces services, fault injection): construct them here,
        after the robots' drivers and the clock exist.
        """
        self.injection = FaultsAndVariations(self)
        if self.world_grid is not None:
            odom_frames = [drivers.frames['odom'] for drivers in self.drivers]
            self.map_outputs = MapOutputs(self, self.world_grid, self.settings,
                                          list(zip(odom_frames, self.spawns)))

    # -- set-up -------------------------------------------------------------------------

    def _make_services(self) -> None:
        # Twin-only services live under sim/, one namespace that permissions can deny.
        self.create_service(SetBool, 'sim/pause', self.on_pause)
        self.create_service(Trigger, 'sim/step', self.on_step)
        self.create_service(Trigger, 'sim/reset', self.on_reset)
        self.create_service(Trigger, 'sim/reset_e_stop', self.on_reset_e_stop)

    def _start_clock(self) -> None:
        steady = RclpyClock(clock_type=ClockType.STEADY_TIME)
        factor = self.settings.real_time_factor
        period = self.step_ns / NS_PER_S / factor if factor > 0 else 0.0
        self.pacing = Pacing(factor, self.step_ns)
        self.pacing.restart(time.monotonic(), self.sim_ns)
        self.pacing.achieved(time.monotonic(), self.sim_ns)
        self.stats = {'steps': 0, 'achieved_factor': 0.0, 'controller_waits': 0}
        self.waited_for_ns = None
        self.waiting_for_controller = False   # see wait_for_controller
        self.lockstep = Lockstep(
            round(self.settings.lockstep_period * NS_PER_S), self.step_ns, len(self.drivers),
            self.settings.lockstep_timeout) if self.settings.lockstep_enabled else None
        # Wall-clock timers: the node must never wait for the /clock it publishes itself.
        if self.lockstep is None:
            self.step_timer = self.create_timer(period, self.on_timer, clock=steady)
            self.controller_timer = self.create_timer(
                1.0, self.stop_waiting_for_controller, clock=steady, autostart=False)
        else:   # periods are run by the controllers' answers (command_answered)
            self.step_timer = self.create_timer(LOCKSTEP_POLL_S, self.advance_lockstep,
                                                clock=steady)
        self.wake_step_timer()
        self.create_timer(self.settings.diagnostics_period, self.publish_diagnostics,
                          clock=steady)
        self.create_timer(GRAPH_CHECK_PERIOD_S, self.check_graph, clock=steady)
        self.clock_period_ns = round(self.settings.clock_period * NS_PER_S)
        if self.lockstep is not None:   # /clock at each period's end, after its data
            self.clock_period_ns = NEVER_NS
        self.next_clock_ns = 0
        self.publish_clock()

    # -- time ---------------------------------------------------------------------------

    @property
    def sim_ns(self) -> int:
        """Return the simulated time, ns: the core's clock, time's one owner."""
        return self.twin.time_ns

    @reported
    def on_timer(self) -> None:
        """Advance as many physics steps as the pacing asks for (runs only while unpaused)."""
        now = time.monotonic()
        # A batch of steps takes at most FAST_BATCH_S of wall time, so commands and services
        # are never starved; what is still owed then is an overrun, dropped by the pacing.
        # A tick steps at most a part of cmd_vel_timeout in simulated time, so that far
        # faster than real time a controller that keeps up is not timed out for commands
        # the tick did not read: the batch then goes on at the next tick, due at once.
        # Nor does it time out a moving command whose controller is not late by wall time:
        # it waits for the controller instead (up to cmd_vel_timeout of wall time).
        owed = self.pacing.owed(now, self.sim_ns)
        if self.batch_deadline is None:
            self.batch_deadline = now + FAST_BATCH_S
        span_ns = self.settings.cmd_vel_timeout * NS_PER_S / COMMAND_READS_PER_TIMEOUT
        end_ns = self.sim_ns + span_ns
        waits = [(ns, d.controller_late_s()) for d in self.drivers
                 if (ns := d.late_command_ns(now)) is not None]
        late_ns = min((ns for ns, _ in waits), default=NEVER_NS)
        while owed > 0 and time.monotonic() < self.batch_deadline and not (
                self.paused or self.halted):
            if self.sim_ns >= end_ns:
                return
            if self.sim_ns > late_ns:
                self.wait_for_controller(late_ns, min(late_s for _, late_s in waits) - now)
                return
            self.advance()
            owed -= 1
        self.pacing.settle(time.monotonic(), self.sim_ns, owed)
        self.batch_deadline = None

    def wait_for_controller(self, late_ns: int, for_s: float) -> None:
        """
        Hold time where a late controller's command would expire; the wait owes no steps.

        The step timer stands still until a command arrives or, ``for_s`` of wall time
        later, the first controller waited for is late by wall time too: at
        real_time_factor 0 a waiting timer would spin a core.
        """
        if late_ns != self.waited_for_ns:
            self.stats['controller_waits'] += 1
            self.waited_for_ns = late_ns
        self.waiting_for_controller = True
        self.step_timer.cancel()
        self.controller_timer.timer_period_ns = max(1, round(for_s * NS_PER_S))
        self.controller_timer.reset()

    def stop_waiting_for_controller(self) -> None:
        """End a controller wait (a command came, or the wait's wall time ran out)."""
        if self.waiting_for_controller:
            self.waiting_for_controller = False
            self.controller_timer.cancel()
            self.wake_step_timer()

    @reported
    def advance_lockstep(self) -> None:
        """Lock-step: run the next period once every robot answered (or the hold timed out)."""
        now = time.monotonic()
        if self.paused or self.halted:
            return
        if not self.lockstep.started and not self.lockstep.may_start(
                now, self.controllers_connected()):
            return
        if not self.lockstep.may_advance(now):
            return
        for _ in range(self.lockstep.steps_to_boundary(self.sim_ns)):
            self.advance()
            if self.halted:
                return
        # The period's data reach the controllers before its /clock fires their timers.
        started = time.monotonic()
        delivered = all(d.wait_until_delivered(self.lockstep.timeout_s) for d in self.drivers)
        waited_s = time.monotonic() - started
        if self.lockstep.delivery(delivered, waited_s, self.dds_profile_given):
            self.get_logger().warning(fastdds_profiles.slow_acknowledgements_advice(waited_s),
                                      throttle_duration_sec=60.0)
        self.publish_clock()
        self.lockstep.hold(time.monotonic(), self.sim_ns)

    def controllers_connected(self) -> bool:
        """Tell whether each robot's cmd_vel has a publisher whose node subscribes /clock."""
        on_sim_time = {(i.node_namespace, i.node_name)
                       for i in self.get_subscriptions_info_by_topic('/clock')}
        return all(on_sim_time & {(i.node_namespace, i.node_name) for i in
                                  self.get_publishers_info_by_topic(d.command_topic)}
                   for d in self.drivers)

    def command_answered(self, robot: int, stamp_ns: int | None) -> None:
        """Note a robot's command (taken by its gate); in lock-step it may release a period."""
        if self.lockstep is not None:
            self.lockstep.answer(robot, stamp_ns)
            self.advance_lockstep()
        else:
            self.stop_waiting_for_controller()

    def advance(self) -> None:
        """One physics step: apply the commands in force, step, publish what came due."""
        sim_ns, now = self.sim_ns, time.monotonic()
        if now >= self.readers_known_until:
            self.readers_known_until = now + READERS_KNOWN_FOR_S
            for drivers in self.drivers:
                drivers.forget_readers()
        for drivers in self.drivers:
            drivers.command(sim_ns)
        try:
            all_readings = self.twin.step_all()
        except Exception as error:   # a failing step must not take the twin down
            self._step_failed(error)
            return
        self.step_failures.succeeded()
        self.stats['steps'] += 1
        truths = [d.ground_truth(r) for d, r in zip(self.drivers, all_readings)]
        if not all(d.finite(r, t) for d, r, t in zip(self.drivers, all_readings, truths)):
            self._halt('physics diverged (a non-finite pose or reading)')
            return
        self.injection.after_step()
        if self.injection.stalled:   # an injected stalled clock: nothing goes out
            return
        if self.clock_period_ns == 0 or self.sim_ns >= self.next_clock_ns:
            self.publish_clock()
        # Paced steps only: sim/step bursts are not pacing, and as fast as possible (factor
        # 0) nothing takes the marks, which would pile up for ever.
        if not self.paused and self.pacing.factor > 0:
            self.jitter.mark(time.monotonic())
        for drivers, readings, truth in zip(self.drivers, all_readings, truths):
            drivers.publish(readings, truth, self.sim_ns)

    def _step_failed(self, error: Exception) -> None:
        if self.step_failures.failed(error):
            self._halt(self.step_failures.reason())
        else:
            self.get_logger().error(f'physics step failed: {error!r}',
                                    throttle_duration_sec=5.0)

    def _halt(self, reason: str) -> None:
        self.halted = reason
        self.wake_step_timer()
        self.get_logger().error(f'{reason}: simulation paused, nothing published; call '
                                'sim/reset to continue')

    def publish_clock(self) -> None:
        """
        Publish the simulated time.

        With a ``clock_period``, at the first step on or after each multiple of it: 0.01 s
        gives 100 messages per simulated second, and a sim-time timer whose period is a
        multiple of it fires at the steps it would fire at with /clock every step.
        """
        self.clock_pub.publish(self.clock_serialized.fill(self.sim_ns))
        if self.clock_period_ns:
            self.next_clock_ns = (self.sim_ns // self.clock_period_ns + 1) * self.clock_period_ns

    # -- services -----------------------------------------------------------------------

    @reported
    def on_pause(self, request: SetBool.Request, response: SetBool.Response):
        """Pause (true) or resume (false) the simulation."""
        self.set_paused(request.data)
        response.success = True
        response.message = (f'{"paused" if self.paused else "running"} '
                            f'{conversions.sim_time_note(self.sim_ns)}')
        return response

    def set_paused(self, paused: bool) -> None:
        """Pause or resume; pacing starts afresh from now."""
        self.paused = paused
        self.pacing.restart(time.monotonic(), self.sim_ns)
        self.jitter.clear()
        self.wake_step_timer()

    def wake_step_timer(self) -> None:
        """
        Run the step timer only while time may advance.

        At real_time_factor 0 its period is 0: a paused or halted twin would spin a core
        doing nothing (a whole core for every paused twin of a campaign). Lock-step's poll
        (100 Hz) cost a paused twin 8 % of a core: a campaign's next episode, ready and
        paused while another steps.
        """
        if self.step_timer is None:
            return
        if self.paused or self.halted or self.waiting_for_controller:
            self.step_timer.cancel()
        elif self.step_timer.is_canceled():   # nothing is owed for the time it stood still
            self.pacing.restart(time.monotonic(), self.sim_ns)
            self.batch_deadline = None
            self.step_timer.reset()

    @reported
    def on_step(self, request: Trigger.Request, response: Trigger.Response):
        """While paused, advance ``step_count`` physics steps; respond when they are done."""
        if not self.paused or self.halted:
            response.success = False
            response.message = (f'{self.halted}: call sim/reset' if self.halted else
                                'not paused: call sim/pause first')
            return response
        count = self.get_parameter('step_count').value
        for _ in range(count):
            self.advance()
        response.success = True
        response.message = f'stepping {count} step(s) of {self.step_ns / 1e9:g} s'
        return response

    @reported
    def on_reset(self, request: Trigger.Request, response: Trigger.Response):
        """Restore the initial state of the episode the ``episode`` parameter names."""
        self.simulation_interfaces.reset_world(keep_spawned=False)   # spawned bodies go too
        response.success = True
        # The exact time lets a caller line up with /clock, which arrives on its own.
        response.message = (f'reset to the initial state of episode {self.twin.episode} '
                            f'{conversions.sim_time_note(self.sim_ns)}; /clock continues')
        return response

    def reset_state(self) -> None:
        """Restore the robots, the world and the commands; rebuild what a restore cannot heal."""
        if self.halted or self.twin.problems():
            self.twin.rebuild()   # a physics that diverged is not healed by a restore
        self.twin.reset(episode=self.get_parameter('episode').value)
        for drivers in self.drivers:
            drivers.gate.clear()
        self.injection.after_reset()
        self.halted = None
        self.step_failures.succeeded()
        self.stop_waiting_for_controller()   # the commands it waited for are gone
        self.wake_step_timer()

    @reported
    def on_reset_e_stop(self, request: Trigger.Request, response: Trigger.Response):
        """Release a latched e-stop."""
        engaged = [d for d in self.drivers if d.gate.e_stopped]
        for drivers in engaged:
            drivers.gate.release_e_stop()
        response.success = True
        response.message = 'e-stop released' if engaged else 'e-stop was not engaged'
        if engaged and any(d.name for d in engaged):
            response.message += ' for ' + ', '.join(d.name for d in engaged)
        return response

    # -- watching -----------------------------------------------------------------------

    @reported
    def publish_diagnostics(self) -> None:
        """Publish the simulation's state and pacing, and each robot's command path."""
        if self.paused or self.halted or (self.lockstep and self.lockstep.holding):
            self.publish_clock()   # time stands still, but nodes joining now must learn it
        achieved = self.pacing.achieved(time.monotonic(), self.sim_ns)
        if achieved is not None:
            self.stats['achieved_factor'] = achieved
        array = DiagnosticArray(status=[self._simulation_status()] + [
            self._robot_status(drivers) for drivers in self.drivers])
        array.header.stamp = conversions.stamp(self.sim_ns)
        self.diagnostics_pub.publish(array)

    def _simulation_status(self) -> DiagnosticStatus:
        status = DiagnosticStatus(name=f'{self.get_name()}: simulation', hardware_id='twin')
        problems = [] if self.halted else self.twin.problems()
        if self.halted:
            status.level, status.message = DiagnosticStatus.ERROR, f'{self.halted}; paused'
        elif problems:
            status.level = DiagnosticStatus.ERROR
            status.message = '; '.join(problems) + ': call sim/reset'
        elif self.step_failures.in_a_row:
            status.level = (DiagnosticStatus.ERROR if self.step_failures.serious() else
                            DiagnosticStatus.WARN)
            status.message = self.step_failures.reason()
        else:
            status.level = DiagnosticStatus.OK
            status.message = 'paused' if self.paused else 'running'
        values = {
            'sim_time_s': f'{self.sim_ns / NS_PER_S:.3f}',
            'sim_time_ns': str(self.sim_ns),
            'real_time_factor_target': f'{self.settings.real_time_factor:g}',
            'real_time_factor_achieved': f'{self.stats["achieved_factor"]:.3f}',
            'steps': str(self.stats['steps']),
            'step_overruns': str(self.pacing.overruns),
            'controller_waits': str(self.stats['controller_waits']),
            'paused': str(self.paused).lower(),
            'callback_errors': str(self.counters_callback_errors),
            'step_failures': str(self.step_failures.total),
            'physics_bodies': str(self.twin.body_count()),
            'robots': str(len(self.drivers)),
        }
        values.update(self._jitter_values())
        values.update(self.injection.diagnostic_values())
        if self.lockstep is not None:
            values.update(self.lockstep.diagnostic_values())
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        return status

    def _robot_status(self, drivers: RobotDrivers) -> DiagnosticStatus:
        status = DiagnosticStatus(name=f'{self.get_name()}: {drivers.name or "robot"}',
                                  hardware_id='twin')
        if drivers.gate.e_stopped:
            status.level, status.message = DiagnosticStatus.WARN, 'e-stop engaged'
        elif drivers.robot.active_faults:
            status.level, status.message = DiagnosticStatus.WARN, 'faults injected'
        else:
            status.level, status.message = DiagnosticStatus.OK, 'ok'
        values = drivers.diagnostic_values(self.sim_ns)
        values.update({name: f'{value:.5g}' for name, value in
                       drivers.robot.drive_geometry().items()})
        values['body_slowed_steps'] = str(drivers.robot.body_slowed_steps())
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        return status

    def _jitter_values(self) -> dict:
        """Return how regularly paced /clock publications came, for diagnostics."""
        values = {'clock_jitter_p50_ms': 'n/a', 'clock_jitter_p99_ms': 'n/a'}
        factor = self.settings.real_time_factor
        if factor > 0 and not self.paused:
            # Of the paced steps (every step publishes /clock with clock_period 0).
            jitter = self.jitter.take(self.step_ns / NS_PER_S / factor)
            if jitter is not None:
                values['clock_jitter_p50_ms'], values['clock_jitter_p99_ms'] = (
                    f'{ms:.3f}' for ms in jitter)
        return values

    @reported
    def check_graph(self) -> None:
        """Warn about other publishers where the twin should be the only one."""
        self.graph_watch.check()

    def shut_down(self) -> None:
        """Report the run and release the physics and the action server."""
        self.get_logger().info(f'stopping at sim time {self.sim_ns / NS_PER_S:.2f} s after '
                               f'{self.stats["steps"]} steps')
        self.simulation_interfaces.destroy()
        self.twin.close()


def _rcl_reason(error: Exception) -> str:
    """Return rcl's message without its source locations (', at /project/src/...')."""
    return re.sub(r',? at /\S+:\d+', '', str(error)).strip()


def main(args=None) -> int:
    """Run the bridge until Ctrl-C or shutdown; exit 1 with one clear line on bad setup."""
    logger = rclpy.logging.get_logger('twin_bridge')
    problem = security_problem(os.environ)
    if problem:
        logger.fatal(f'cannot start: {problem}')
        return 1
    # Read what the command line gives before rcl does: rcl drops a value of another type
    # than an earlier one without a word, and says nothing of an unreadable file's name.
    try:
        given = given_parameters(ros_arguments(sys.argv if args is None else args))
    except ValueError as error:
        logger.fatal(f'cannot start: {error}')
        return 1
    # Signals end the spin between callbacks with the context still valid: no step batch is
    # cut off half-published, and shutting down can still log.
    try:
        init_without_signal_handlers(args)
    except Exception as error:   # rclpy's RCLError (private type): e.g. security credentials
        hint = ('; with ROS_SECURITY_ENABLE=true, rcl needs ROS_SECURITY_KEYSTORE holding an '
                'enclave for this node (see SROS2 in src/twin_bridge/README.md)'
                if os.environ.get('ROS_SECURITY_ENABLE') == 'true' else '')
        logger.fatal(f'cannot start: {_rcl_reason(error)}{hint}')
        return 1
    try:
        node = BridgeNode(given, fastdds_profiles.configured(os.environ))
    except StartupError as error:
        logger.fatal(f'cannot start: {error}')
        rclpy.try_shutdown()
        return 1
    try:
        spin_until_signalled(node, stop_when=node.simulation_interfaces.quit_due)
    except ExternalShutdownException:
        pass
    finally:
        node.shut_down()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
