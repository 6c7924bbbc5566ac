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
drivers publish. It runs unchanged against the twin's bridge or the robot.
"""

import math

from nav_msgs.msg import Odometry
from rclpy.node import Node
from twin_examples.common import run, ScanController
from twin_gym.observation import build_observation, ObservationConfig
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
        })
        self.policy = load_policy(self.p['weights'] or None)
        self.goal = tuple(self.p['goal'])
        if len(self.goal) != 2:
            raise ValueError(f'goal needs x, y; got {list(self.goal)}')
        self.beams, self.odometry, self.reached = self.policy.scale.size - 4, None, False
        self.create_subscription(Odometry, self.p['odom_topic'], self.on_odom, 10)

    def on_odom(self, msg: Odometry) -> None:
        """Keep the newest odometry."""
        self.odometry = msg

    def control(self) -> None:
        """Send the policy's command, or stop when there is nothing to act on or it arrived."""
        if self.scan is None or self.odometry is None or self.reached:
            self.commander.stop()
            return
        pose, twist = self.odometry.pose.pose, self.odometry.twist.twist
        yaw = 2.0 * math.atan2(pose.orientation.z, pose.orientation.w)
        if math.hypot(self.goal[0] - pose.position.x,
                      self.goal[1] - pose.position.y) < self.p['tolerance']:
            self.reached = True
            self.get_logger().info(f'goal ({self.goal[0]:g}, {self.goal[1]:g}) reached')
            self.commander.stop()
            return
        observation = build_observation(
            ObservationConfig(self.beams, self.scan.range_max), self.scan.ranges,
            twist.linear.x, twist.angular.z, (pose.position.x, pose.position.y, yaw), self.goal)
        linear, angular = self.policy.act(observation)
        self.commander.send(linear, angular)


def main(args=None) -> None:
    """Run the node."""
    run(PolicyDriver, args)


if __name__ == '__main__':
    main()
