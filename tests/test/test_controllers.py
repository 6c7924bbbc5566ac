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

"""Unmodified controllers drive the twin: each in its own process, on simulated time."""

import math

from nav_msgs.msg import Odometry
import pytest
from twin_sim.evaluation import ClearanceProbe
from twin_tests.messages import HeadingTracker, planar_pose


def clearance(world, robot, truths) -> float:
    probe = ClearanceProbe(world, robot)
    try:
        return probe.along(planar_pose(m) for m in truths[::5])
    finally:
        probe.close()


def test_obstacle_stop_stops_before_the_wall(start_bridge, controller, listener, world_file,
                                             robot_xacro):
    arena = world_file('arena')
    start_bridge(arena)
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')   # record the path from its start
    controller('obstacle_stop', speed=0.15, stop_distance=0.35)

    def stopped_far_away():
        return len(truth) > 50 and truth[-1].pose.pose.position.x > 1.5 and \
            abs(truth[-1].twist.twist.linear.x) < 0.005
    listener.spin_until(stopped_far_away, 180.0,
                        lambda: f'the robot to cross the arena and stop (now at '
                                f'{planar_pose(truth[-1]) if truth else "?"})')
    gap = clearance(arena, robot_xacro, truth)
    assert gap > 0.1, f'came within {gap:.3f} m of an obstacle'


def test_wall_follower_completes_a_lap_without_contact(start_bridge, controller, listener,
                                                       world_file, robot_xacro):
    room = world_file('room')
    start_bridge(room)
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')   # record the path from its start
    controller('wall_follower', distance=0.4, speed=0.15)
    heading = HeadingTracker(truth)

    def lap_done():
        turned = heading.update()
        return abs(turned) >= 2 * math.pi and \
            math.dist(planar_pose(truth[0])[:2], planar_pose(truth[-1])[:2]) < 0.3
    listener.spin_until(lap_done, 400.0, lambda: f'a lap (turned {heading.turned:.2f} rad)')
    gap = clearance(room, robot_xacro, truth)
    assert gap > 0.0, 'the robot touched a wall'


def test_go_to_goal_reaches_every_waypoint_despite_noisy_odometry(
        start_bridge, controller, listener, world_file):
    waypoints = [(1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    start_bridge(world_file('empty'), ground_truth_frame='odom',
                 **{'odometry.encoder_noise_std': 0.001, 'odometry.wheel_radius_error': 0.005,
                    'odometry.wheel_separation_error': 0.01, 'imu.gyro_bias_walk_std': 0.001})
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')
    go = controller('go_to_goal', waypoints=[v for point in waypoints for v in point],
                    tolerance=0.05)
    listener.spin_until(lambda: 'all waypoints reached' in go.log(), 240.0,
                        lambda: f'all waypoints (controller log: {go.log()[-300:]})')
    for goal in waypoints:
        closest = min(math.dist(goal, planar_pose(m)[:2]) for m in truth)
        assert closest == pytest.approx(0.0, abs=0.1), f'missed {goal} by {closest:.3f} m'
