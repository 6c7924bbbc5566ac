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
Drive through a list of waypoints in the odometry frame; the scan keeps it off obstacles.

Odometry says where the robot is; the scan says whether the way ahead is clear. A
``geometry_msgs/PoseStamped`` on ``goal_pose`` (rviz2's 2D Goal Pose, as Nav2 takes it) in
the odometry frame replaces the waypoints with that one goal. With an
obstacle (or another robot) closer than ``stop_distance`` ahead it does not drive forward,
and after ``stuck_timeout`` seconds without getting closer to the waypoint it gives up and
stops, saying so, instead of pushing on with slipping wheels that fool odometry.
"""

import math

from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import LaserScan

from twin_examples.common import (clamp, declare, ProgressWatch, run, sector_min,
                                  VelocityCommander)

FRONT_HALF_WIDTH = 0.5   # rad either side of straight ahead that must be clear to drive


class GoToGoal(Node):
    """Turn toward the next waypoint, drive to it, move on; stop after the last or when stuck."""

    def __init__(self):
        """Declare the parameters, subscribe to odometry, start the control timer."""
        super().__init__('go_to_goal')
        self.p = declare(self, {
            # x0, y0, x1, y1, ... in odom, m: from the arena's start, lanes between its pillars
            'waypoints': [1.45, 0.0, 1.45, 1.1, 0.35, 1.1],
            'tolerance': 0.05,             # m
            'speed': 0.15,                 # m/s
            'max_angular': 1.5,            # rad/s
            'heading_gain': 2.5,           # rad/s per rad of heading error
            'rate': 20.0,                  # Hz
            'stop_distance': 0.25,         # m of free space ahead needed to drive forward
            'stuck_timeout': 10.0,         # s without getting closer before giving up
            'odom_topic': 'odom',
            'goal_topic': 'goal_pose',     # PoseStamped in the odometry frame: a new goal
            'scan_topic': 'scan',
            'cmd_vel_topic': 'cmd_vel',
            'enable_stamped_cmd_vel': True,   # as the Jazzy TurtleBot3; false: Twist
        })
        flat = self.p['waypoints']
        if len(flat) % 2:
            raise ValueError(f'waypoints needs x, y pairs; got {len(flat)} numbers')
        self.waypoints = list(zip(flat[0::2], flat[1::2]))
        self.current = 0
        self.pose = self.front = None
        self.odom_frame = 'odom'   # the odometry's frame, from its messages
        self.progress = ProgressWatch(self.p['stuck_timeout'])
        self.commander = VelocityCommander(self, self.p['cmd_vel_topic'],
                                           self.p['enable_stamped_cmd_vel'])
        self.create_subscription(Odometry, self.p['odom_topic'], self.on_odom, 10)
        self.create_subscription(PoseStamped, self.p['goal_topic'], self.on_goal, 10)
        self.create_subscription(LaserScan, self.p['scan_topic'], self.on_scan,
                                 qos_profile_sensor_data)
        self.create_timer(1.0 / self.p['rate'], self.control)

    def on_odom(self, msg: Odometry) -> None:
        """Keep the newest pose."""
        pose = msg.pose.pose
        yaw = 2.0 * math.atan2(pose.orientation.z, pose.orientation.w)
        self.pose = (pose.position.x, pose.position.y, yaw)
        self.odom_frame = msg.header.frame_id or self.odom_frame

    def on_goal(self, msg: PoseStamped) -> None:
        """Drive to this goal instead of the waypoints (its frame must be odometry's)."""
        if msg.header.frame_id not in ('', self.odom_frame):
            self.get_logger().warn(f'goal in frame {msg.header.frame_id!r} ignored: this '
                                   f'controller has no tf; give it in {self.odom_frame!r}')
            return
        goal = (msg.pose.position.x, msg.pose.position.y)
        self.get_logger().info(f'new goal ({goal[0]:g}, {goal[1]:g}) in {self.odom_frame}')
        self.waypoints, self.current = [goal], 0
        self.progress.restart()

    def on_scan(self, msg: LaserScan) -> None:
        """Keep the free distance straight ahead."""
        self.front = sector_min(msg.ranges, msg.angle_min, msg.angle_increment, 0.0,
                                FRONT_HALF_WIDTH)

    def control(self) -> None:
        """Steer toward the current waypoint."""
        if self.pose is None or self.current >= len(self.waypoints):
            self.commander.stop()
            return
        x, y, yaw = self.pose
        goal_x, goal_y = self.waypoints[self.current]
        distance = math.hypot(goal_x - x, goal_y - y)
        if distance < self.p['tolerance']:
            self.get_logger().info(f'waypoint {self.current} ({goal_x:g}, {goal_y:g}) reached')
            self.next_waypoint()
            return
        if self.progress.stuck(self.get_clock().now().nanoseconds * 1e-9, distance):
            ahead = 'unknown' if self.front is None else f'{self.front:.2f} m'
            self.get_logger().error(
                f'stuck {distance:.2f} m from waypoint {self.current} ({goal_x:g}, {goal_y:g}):'
                f' no progress for {self.p["stuck_timeout"]:g} s (free ahead: {ahead}); '
                'giving up and stopping')
            self.current = len(self.waypoints)
            self.commander.stop()
            return
        error = math.atan2(goal_y - y, goal_x - x) - yaw
        error = math.atan2(math.sin(error), math.cos(error))
        # Turn on the spot when far off course; slow down near the goal.
        linear = 0.0 if abs(error) > 0.6 else min(self.p['speed'], 1.5 * distance) * \
            math.cos(error)
        if self.front is not None and self.front < self.p['stop_distance']:
            linear = min(linear, 0.0)   # something ahead: turn on the spot, never push
        self.commander.send(linear, clamp(self.p['heading_gain'] * error,
                                          self.p['max_angular']))

    def next_waypoint(self) -> None:
        """Move on to the next waypoint (or finish), stopped."""
        self.current += 1
        self.progress.restart()
        if self.current == len(self.waypoints):
            self.get_logger().info('all waypoints reached')
        self.commander.stop()


def main(args=None) -> None:
    """Run the node."""
    run(GoToGoal, args)


if __name__ == '__main__':
    main()
