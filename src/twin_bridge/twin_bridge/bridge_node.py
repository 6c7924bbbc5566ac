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

import functools
import math
import os
import re
import sys
import time

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from geometry_msgs.msg import PoseWithCovarianceStamped, TransformStamped, Twist, TwistStamped
from nav_msgs.msg import Odometry
import numpy as np
import pybullet
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor)
import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.clock import Clock as RclpyClock, ClockType
from rclpy.exceptions import (InvalidParameterTypeException, InvalidParameterValueException,
                              ParameterUninitializedException)
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import (DurabilityPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, JointState, LaserScan
from std_msgs.msg import Bool, String
from std_srvs.srv import SetBool, Trigger
from tf2_msgs.msg import TFMessage
from twin_bridge import conversions
from twin_bridge.command import CommandGate, Twist as PlanarTwist, Verdict
from twin_bridge.graph_watch import GraphWatch
from twin_bridge.parameters import bridge_settings, check_value, PARAMETERS, twin_config
from twin_bridge.robot_state import RobotStatePublisher
from twin_bridge.security import security_problem
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_bridge.timing import CommandLatency, PacingJitter
from twin_sim import DescriptionError, load_world, Pose, Twin

NS_PER_S = 1_000_000_000
WARN_PERIOD_S = 5.0          # throttle of warnings that could fire every message
GRAPH_CHECK_PERIOD_S = 2.0   # how often the graph is checked for conflicting publishers
FAST_BATCH_S = 0.01          # most wall time one timer tick spends stepping

RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
# sim/step publishes a burst of /clock messages at once; keep them all for slow readers.
CLOCK_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
COMMAND_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
TF_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)


class StartupError(Exception):
    """A configuration problem that stops the node; the message says what to fix."""


