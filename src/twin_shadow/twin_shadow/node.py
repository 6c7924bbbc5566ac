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
The shadow node: the twin beside the robot, live. A thin shell over the pure modules.

Subscribes to the robot's ``cmd_vel`` (Twist, or TwistStamped with
``enable_stamped_cmd_vel``), ``odom``, ``joint_states``, ``imu`` and ``scan`` (relative
names: a namespace or remaps move them); publishes under ``twin_namespace`` (default
``shadow``) the twin's predicted ``odom`` and ``scan``, the divergence as numbers
(``divergence``, std_msgs/Float64MultiArray, labels in its layout), each event
(``events``, std_msgs/String), and the levels in ``/diagnostics``.
"""

import sys

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from geometry_msgs.msg import Twist, TwistStamped
from nav_msgs.msg import Odometry
import rclpy
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Imu, JointState, LaserScan
from std_msgs.msg import Float64MultiArray, MultiArrayDimension, String
from twin_bridge.conversions import set_yaw
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_shadow.detector import Divergence, LEVEL_NAMES
from twin_shadow.feed import NS_PER_S, RobotFeed
from twin_shadow.model import shadow_model, shadow_settings
from twin_shadow.shadow import ShadowTwin

DIVERGENCE_LABELS = list(Divergence.__dataclass_fields__) + ['level']
DIAGNOSTICS_PERIOD_NS = NS_PER_S   # robot time between two /diagnostics messages
LEVELS = (DiagnosticStatus.OK, DiagnosticStatus.WARN, DiagnosticStatus.ERROR)
# Sensor data as the robot sends it (best effort), with room for a second of joint_states:
# the CUSUM counts samples, so each one dropped while the node catches up delays an event.
ROBOT_SENSORS = QoSProfile(depth=50, reliability=ReliabilityPolicy.BEST_EFFORT)


class ShadowNode(Node):
    """Feed the robot's topics to a shadow twin; publish its prediction and divergence."""

    def __init__(self):
        """Read the parameters, build the shadow twin, subscribe and advertise."""
        super().__init__('twin_shadow')
        profile = self.declare_parameter('profile', '').value or None
        robot = self.declare_parameter('robot_description_file', '').value
        world = self.declare_parameter('world_file', '').value
        twin_ns = self.declare_parameter('twin_namespace', 'shadow').value.strip('/')
        stamped = self.declare_parameter('enable_stamped_cmd_vel', True).value  # Jazzy TB3
        horizon = self.declare_parameter('horizon', 5.0).value
        config, build_world = shadow_model(profile, robot or None, world or None)
        settings = shadow_settings(profile, config.drive.limits, horizon=horizon)
        self.shadow = ShadowTwin(config, settings, build_world)
        if build_world is None:
            self.get_logger().info('no world_file: the scans are not compared (give the '
                                   "robot's surroundings as a world file to compare them)")
        self.feed = RobotFeed(self.shadow)
        self.diagnostics_ns = None
        # Every command: one dropped while the node catches up would end the twin's drive
        # at its command timeout, while the robot's goes on.
        self.create_subscription(TwistStamped if stamped else Twist, 'cmd_vel',
                                 lambda m: self._offer('cmd_vel', m), 10)
        self.create_subscription(Odometry, 'odom', self._on_odometry, 10)
        for topic, kind in (('joint_states', JointState), ('imu', Imu), ('scan', LaserScan)):
            self.create_subscription(kind, topic, lambda m, t=topic: self._offer(t, m),
                                     ROBOT_SENSORS)
        self.odom_out = self.create_publisher(Odometry, f'{twin_ns}/odom', 10)
        self.scan_out = self.create_publisher(LaserScan, f'{twin_ns}/scan',
                                              qos_profile_sensor_data)
        self.divergence_out = self.create_publisher(Float64MultiArray, f'{twin_ns}/divergence',
                                                    10)
        self.events_out = self.create_publisher(String, f'{twin_ns}/events', 10)
        self.diagnostics_out = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.get_logger().info(f'shadowing {self.resolve_topic_name("odom")}, horizon '
                               f'{self.shadow.settings.horizon:g} s, publishing under '
                               f'{self.resolve_topic_name(twin_ns)}')

    def _offer(self, topic: str, msg) -> None:
        for event in self.feed.offer(topic, msg):
            self.get_logger().warning(str(event))
            self.events_out.publish(String(data=str(event)))
        if topic == 'scan' and self.shadow.twin_scan is not None:
            twin_scan = LaserScan(header=msg.header, angle_min=msg.angle_min,
                                  angle_max=msg.angle_max, angle_increment=msg.angle_increment,
                                  range_min=msg.range_min, range_max=msg.range_max)
            twin_scan.ranges = self.shadow.twin_scan.ranges.astype(float).tolist()
            self.scan_out.publish(twin_scan)

    def _on_odometry(self, msg: Odometry) -> None:
        self._offer('odom', msg)
        truth = self.shadow.twin.ground_truth(from_start=True)
        predicted = Odometry(header=msg.header, child_frame_id=msg.child_frame_id)
        position = predicted.pose.pose.position
        position.x, position.y = float(truth.position[0]), float(truth.position[1])
        set_yaw(predicted.pose.pose.orientation, truth.yaw)
        if self.shadow.twin_odometry is not None:
            predicted.twist.twist.linear.x = self.shadow.twin_odometry.linear
            predicted.twist.twist.angular.z = self.shadow.twin_odometry.angular
        self.odom_out.publish(predicted)
        self._publish_divergence(msg.header)

    def _publish_divergence(self, header) -> None:
        detector = self.shadow.detector
        values = [float(getattr(detector.divergence, name)) for name in DIVERGENCE_LABELS[:-1]]
        numbers = Float64MultiArray(data=values + [float(detector.level())])
        numbers.layout.dim = [MultiArrayDimension(label=label, size=1, stride=1)
                              for label in DIVERGENCE_LABELS]
        self.divergence_out.publish(numbers)
        now = self.feed.latest_ns
        if self.diagnostics_ns is not None and now - self.diagnostics_ns < DIAGNOSTICS_PERIOD_NS:
            return
        self.diagnostics_ns = now
        levels = detector.divergence.levels(detector.thresholds)
        level = max(levels.values(), default=0)
        status = DiagnosticStatus(
            level=LEVELS[level], name=f'{self.get_name()}: divergence', hardware_id='twin',
            message=LEVEL_NAMES[level] if level == 0 else 'over threshold: ' + ', '.join(
                name for name, value in levels.items() if value == level),
            values=[KeyValue(key=name, value=f'{value:.4g}')
                    for name, value in zip(DIVERGENCE_LABELS, values)])
        self.diagnostics_out.publish(DiagnosticArray(header=header, status=[status]))


def main(args: list[str] | None = None) -> int:
    """Run the node until SIGINT or SIGTERM; a bad profile or setting exits 1 with a message."""
    init_without_signal_handlers(args)
    try:
        node = ShadowNode()
    except ValueError as error:
        print(f'twin_shadow: {error}', file=sys.stderr)
        rclpy.try_shutdown()
        return 1
    try:
        spin_until_signalled(node)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
