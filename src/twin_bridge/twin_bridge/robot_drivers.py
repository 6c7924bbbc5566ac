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
One robot's drivers in the bridge: its sensor topics out, its ``cmd_vel`` in.

A bridge holds one of these per robot of the twin. With one robot (the default) the topics
are relative to the node's namespace; with several, each robot's go under its own name
(``tb0/scan``, ``tb0/cmd_vel``, ...) and its frames get the prefix ``tb0/``.
"""

import functools
import math
import time

from geometry_msgs.msg import PoseWithCovarianceStamped, Twist, TwistStamped
from nav_msgs.msg import Odometry
import numpy as np
from rclpy.duration import Duration
from rclpy.qos import DurabilityPolicy, qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Imu, JointState, LaserScan
from std_msgs.msg import Bool, String
from tf2_msgs.msg import TFMessage
from twin_bridge import conversions, fault_injection
from twin_bridge.command import BodyTwist, CommandGate
from twin_bridge.command_types import command_type
from twin_bridge.parameters import BridgeSettings
from twin_bridge.robot_state import RobotStatePublisher
from twin_bridge.timing import CommandLatency
from twin_sim import Pose, Readings, RobotTwin

NS_PER_S = 1_000_000_000
WARN_PERIOD_S = 5.0          # throttle of warnings that could fire every message

RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
COMMAND_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
TF_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
# The robot's topics a dropped_messages fault can name, and their publishers' attributes.
DROPPABLE = {'scan': 'scan_pub', 'imu': 'imu_pub', 'odom': 'odom_pub', 'tf': 'tf_pub',
             'joint_states': 'joints_pub', 'ground_truth/odom': 'truth_pub'}


def reported(method):
    """Catch and log an exception in a callback, so the node keeps running."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # a callback must never take the twin down
            node = getattr(self, 'node', self)   # the bridge node, or a part's
            node.counters_callback_errors += 1
            node.get_logger().error(f'{method.__name__} failed: {error!r}',
                                    throttle_duration_sec=WARN_PERIOD_S)
    return wrapper


