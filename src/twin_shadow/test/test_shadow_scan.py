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

"""The scan events, end to end in the core: the robot's surroundings or LIDAR change."""

from pathlib import Path

from robot_stand_in import robot_twin, run, shadow_twin
from twin_sim import load_world, Pose
from twin_sim.faults import parse_faults

ROOM = Path(__file__).resolve().parents[3] / 'worlds' / 'room.yaml'
DEADLINE = 2.0   # s of robot time from the change to its event


def standing(time: float) -> tuple[float, float]:
    """Return the command of a robot that stands (its scans alone change)."""
    return 0.0, 0.0


def room_pair():
    """Return a robot and its shadow in the same room, after 3 s with no event."""
    room = load_world(ROOM)
    robot, shadow = robot_twin(world=room), shadow_twin(world=room)
    run(robot, shadow, 3.0, standing)
    assert shadow.events == []
    return robot, shadow


def test_a_box_the_world_model_lacks_is_an_obstacle_not_in_world():
    robot, shadow = room_pair()
    spawn = load_world(ROOM).spawn   # a box 0.6 m wide, 0.75 m ahead: a sixth of the beams
    robot.world.add_box('visitor', (0.3, 0.6, 0.4),
                        Pose(x=spawn.x + 0.75, y=spawn.y, z=0.2, yaw=spawn.yaw))
    onset = robot.time
    run(robot, shadow, DEADLINE, standing)
    assert [(e.kind, e.target) for e in shadow.events] == [('obstacle_not_in_world', 'scan')]
    assert onset <= shadow.events[0].time <= onset + DEADLINE


def test_an_occluded_lidar_sector_is_a_degraded_lidar():   # 2 rad to the left: 32 % of beams
    robot, shadow = room_pair()
    robot.inject_faults(parse_faults({'faults': [
        {'kind': 'lidar_occlusion', 'angle_min': 0.5, 'angle_max': 2.5, 'start': 0.0,
         'duration': 100.0}]}, 'test fault'))
    onset = robot.time
    run(robot, shadow, DEADLINE, standing)
    assert [(e.kind, e.target) for e in shadow.events] == [('lidar_degraded', 'scan')]
    assert onset <= shadow.events[0].time <= onset + DEADLINE


def test_without_a_world_model_the_scans_are_not_compared():
    room = load_world(ROOM)
    robot, shadow = robot_twin(world=room), shadow_twin()   # the robot in a room; no model
    run(robot, shadow, 3.0, standing)
    assert not shadow.compares_scans and shadow.events == []
