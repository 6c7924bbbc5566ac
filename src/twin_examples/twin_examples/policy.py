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
Drive to a goal with a learned policy: scan and wheel odometry in, ``cmd_vel`` out.

The policy is a numpy network (``twin_gym.policy``; default: the shipped goal-reaching
weights, trained in the twin with its variations on), and its observation is built by the
same code as in training (``twin_gym.observation``), from the messages a real robot's
drivers publish: the scan, wheel odometry and the IMU's orientation (the heading it
dead-reckons with, as in training). It runs unchanged against the twin's bridge or the robot.
"""

import math

from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Imu
from twin_examples.common import run, ScanController
from twin_gym.observation import (build_observation, ImuOdometry, ObservationConfig,
                                  quaternion_yaw)
from twin_gym.policy import load_policy


class PolicyDriver(ScanController, Node):
    """Act on the newest scan and odometry at the control rate; stop at the goal."""

    def __init__(self):
        """Load the weights, subscribe to scan and odometry, start the control timer."""
        super().__init__('policy')
        self.start({
            'rate': 10.0,                   # Hz, the rate the policy was trained at
            'weights': '',                  # .npz of twin_gym.policy; '' the shipped one
            'goal': [2.8, 0.0],             # x, y in the odom frame, m
            'tolerance': 0.15,              # m: the goal is reached within this
            'odom_topic': 'odom',
            'imu_topic': 'imu',
        })
        self.policy = load_policy(self.p['weights'] or None)
        self.goal = tuple(self.p['goal'])
        if len(self.goal) != 2:
            raise ValueError(f'goal needs x, y; got {list(self.goal)}')
        self.odometry, self.reached = None, False
        self.dead_reckoning = ImuOdometry()
        self.create_subscription(Odometry, self.p['odom_topic'], self.on_odom, 10)
        self.create_subscription(Imu, self.p['imu_topic'], self.on_imu, qos_profile_sensor_data)

    def on_odom(self, msg: Odometry) -> None:
        """Keep the newest odometry; dead-reckon with its advance."""
        self.odometry = msg
        self.dead_reckoning.on_wheels(*odometry_pose(msg))

    def on_imu(self, msg: Imu) -> None:
        """Dead-reckon with the IMU's heading."""
        q = msg.orientation
        self.dead_reckoning.on_imu(quaternion_yaw(q.x, q.y, q.z, q.w))

    def control(self) -> None:
        """Send the policy's command, or stop when there is nothing to act on or it arrived."""
        scan = self.usable_scan()
        if scan is None or self.odometry is None or self.reached:
            self.commander.stop()
            return
        x, y, _ = pose = self.dead_reckoning.pose
        if math.hypot(self.goal[0] - x, self.goal[1] - y) < self.p['tolerance']:
            self.reached = True
            self.get_logger().info(f'goal ({self.goal[0]:g}, {self.goal[1]:g}) reached')
            self.commander.stop()
            return
        twist = self.odometry.twist.twist
        observation = build_observation(
            ObservationConfig(self.policy.beams, scan.range_max), scan.ranges,
            twist.linear.x, twist.angular.z, pose, self.goal)
        linear, angular = self.policy.act(observation)
        self.commander.send(linear, angular)


def odometry_pose(msg: Odometry) -> tuple[float, float, float]:
    """Return an Odometry message's planar pose (x, y, yaw)."""
    pose = msg.pose.pose
    return (pose.position.x, pose.position.y,
            2.0 * math.atan2(pose.orientation.z, pose.orientation.w))


def main(args=None) -> None:
    """Run the node."""
    run(PolicyDriver, args)


if __name__ == '__main__':
    main()
