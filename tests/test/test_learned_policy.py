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

"""The learned policy drives the bridge over DDS: its own process, on simulated time."""

import math

from nav_msgs.msg import Odometry
from twin_gym.envs import data_file
from twin_sim.evaluation import ClearanceProbe
from twin_tests.messages import planar_pose

GOAL_ODOM = (2.5, 0.3)                      # what the node is told, in the odom frame
GOAL_WORLD = (-1.4 + 2.5, 0.3)              # the same point: the room's start faces east


def test_the_policy_node_drives_toward_its_goal_without_contact(
        start_bridge, controller, listener, robot_xacro):
    room = data_file('goal_room.yaml')
    start_bridge(room)   # ground truth in the world frame
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')
    controller('policy', goal=list(GOAL_ODOM))

    def distance() -> float:
        return math.dist(GOAL_WORLD, planar_pose(truth[-1])[:2]) if truth else math.inf
    # The shipped weights' quality is measured by twin_gym.evaluate; here: the plumbing.
    listener.spin_until(lambda: distance() < 0.5, 240.0,
                        lambda: f'the robot within 0.5 m of the goal (now {distance():.2f} m)')
    probe = ClearanceProbe(room, robot_xacro)
    try:
        gap = probe.along(planar_pose(m) for m in truth[::5])
    finally:
        probe.close()
    assert gap > 0.0, 'the robot touched an obstacle'
