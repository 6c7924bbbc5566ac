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

"""The README's examples work as shown: the several-robot world with go_to_goal."""

import math

from nav_msgs.msg import Odometry

SPAWNS = [-2.0, -0.5, 0.0, 0.55, 0.55, 3.14]
DEFAULT_WAYPOINTS = [(1.45, 0.0), (1.45, 1.1), (0.35, 1.1)]   # go_to_goal's, in odom


def position(msg: Odometry) -> tuple:
    return msg.pose.pose.position.x, msg.pose.pose.position.y


def test_go_to_goal_drives_the_first_robot_through_its_waypoints_clear_of_the_second(
        start_bridge, start_node, listener, world_file, workspace):
    readme = (workspace / 'README.md').read_text()
    assert f'"robot_spawns:={SPAWNS}"' in readme.replace('\n', ' ')
    start_bridge(world_file('arena'), ground_truth_frame='world', robots=['tb0', 'tb1'],
                 robot_spawns=SPAWNS)
    first = listener.record(Odometry, 'tb0/ground_truth/odom')
    second = listener.record(Odometry, 'tb1/ground_truth/odom')
    listener.wait_matched('tb0/ground_truth/odom')
    # The fixture bridge takes Twist (test_parameters); the controller must say the same.
    go = start_node('twin_examples.go_to_goal', ('-r', '__ns:=/tb0'), use_sim_time=True,
                    enable_stamped_cmd_vel=False)
    listener.spin_until(lambda: 'all waypoints reached' in go.log() or 'stuck' in go.log(),
                        240.0, lambda: f'go_to_goal to finish (log: {go.log()[-300:]})')
    assert 'all waypoints reached' in go.log(), go.log()[-500:]
    for x, y in DEFAULT_WAYPOINTS:   # the first robot starts facing +x: odom is shifted world
        goal = (SPAWNS[0] + x, SPAWNS[1] + y)
        closest = min(math.dist(goal, position(m)) for m in first)
        assert closest < 0.1, f'missed {goal} by {closest:.3f} m'
    assert math.dist(position(second[0]), position(second[-1])) < 0.01   # never touched


def test_go_to_goal_notices_a_waypoint_it_cannot_reach_and_stops(
        start_bridge, start_node, listener, world_file):
    start_bridge(world_file('arena'))   # the robot starts at (-2.0, -0.5) facing +x
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')
    # In odom, (0.9, 0.5) is the centre of the pillar at (-1.1, 0.0) of the world.
    go = start_node('twin_examples.go_to_goal', use_sim_time=True, waypoints=[0.9, 0.5],
                    enable_stamped_cmd_vel=False)
    listener.spin_until(lambda: 'stuck' in go.log() or 'reached' in go.log(), 240.0,
                        lambda: f'go_to_goal to give up (log: {go.log()[-300:]})')
    assert 'giving up and stopping' in go.log() and 'reached' not in go.log()
    listener.spin_until(lambda: abs(truth[-1].twist.twist.linear.x) < 0.005, 30.0,
                        'the robot to stand still')