def reported(method):
    """Catch and log an exception in a callback, so the node keeps running."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # a callback must never take the twin down
            self.counters_callback_errors += 1
            self.get_logger().error(f'{method.__name__} failed: {error!r}',
                                    throttle_duration_sec=WARN_PERIOD_S)
    return wrapper


def installed(package: str) -> bool:
    """Tell whether the ament index knows a ROS package."""
    try:
        get_package_share_directory(package)
        return True
    except PackageNotFoundError:
        return False


class BridgeNode(Node):
    """The twin's drivers: sensors and odometry out, validated commands in, time owned."""

    def __init__(self, **kwargs):
        """Read the parameters, build the twin, and start publishing; no blocking calls."""
        super().__init__('twin_bridge', **kwargs)
        self.counters_callback_errors = 0
        values = self._declare_parameters()
        self.settings = settings = bridge_settings(values)
        spawn = Pose(x=values['spawn.x'], y=values['spawn.y'], yaw=values['spawn.yaw'])
        build_world = None
        try:
            if settings.world_file:
                world = load_world(settings.world_file)
                build_world = world.build
                if values['use_world_spawn'] and world.spawn and spawn == Pose():
                    spawn = world.spawn
            self.twin = Twin(twin_config(values, spawn), build_world)
        except (DescriptionError, ValueError) as error:
            raise StartupError(str(error)) from None
        self.gate = CommandGate(self.twin.config.drive.limits, settings.cmd_vel_timeout,
                                settings.over_limit_policy, settings.cmd_vel_max_age,
                                settings.cmd_vel_future_tolerance,
                                settings.e_stop_heartbeat_timeout)
        self.latency, self.jitter = CommandLatency(), PacingJitter()
        self.sim_ns = 0
        self.paused = values['start_paused']
        self.diverged = False
        self.step_ns = self.twin.step_ns
        self._make_publishers()
        self._make_subscriptions()
        self._make_services()
        self._start_clock()
        self.graph_watch = GraphWatch(self, 'geometry_msgs/msg/' + self.command_type.__name__,
                                      settings.enable_stamped_cmd_vel)
        self.get_logger().info(
            f'twin up: {self.twin.description.source}, world '
            f'{settings.world_file or "(ground only)"}, physics step {self.step_ns / 1e6:.3f} ms, '
            f'real_time_factor {settings.real_time_factor or "max"}, cmd_vel as '
            f'{"TwistStamped" if settings.enable_stamped_cmd_vel else "Twist"}')

    # -- parameters ---------------------------------------------------------------------

    def _declare_parameters(self) -> dict:
        """Declare every parameter of the table; reject unknown keys and bad values."""
        # rclpy keeps the parameters given on the command line or in YAML here; a name the
        # node never declares would otherwise be ignored without a word.
        overrides = self._parameter_overrides
        declared = {p.name for p in PARAMETERS} | {'use_sim_time', 'step_count'}
        unknown = sorted(set(overrides) - declared)
        if unknown:
            raise StartupError(f'unknown parameter(s) {", ".join(unknown)}; see the twin_bridge '
                               'README for the parameters it takes')
        values = {}
        for param in PARAMETERS:
            default = param.default
            given = overrides.get(param.name)
            if given is not None:
                overrides[param.name] = _checked_override(param, given)
            try:
                value = self.declare_parameter(param.name, default, _descriptor(param)).value
            except (InvalidParameterValueException, InvalidParameterTypeException,
                    ParameterUninitializedException) as error:
                raise StartupError(f'parameter {param.name}: {_first_line(error)}') from None
            values[param.name] = value
        # ``step_count`` may change at run time: how many steps one sim/step call advances.
        self.declare_parameter('step_count', 1, ParameterDescriptor(
            description='physics steps advanced by one sim/step call while paused',
            integer_range=[IntegerRange(from_value=1, to_value=1_000_000, step=1)]))
        return values

    # -- set-up -------------------------------------------------------------------------

    def _make_publishers(self) -> None:
        self.clock_pub = self.create_publisher(Clock, '/clock', CLOCK_QOS)
        self.scan_pub = self.create_publisher(LaserScan, 'scan', qos_profile_sensor_data)
        self.imu_pub = self.create_publisher(Imu, 'imu', qos_profile_sensor_data)
        self.odom_pub = self.create_publisher(Odometry, 'odom', RELIABLE)
        self.truth_pub = self.create_publisher(Odometry, 'ground_truth/odom', RELIABLE)
        self.tf_pub = self.create_publisher(TFMessage, 'tf', TF_QOS)
        self.joints_pub = self.create_publisher(JointState, 'joint_states', RELIABLE)
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', RELIABLE)
        settings = self.settings
        # Frame ids with the prefix, worked out once rather than for every message.
        self.frames = {name: settings.frame(frame) for name, frame in (
            ('odom', settings.odom_frame), ('base', settings.base_frame),
            ('imu', settings.imu_frame), ('ground_truth', settings.ground_truth_frame))}
        self.scan_converter = conversions.ScanConverter(
            self.twin.config.lidar, settings.frame(settings.scan_frame))
        # One message per stream, refilled and republished (see conversions).
        self.outbox = {'clock': Clock(), 'imu': Imu(), 'odom': Odometry(),
                       'odom_tf': TransformStamped(), 'truth': Odometry(),
                       'joints': JointState(), 'tf': TFMessage()}
        self.wheel_joints = [self.twin.config.drive.left_wheel_joint,
                             self.twin.config.drive.right_wheel_joint]
        self.robot_state = None
        if settings.publish_robot_state == 'true' or (settings.publish_robot_state == 'auto' and
                                                      not installed('robot_state_publisher')):
            self.robot_state = RobotStatePublisher(self.twin.description.xml,
                                                   settings.frame_prefix)
            self.create_publisher(String, 'robot_description', LATCHED).publish(
                String(data=self.twin.description.xml))
            self.create_publisher(TFMessage, 'tf_static', LATCHED).publish(
                TFMessage(transforms=self.robot_state.static_transforms(0)))

    def _make_subscriptions(self) -> None:
        settings = self.settings
        if settings.enable_stamped_cmd_vel:
            self.command_type = TwistStamped
            self.create_subscription(TwistStamped, 'cmd_vel', self.on_twist_stamped, COMMAND_QOS)
        else:
            self.command_type = Twist
            self.create_subscription(Twist, 'cmd_vel', self.on_twist, COMMAND_QOS)
        if settings.e_stop_topic:
            self.create_subscription(Bool, settings.e_stop_topic, self.on_e_stop, RELIABLE)
        self.create_subscription(PoseWithCovarianceStamped, 'sim/teleport', self.on_teleport,
                                 RELIABLE)

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
        self.anchor = (time.monotonic(), self.sim_ns)
        self.stats = {'overruns': 0, 'steps': 0, 'achieved_factor': 0.0}
        self.last_diagnostics = (time.monotonic(), self.sim_ns)
        # Wall-clock timers: the node must never wait for the /clock it publishes itself.
        self.create_timer(period, self.on_timer, clock=steady)
        self.create_timer(self.settings.diagnostics_period, self.publish_diagnostics,
                          clock=steady)
        self.create_timer(GRAPH_CHECK_PERIOD_S, self.check_graph, clock=steady)
        self.clock_period_ns = round(self.settings.clock_period * NS_PER_S)
        self.next_clock_ns = 0
        self.publish_clock()

    # -- time ---------------------------------------------------------------------------

    @reported
    def on_timer(self) -> None:
        """Advance as many physics steps as the pacing asks for."""
        if self.paused or self.diverged:
            self.anchor = (time.monotonic(), self.sim_ns)
            return
        factor = self.settings.real_time_factor
        wall_start, sim_start = self.anchor
        now = time.monotonic()
        # Steps owed by the pacing (all of them, as fast as possible, with factor 0); at most
        # FAST_BATCH_S of wall time per tick, so commands and services are never starved.
        owed = (math.inf if factor == 0.0 else
                (sim_start + (now - wall_start) * factor * NS_PER_S - self.sim_ns) //
                self.step_ns)
        deadline = now + FAST_BATCH_S
        while owed > 0 and time.monotonic() < deadline and not (self.paused or self.diverged):
            self.advance()
            owed -= 1
        if factor > 0.0 and owed > 0:
            # Physics is slower than asked: count it, and drop the debt rather than race.
            self.stats['overruns'] += 1
            self.anchor = (time.monotonic(), self.sim_ns)

    def advance(self) -> None:
        """One physics step: apply the command in force, step, publish what came due."""
        self.twin.set_command(*self.gate.in_force(self.sim_ns))
        self.latency.applying(time.monotonic(), self.sim_ns)
        readings = self.twin.step()
        self.sim_ns += self.step_ns
        self.stats['steps'] += 1
        truth = None if readings.odometry is None else self.twin.ground_truth(
            from_start=self.settings.ground_truth_frame == self.settings.odom_frame)
        if not self._finite(readings, truth):
            self.diverged = True
            self.get_logger().error(
                'physics diverged (a non-finite pose or reading): simulation paused, nothing '
                'published; call sim/reset to continue')
            return
        if self.clock_period_ns == 0 or self.sim_ns >= self.next_clock_ns:
            self.publish_clock()
            if not self.paused:   # paced steps only; sim/step bursts are not pacing
                self.jitter.mark(time.monotonic())
        now = self.sim_ns
        if readings.scan is not None:
            self.scan_pub.publish(self.scan_converter.convert(readings.scan))
        if readings.imu is not None:
            self.imu_pub.publish(conversions.imu(readings.imu, self._frame('imu'), now,
                                                 self.outbox['imu']))
        if readings.odometry is not None:
            self.publish_odometry(readings.odometry, truth, now)

    def _finite(self, readings, truth) -> bool:
        checks = [math.isfinite(self.twin.robot.applied[0] + self.twin.robot.applied[1])]
        if readings.scan is not None:
            checks.append(not np.isnan(readings.scan.ranges).any())
        if readings.imu is not None:
            checks.append(np.isfinite(readings.imu.linear_acceleration).all() and
                          np.isfinite(readings.imu.angular_velocity).all())
        if readings.odometry is not None:
            estimate = readings.odometry
            checks.append(math.isfinite(estimate.x + estimate.y + estimate.yaw) and
                          np.isfinite(truth.position).all() and
                          np.isfinite(truth.orientation).all())
        return all(checks)

    def publish_clock(self) -> None:
        """Publish the simulated time."""
        self.clock_pub.publish(conversions.clock(self.sim_ns, self.outbox['clock']))
        self.next_clock_ns = self.sim_ns + self.clock_period_ns

    def publish_odometry(self, estimate, truth, now: int) -> None:
        """Publish odom, the odom -> base transform, joint states and ground truth."""
        odom, base, box = self._frame('odom'), self._frame('base'), self.outbox
        self.odom_pub.publish(conversions.odometry(estimate, odom, base, now, box['odom']))
        transforms = [conversions.odom_transform(estimate, odom, base, now, box['odom_tf'])]
        # Joint states carry the joints' own angles (URDF sign), not "forward" angles.
        positions, velocities = self.twin.robot.wheel_joint_states()
        self.joints_pub.publish(conversions.joint_state(self.wheel_joints, positions,
                                                        velocities, now, box['joints']))
        if self.robot_state is not None:
            transforms += self.robot_state.moving_transforms(
                dict(zip(self.wheel_joints, positions)), now)
        box['tf'].transforms = transforms
        self.tf_pub.publish(box['tf'])
        self.truth_pub.publish(conversions.ground_truth(
            truth, self._frame('ground_truth'), base, now, box['truth']))

    def _frame(self, which: str) -> str:
        return self.frames[which]

    # -- commands -----------------------------------------------------------------------

    @reported
    def on_twist(self, msg: Twist) -> None:
        """Offer a Twist command to the gate."""
        self._offer(_planar(msg), None)

    @reported
    def on_twist_stamped(self, msg: TwistStamped) -> None:
        """Offer a TwistStamped command to the gate (its stamp can only reject it)."""
        stamp_ns = msg.header.stamp.sec * NS_PER_S + msg.header.stamp.nanosec
        self._offer(_planar(msg.twist), stamp_ns)

    def _offer(self, twist: PlanarTwist, stamp_ns: int | None) -> None:
        before = self.gate.counters['zero_stamp']
        verdict: Verdict = self.gate.offer(twist, self.sim_ns, stamp_ns)
        if not verdict.accepted:
            self.get_logger().warn(f'cmd_vel rejected: {verdict.reason}',
                                   throttle_duration_sec=WARN_PERIOD_S)
            return
        self.latency.received(time.monotonic(), self.sim_ns)
        if self.gate.counters['zero_stamp'] > before:
            self.get_logger().warn('cmd_vel TwistStamped with a zero stamp: taken as received '
                                   'now', once=True)

    @reported
    def on_e_stop(self, msg: Bool) -> None:
        """Latch the e-stop on true; false alone never releases it. Either is a heartbeat."""
        self.gate.heartbeat(self.sim_ns)
        if msg.data and not self.gate.e_stopped:
            self.gate.engage_e_stop()
            self.get_logger().warn('e-stop engaged: the robot stops and stays stopped until '
                                   'sim/reset_e_stop is called')

    @reported
    def on_teleport(self, msg: PoseWithCovarianceStamped) -> None:
        """Move the robot, at rest, to a pose in the odom frame (as rviz2 sends) or the world."""
        pose = msg.pose.pose
        yaw = 2.0 * math.atan2(pose.orientation.z, pose.orientation.w)
        values = (pose.position.x, pose.position.y, yaw)
        if not all(math.isfinite(v) for v in values):
            self.get_logger().warn(f'sim/teleport ignored: non-finite pose {values}')
            return
        in_odom = msg.header.frame_id in (self.settings.odom_frame, self._frame('odom'))
        self.twin.teleport(Pose(x=values[0], y=values[1], yaw=yaw), from_start=in_odom)
        self.gate.clear()

    # -- services -----------------------------------------------------------------------

    @reported
    def on_pause(self, request: SetBool.Request, response: SetBool.Response):
        """Pause (true) or resume (false) the simulation."""
        self.paused = request.data
        self.anchor = (time.monotonic(), self.sim_ns)
        self.jitter.clear()
        response.success = True
        response.message = f'{"paused" if self.paused else "running"} {self._at_sim_time()}'
        return response

    def _at_sim_time(self) -> str:
        # The exact time lets a caller line up with /clock, which arrives on its own.
        return f'at sim time {self.sim_ns // NS_PER_S}.{self.sim_ns % NS_PER_S:09d} s'

    @reported
    def on_step(self, request: Trigger.Request, response: Trigger.Response):
        """While paused, advance ``step_count`` physics steps; respond when they are done."""
        if not self.paused or self.diverged:
            response.success = False
            response.message = ('physics diverged: call sim/reset' if self.diverged else
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
        """Restore the initial state: robot pose, odometry, commands; time keeps running."""
        self.twin.reset()
        self.gate.clear()
        self.diverged = False
        response.success = True
        response.message = f'reset to the initial state {self._at_sim_time()}; /clock continues'
        return response

    @reported
    def on_reset_e_stop(self, request: Trigger.Request, response: Trigger.Response):
        """Release a latched e-stop."""
        was = self.gate.e_stopped
        self.gate.release_e_stop()
        response.success = True
        response.message = 'e-stop released' if was else 'e-stop was not engaged'
        return response

    # -- watching -----------------------------------------------------------------------

    @reported
    def publish_diagnostics(self) -> None:
        """Publish achieved real-time factor, overruns, watchdog, e-stop and counters."""
        if self.paused or self.diverged:
            self.publish_clock()   # time stands still, but nodes joining now must learn it
        now_wall = time.monotonic()
        wall, sim = self.last_diagnostics
        if now_wall > wall:
            self.stats['achieved_factor'] = (self.sim_ns - sim) / NS_PER_S / (now_wall - wall)
        self.last_diagnostics = (now_wall, self.sim_ns)
        status = DiagnosticStatus(name=f'{self.get_name()}: simulation',
                                  hardware_id='twin')
        if self.diverged:
            status.level, status.message = DiagnosticStatus.ERROR, 'physics diverged; paused'
        elif self.gate.e_stopped:
            status.level, status.message = DiagnosticStatus.WARN, 'e-stop engaged'
        else:
            status.level = DiagnosticStatus.OK
            status.message = 'paused' if self.paused else 'running'
        values = {
            'sim_time_s': f'{self.sim_ns / NS_PER_S:.3f}',
            'real_time_factor_target': f'{self.settings.real_time_factor:g}',
            'real_time_factor_achieved': f'{self.stats["achieved_factor"]:.3f}',
            'steps': str(self.stats['steps']),
            'step_overruns': str(self.stats['overruns']),
            'paused': str(self.paused).lower(),
            'watchdog': 'expired' if self.gate.watchdog_expired(self.sim_ns) else 'ok',
            'e_stop': str(self.gate.e_stopped).lower(),
            'e_stop_heartbeat': 'silent' if self.gate.heartbeat_silent(self.sim_ns) else 'ok',
            'callback_errors': str(self.counters_callback_errors),
            'physics_bodies': str(self.twin.world.call(pybullet.getNumBodies)),
        }
        values.update(self._timing_values())
        values.update({f'cmd_vel_{k}': str(v) for k, v in sorted(self.gate.counters.items())})
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = conversions.stamp(self.sim_ns)
        self.diagnostics_pub.publish(array)

    def _timing_values(self) -> dict:
        """Pacing jitter of /clock and the command latency, for diagnostics."""
        factor = self.settings.real_time_factor
        steps_per_clock = max(1, math.ceil(self.clock_period_ns / self.step_ns))
        jitter = None
        if factor > 0 and not self.paused:
            jitter = self.jitter.take(steps_per_clock * self.step_ns / NS_PER_S / factor)
        values = {'clock_jitter_p50_ms': 'n/a', 'clock_jitter_p99_ms': 'n/a',
                  'cmd_vel_latency_ms': 'n/a',
                  'cmd_vel_latency_max_ms': f'{self.latency.max_wall_ms:.3f}'}
        if jitter is not None:
            values['clock_jitter_p50_ms'], values['clock_jitter_p99_ms'] = (
                f'{ms:.3f}' for ms in jitter)
        last = self.latency.last
        if last is not None:
            # Steady-clock times let a publisher on this machine measure from its publish.
            values.update({
                'cmd_vel_latency_ms': f'{last.wall_ms:.3f}',
                'cmd_vel_last_received_steady_s': f'{last.received_wall_s:.6f}',
                'cmd_vel_last_applied_steady_s': f'{last.applied_wall_s:.6f}',
                'cmd_vel_last_applied_sim_s': f'{last.applied_sim_ns / NS_PER_S:.9f}'})
        return values

    @reported
    def check_graph(self) -> None:
        """Warn about other publishers where the twin should be the only one."""
        self.graph_watch.check()

    def shut_down(self) -> None:
        """Report the run and release the physics."""
        self.get_logger().info(f'stopping at sim time {self.sim_ns / NS_PER_S:.2f} s after '
                               f'{self.stats["steps"]} steps')
        self.twin.close()


def _checked_override(param, given: Parameter) -> Parameter:
    """Return a given value in the parameter's type; raise StartupError if it is not allowed."""
    value = given.value
    if isinstance(param.default, float) and given.type_ == Parameter.Type.INTEGER:
        value = float(value)  # YAML's `real_time_factor: 1` means 1.0; rclpy would refuse it
    if type(value) is not type(param.default):
        raise StartupError(f'parameter {param.name} = {value!r}: expected a '
                           f'{type(param.default).__name__}, like {param.default!r}')
    problem = check_value(param, value)
    if problem:
        raise StartupError(f'parameter {param.name} = {value!r}: {problem}')
    return Parameter(param.name, value=value)


def _descriptor(param) -> ParameterDescriptor:
    extra = f' [{param.unit}]' if param.unit else ''
    descriptor = ParameterDescriptor(description=param.description + extra,
                                     read_only=param.read_only)
    if param.choices:
        descriptor.additional_constraints = 'one of: ' + ', '.join(param.choices)
    elif isinstance(param.default, float) and param.low is not None:
        descriptor.floating_point_range = [FloatingPointRange(
            from_value=float(param.low), to_value=float(param.high), step=0.0)]
    elif isinstance(param.default, int) and not isinstance(param.default, bool) and \
            param.low is not None:
        descriptor.integer_range = [IntegerRange(
            from_value=int(param.low), to_value=int(param.high), step=1)]
    return descriptor


def _rcl_reason(error: Exception) -> str:
    """Return rcl's message without its source locations (', at /project/src/...')."""
    return re.sub(r',? at /\S+:\d+', '', str(error)).strip()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _planar(msg: Twist) -> PlanarTwist:
    return PlanarTwist(msg.linear.x, msg.linear.y, msg.linear.z,
                       msg.angular.x, msg.angular.y, msg.angular.z)


def main(args=None) -> int:
    """Run the bridge until Ctrl-C or shutdown; exit 1 with one clear line on bad setup."""
    logger = rclpy.logging.get_logger('twin_bridge')
    problem = security_problem(os.environ)
    if problem:
        logger.fatal(f'cannot start: {problem}')
        return 1
    # Signals end the spin between callbacks with the context still valid: no step batch is
    # cut off half-published, and shutting down can still log.
    try:
        init_without_signal_handlers(args)
    except RCLError as error:   # e.g. an unreadable --params-file, or security credentials
        hint = ('; with ROS_SECURITY_ENABLE=true, rcl needs ROS_SECURITY_KEYSTORE holding an '
                'enclave for this node (see SROS2 in src/twin_bridge/README.md)'
                if os.environ.get('ROS_SECURITY_ENABLE') == 'true' else '')
        logger.fatal(f'cannot start: {_rcl_reason(error)}{hint}')
        return 1
    try:
        node = BridgeNode()
    except StartupError as error:
        logger.fatal(f'cannot start: {error}')
        rclpy.try_shutdown()
        return 1
    try:
        spin_until_signalled(node)
    except ExternalShutdownException:
        pass
    finally:
        node.shut_down()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
