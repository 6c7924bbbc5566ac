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
The robot's messages into the shadow twin: the one conversion, for live and replay alike.

Messages are read by field name only, so a message decoded from a recording and one from
rclpy go the same way (the same events, live or replayed). No rclpy import.
"""

from twin_analysis.metrics import quaternion_yaw
from twin_shadow.detector import Event
from twin_shadow.shadow import ShadowTwin

NS_PER_S = 1_000_000_000
TOPICS = ('cmd_vel', 'odom', 'joint_states', 'imu', 'scan')


def stamp_ns(msg) -> int:
    """Return a message's header stamp in ns."""
    return msg.header.stamp.sec * NS_PER_S + msg.header.stamp.nanosec


class RobotFeed:
    """
    Hand each robot message to the shadow, in the robot's time.

    A command's time is its stamp (TwistStamped), else the robot's newest stamp (a plain
    Twist: live, or a recording in log-time order). A command stamped ahead of the sensor
    messages handed over so far waits for them: a live shadow that falls behind its queues
    still applies each command at the robot time it was sent.
    """

    def __init__(self, shadow: ShadowTwin):
        """Feed ``shadow``; nothing heard yet."""
        self.shadow = shadow
        self.latest_ns = None   # the robot's newest stamp: its time now
        self.waiting = []       # (stamp or None, linear, angular): commands ahead of it

    def offer(self, topic: str, msg) -> list[Event]:
        """
        Hand over one message of ``topic`` (one of TOPICS; others are ignored).

        :return: the events it started or ended (usually none)
        """
        known = len(self.shadow.events)
        self._hand_over(topic, msg)
        return self.shadow.events[known:]

    def _hand_over(self, topic: str, msg) -> None:
        if topic == 'cmd_vel':
            self._command(msg)
            return
        if not hasattr(msg, 'header'):
            return
        stamp = stamp_ns(msg)
        if self.latest_ns is not None and stamp < self.latest_ns - NS_PER_S:
            return   # far in the past (a replayed or restarted robot): not this run
        self.latest_ns = max(stamp, self.latest_ns or stamp)
        while self.waiting and (self.waiting[0][0] or 0) <= stamp:
            command_ns, linear, angular = self.waiting.pop(0)
            self.shadow.on_command(command_ns or stamp, linear, angular)
        {'odom': self._odometry, 'joint_states': self._wheels, 'imu': self._imu,
         'scan': self._scan}.get(topic, lambda *_: None)(stamp, msg)

    def _command(self, msg) -> None:
        twist = getattr(msg, 'twist', msg)   # TwistStamped or Twist
        stamp = (stamp_ns(msg) if hasattr(msg, 'header') else 0) or self.latest_ns
        if stamp is None or self.latest_ns is None or self.waiting or stamp > self.latest_ns:
            self.waiting.append((stamp, twist.linear.x, twist.angular.z))
        else:
            self.shadow.on_command(stamp, twist.linear.x, twist.angular.z)

    def _odometry(self, stamp: int, msg) -> None:
        pose, twist = msg.pose.pose, msg.twist.twist
        self.shadow.on_odometry(stamp, pose.position.x, pose.position.y,
                                quaternion_yaw(pose.orientation), twist.linear.x,
                                twist.angular.z)

    def _wheels(self, stamp: int, msg) -> None:
        speeds = dict(zip(msg.name, msg.velocity))
        left = [v for name, v in speeds.items() if 'left' in name]
        right = [v for name, v in speeds.items() if 'right' in name]
        if left and right:
            self.shadow.on_wheels(stamp, left[0], right[0])

    def _imu(self, stamp: int, msg) -> None:
        self.shadow.on_imu(stamp, msg.angular_velocity.z, msg.linear_acceleration.x)

    def _scan(self, stamp: int, msg) -> None:
        self.shadow.on_scan(stamp, msg.ranges)
