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

"""Several robots in one world: one physics step, a LIDAR that sees the others."""

import math

import pytest
from twin_sim import Pose


def test_several_robots_share_one_world_and_see_each_other(make_twin):
    # Two robots 1 m apart facing each other: each LIDAR reads the other's body straight ahead.
    twin = make_twin(spawns=[Pose(x=0.0, yaw=0.0), Pose(x=1.0, yaw=math.pi)])
    assert len(twin.robots) == 2
    twin.set_command(0.1, 0.0, robot=1)
    scans = {}
    for _ in range(round(0.25 / twin.config.physics.step)):
        for index, readings in enumerate(twin.step_all()):
            scans[index] = readings.scan or scans.get(index)
    for index in (0, 1):
        ahead = scans[index].ranges[0]
        assert 0.8 < ahead < 1.1, f'robot {index} sees {ahead} m ahead'   # else +inf
    # Only robot 1 was commanded: it moved towards robot 0, which stayed put.
    assert twin.ground_truth(robot=1).position[0] < 0.99
    assert twin.ground_truth(robot=0).position[0] == pytest.approx(0.0, abs=1e-3)
    # Each robot has its own noise streams: the same draw gives different numbers.
    assert twin.robots[0].lidar.rng.random() != twin.robots[1].lidar.rng.random()


def test_a_twin_holds_one_to_sixteen_robots(make_twin):
    with pytest.raises(ValueError, match='1 to 16 robots'):
        make_twin(spawns=[])