class RobotDrivers:
    """A robot's publishers, subscriptions and command gate; the node owns time."""

    def __init__(self, node, name: str, index: int, settings: BridgeSettings,
                 robot_state_urdf: str | None):
        """
        Create the robot's topics on ``node``.

        :param name: the robot's namespace under the node's, or '' for the node's own
        :param index: the robot's index in ``node.twin.robots``
        :param robot_state_urdf: a URDF to publish as robot_state_publisher would
            (robot_description, tf_static and the wheel transforms), or None
        """
        self.node, self.name, self.index, self.settings = node, name, index, settings
        robot = self.robot
        self.namespace = f'{name}/' if name else ''
        self.frame_prefix = settings.frame_prefix + self.namespace
        config = robot.config
        self.gate = CommandGate(config.drive.limits, settings.cmd_vel_timeout,
                                settings.over_limit_policy, settings.cmd_vel_max_age,
                                settings.cmd_vel_future_tolerance,
                                settings.e_stop_heartbeat_timeout)
        self.latency = CommandLatency()
        # Frame ids with the prefix, worked out once rather than for every message.
        self.frames = {which: self.frame_prefix + frame for which, frame in (
            ('odom', settings.odom_frame), ('base', config.base_link),
            ('imu', config.imu.link), ('ground_truth', settings.ground_truth_frame))}
        self.wheel_joints = [config.drive.left_wheel_joint, config.drive.right_wheel_joint]
        # Ground truth in the odom frame is relative to the start, as odometry is.
        self.truth_from_start = settings.ground_truth_frame == settings.odom_frame
        self._make_publishers(robot_state_urdf)
        self._make_subscriptions()
        # Injected faults: the ones carried out last, the command delay, and lost messages.
        self.faults_followed = None
        self.delay_line = None
        self.real_publishers = {topic: getattr(self, attribute)
                                for topic, attribute in DROPPABLE.items()}
        self.drop_rng = np.random.default_rng([config.seed, index])
        self.readers = {}   # per DROPPABLE topic: read by anyone (see subscribed)

    @property
    def robot(self) -> RobotTwin:
        """Return this robot in the node's twin (a rebuilt world has new ones)."""
        return self.node.twin.robots[self.index]

    def topic(self, name: str) -> str:
        """Return a topic name of this robot: under its namespace, unless ``name`` is absolute."""
        return name if name.startswith('/') else self.namespace + name

    def _make_publishers(self, robot_state_urdf: str | None) -> None:
        node, topic = self.node, self.topic
        self.scan_pub = node.create_publisher(LaserScan, topic('scan'), qos_profile_sensor_data)
        self.imu_pub = node.create_publisher(Imu, topic('imu'), qos_profile_sensor_data)
        self.odom_pub = node.create_publisher(Odometry, topic('odom'), RELIABLE)
        self.truth_pub = node.create_publisher(Odometry, topic('ground_truth/odom'), RELIABLE)
        self.tf_pub = node.create_publisher(TFMessage, topic('tf'), TF_QOS)
        self.joints_pub = node.create_publisher(JointState, topic('joint_states'), RELIABLE)
        self.scan_converter = conversions.ScanConverter(
            self.robot.config.lidar, self.frame_prefix + self.robot.config.lidar.link)
        self.robot_state = None
        if robot_state_urdf is not None:
            self.robot_state = RobotStatePublisher(robot_state_urdf, self.frame_prefix)
            node.create_publisher(String, topic('robot_description'), LATCHED).publish(
                String(data=robot_state_urdf))
            node.create_publisher(TFMessage, topic('tf_static'), LATCHED).publish(
                TFMessage(transforms=self.robot_state.static_transforms(0)))
        # Every stream but the scan kept serialized, rewritten in place (see conversions).
        tf_frames = [(self.frames['odom'], self.frames['base'])]
        if self.robot_state is not None:
            tf_frames += self.robot_state.moving_frames()
        self.serialized = {
            'imu': conversions.SerializedImu(self.frames['imu']),
            'odom': conversions.SerializedOdometry(self.frames['odom'], self.frames['base']),
            'truth': conversions.SerializedOdometry(self.frames['ground_truth'],
                                                    self.frames['base']),
            'tf': conversions.SerializedTransforms(tf_frames),
            'joints': conversions.SerializedJointState(self.wheel_joints)}

    def _make_subscriptions(self) -> None:
        node, topic, settings = self.node, self.topic, self.settings
        stamped = settings.enable_stamped_cmd_vel
        self.command_type = command_type(stamped)
        self.command_topic = node.create_subscription(
            self.command_type, topic('cmd_vel'), self.on_twist_stamped if stamped else
            self.on_twist, COMMAND_QOS).topic_name
        if settings.e_stop_topic:
            node.create_subscription(Bool, topic(settings.e_stop_topic), self.on_e_stop,
                                     RELIABLE)
        node.create_subscription(PoseWithCovarianceStamped, topic('sim/teleport'),
                                 self.on_teleport, RELIABLE)

    # -- each step ----------------------------------------------------------------------

    def command(self, sim_ns: int) -> None:
        """Send the command in force to the motors, for the step starting at ``sim_ns``."""
        command = self.gate.advance_to(sim_ns)
        if self.delay_line is not None:   # a latency spike is injected
            command = self.delay_line.delayed(sim_ns, command)
        self.robot.set_command(*command)
        if self.latency.waiting:   # read the clock only for a new command
            self.latency.applying(time.monotonic(), sim_ns)

    def late_command_ns(self, wall_s: float) -> int | None:
        """
        Return the time past which a step would time out a controller not late by wall time.

        That is the end of the moving command in force, while the controller has had less
        than ``cmd_vel_timeout`` of wall time since it (None otherwise). Far faster than
        real time, cmd_vel_timeout of simulated time is a few milliseconds of wall time: a
        controller that the machine delays that long is not a dead one.
        """
        until_ns = self.gate.moving_until_ns()
        late_by_wall_s = self.controller_late_s()
        if until_ns is None or late_by_wall_s is None or wall_s >= late_by_wall_s:
            return None
        return until_ns

    def controller_late_s(self) -> float | None:
        """Return the wall time at which the controller is late by wall time too, if it spoke."""
        received_s = self.latency.received_wall_s
        return None if received_s is None else received_s + self.gate.timeout_ns / NS_PER_S

    def follow_faults(self) -> bool:
        """
        Carry out the robot's active bridge faults if they changed; tell whether they did.

        A dropped topic's publisher is swapped for a dropping one while the fault lasts, so
        a twin without faults does no work for them.
        """
        if self.robot.active_faults is self.faults_followed:
            return False
        self.faults_followed = self.robot.active_faults
        faults = self.robot.bridge_faults
        delay = fault_injection.latency(faults)
        if not delay:
            self.delay_line = None
        elif self.delay_line is None or self.delay_line.delay_ns != round(delay * NS_PER_S):
            self.delay_line = fault_injection.DelayLine(delay)
        drops = fault_injection.dropped_topics(faults)
        for topic, attribute in DROPPABLE.items():
            real = self.real_publishers[topic]
            setattr(self, attribute, real if topic not in drops else
                    fault_injection.DroppingPublisher(real, drops[topic], self.drop_rng))
        return True

    def subscribed(self, topic: str) -> bool:
        """
        Tell whether anyone subscribes to one of this robot's topics (a DROPPABLE key).

        A stream nobody reads is neither built nor published: asking costs less than
        filling a message, and far less than ground truth's own reading. DDS is asked when
        the stream first comes due after :meth:`forget_readers`, not for every message.
        """
        read = self.readers.get(topic)
        if read is None:
            read = self.readers[topic] = bool(
                self.real_publishers[topic].get_subscription_count())
        return read

    def forget_readers(self) -> None:
        """Ask DDS again who reads each stream, when it next comes due."""
        self.readers.clear()

    def wait_until_delivered(self, timeout_s: float) -> bool:
        """
        Wait until every reliable subscriber acknowledged this robot's streams (lock-step).

        Acknowledged data are in the subscriber's queue: a controller then takes them
        before the /clock published next, whatever order DDS would deliver the two in.
        Best-effort subscribers (sensor-data QoS) acknowledge nothing and are not waited for.
        """
        timeout = Duration(nanoseconds=round(timeout_s * NS_PER_S))
        return all(publisher.wait_for_all_acked(timeout)
                   for publisher in self.real_publishers.values()
                   if publisher.qos_profile.reliability == ReliabilityPolicy.RELIABLE)

    def ground_truth(self, readings: Readings):
        """Return the exact state when ground truth is published this step, else None."""
        if readings.odometry is None or not self.subscribed('ground_truth/odom'):
            return None
        return self.robot.ground_truth(from_start=self.truth_from_start)

    def finite(self, readings: Readings, truth) -> bool:
        """
        Tell whether everything about to be published is finite.

        One sum of the numbers: a NaN or an infinity in any of them makes it non-finite.
        A scan's ranges are checked for NaN only, as +-inf are REP-117 readings.
        """
        floats = conversions.floats   # a few numbers: numpy's sum costs 5x Python's
        total = sum(self.robot.applied_command())
        if readings.imu is not None:
            total += sum(floats(readings.imu.angular_velocity)) + sum(
                floats(readings.imu.linear_acceleration))
        if readings.odometry is not None:
            total += readings.odometry.x + readings.odometry.y + readings.odometry.yaw
        if truth is not None:
            total += sum(floats(truth.position)) + sum(floats(truth.orientation))
        if readings.scan is not None and np.isnan(readings.scan.ranges).any():
            return False
        return math.isfinite(total)

    def publish(self, readings: Readings, truth, now: int) -> None:
        """Publish what came due this step, stamped ``now`` (a scan: its first beam's time)."""
        if readings.scan is not None and self.subscribed('scan'):
            self.scan_pub.publish(self.scan_converter.convert(readings.scan))
        if readings.imu is not None and self.subscribed('imu'):
            self.imu_pub.publish(self.serialized['imu'].fill(readings.imu, now))
        if readings.odometry is not None:
            self.publish_odometry(readings.odometry, truth, now)

    def publish_odometry(self, estimate, truth, now: int) -> None:
        """Publish odom, the odom -> base transform, joint states and ground truth."""
        serialized = self.serialized
        if self.subscribed('odom'):
            self.odom_pub.publish(serialized['odom'].fill(estimate, now))
        joints_wanted = self.subscribed('joint_states')
        tf_wanted = self.subscribed('tf')
        if joints_wanted or (tf_wanted and self.robot_state is not None):
            # Joint states carry the joints' own angles (URDF sign), not "forward" angles.
            positions, velocities = self.robot.wheel_joint_states()
        if joints_wanted:
            self.joints_pub.publish(serialized['joints'].fill(positions, velocities, now))
        if tf_wanted:
            poses = [conversions.planar_pose(estimate)]
            if self.robot_state is not None:
                poses += self.robot_state.moving_poses(dict(zip(self.wheel_joints, positions)))
            self.tf_pub.publish(serialized['tf'].fill(poses, now))
        if truth is not None:
            self.truth_pub.publish(serialized['truth'].fill_truth(truth, now))

    # -- commands -----------------------------------------------------------------------

    @reported
    def on_twist(self, msg: Twist) -> None:
        """Offer a Twist command to the gate."""
        self._offer(_planar(msg), None)
        self.node.command_answered(self.index, None)

    @reported
    def on_twist_stamped(self, msg: TwistStamped) -> None:
        """Offer a TwistStamped command to the gate (its stamp can only reject it)."""
        stamp_ns = msg.header.stamp.sec * NS_PER_S + msg.header.stamp.nanosec
        self._offer(_planar(msg.twist), stamp_ns)
        self.node.command_answered(self.index, stamp_ns)

    def _offer(self, twist: BodyTwist, stamp_ns: int | None) -> None:
        logger, sim_ns = self.node.get_logger(), self.node.sim_ns
        before = self.gate.counters['zero_stamp']
        verdict = self.gate.offer(twist, sim_ns, stamp_ns)
        if not verdict.accepted:
            logger.warn(f'{self.topic("cmd_vel")} rejected: {verdict.reason}',
                        throttle_duration_sec=WARN_PERIOD_S)
            return
        self.latency.received(time.monotonic(), sim_ns)
        if self.gate.counters['zero_stamp'] > before:
            logger.warn(f'{self.topic("cmd_vel")} TwistStamped with a zero stamp: taken as '
                        'received now', once=True)

    @reported
    def on_e_stop(self, msg: Bool) -> None:
        """Latch the e-stop on true; false alone never releases it. Either is a heartbeat."""
        self.gate.heartbeat(self.node.sim_ns)
        if msg.data and not self.gate.e_stopped:
            self.gate.engage_e_stop()
            self.node.get_logger().warn(
                f'e-stop engaged{self._of_robot()}: the robot stops and stays stopped until '
                'sim/reset_e_stop is called')

    @reported
    def on_teleport(self, msg: PoseWithCovarianceStamped) -> None:
        """Move the robot, at rest, to a pose in the odom frame (as rviz2 sends) or the world."""
        pose = msg.pose.pose
        yaw = 2.0 * math.atan2(pose.orientation.z, pose.orientation.w)
        values = (pose.position.x, pose.position.y, yaw)
        if not all(math.isfinite(v) for v in values):
            self.node.get_logger().warn(f'{self.topic("sim/teleport")} ignored: non-finite '
                                        f'pose {values}')
            return
        in_odom = msg.header.frame_id in (self.settings.odom_frame, self.frames['odom'])
        refusal = self.teleport(Pose(x=values[0], y=values[1], yaw=yaw), from_start=in_odom)
        if refusal:
            self.node.get_logger().warn(f'{self.topic("sim/teleport")} refused: {refusal}')

    def teleport(self, pose: Pose, from_start: bool = False) -> str | None:
        """
        Move the robot at rest (:meth:`twin_sim.twin.Twin.try_teleport`); forget its commands.

        :return: why the robot was left where it was, or None when it was moved
        """
        refusal = self.node.twin.try_teleport(pose, from_start=from_start, robot=self.index)
        if not refusal:
            self.gate.clear()
        return refusal

    def _of_robot(self) -> str:
        return f' for {self.name}' if self.name else ''

    # -- watching -----------------------------------------------------------------------

    def diagnostic_values(self, sim_ns: int) -> dict:
        """Return the command path's state: watchdog, e-stop, latency and counters."""
        gate, latency = self.gate, self.latency
        values = {
            'watchdog': 'expired' if gate.watchdog_expired(sim_ns) else 'ok',
            'e_stop': str(gate.e_stopped).lower(),
            'e_stop_heartbeat': 'silent' if gate.heartbeat_silent(sim_ns) else 'ok',
            'cmd_vel_latency_ms': 'n/a',
            'cmd_vel_latency_max_ms': f'{latency.max_wall_ms:.3f}',
        }
        last = latency.last
        if last is not None:
            # Steady-clock times let a publisher on this machine measure from its publish.
            values.update({
                'cmd_vel_latency_ms': f'{last.wall_ms:.3f}',
                'cmd_vel_last_received_steady_s': f'{last.received_wall_s:.6f}',
                'cmd_vel_last_applied_steady_s': f'{last.applied_wall_s:.6f}',
                'cmd_vel_last_applied_sim_s': f'{last.applied_sim_ns / NS_PER_S:.9f}',
                'cmd_vel_last_applied_sim_ns': str(last.applied_sim_ns)})
        values.update({f'cmd_vel_{k}': str(v) for k, v in sorted(gate.counters.items())})
        values['faults_active'] = fault_injection.describe(self.robot.active_faults)
        return values


def _planar(msg: Twist) -> BodyTwist:
    return BodyTwist(msg.linear.x, msg.linear.y, msg.linear.z,
                     msg.angular.x, msg.angular.y, msg.angular.z)
