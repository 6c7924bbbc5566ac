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


"""Teleports that would break the world are refused; a broken world is seen and rebuilt."""

from pathlib import Path

import pytest
from twin_sim import LidarConfig, load_world, Pose, TwinConfig

ARENA = Path(__file__).resolve().parents[3] / 'worlds' / 'arena.yaml'


@pytest.fixture
def arena_twin(make_twin, robot_xacro):
    world = load_world(ARENA)
    return make_twin(TwinConfig(robot=robot_xacro, spawn=world.spawn,
                                lidar=LidarConfig(samples=36)), world.build)


@pytest.mark.parametrize('x, y, reason', [
    (0.0, 0.0, 'would overlap pillar_11'),           # the centre pillar
    (2.9, 0.0, 'would overlap wall_0, wall_5'),      # a corner of the hexagon
    (1e300, 0.0, 'is outside the world'),
    (float('nan'), 0.0, 'is outside the world'),
])
def test_a_teleport_into_a_body_or_out_of_the_world_is_refused(arena_twin, x, y, reason):
    start = arena_twin.ground_truth().position.copy()
    refusal = arena_twin.try_teleport(Pose(x=x, y=y))
    assert refusal is not None and reason in refusal
    assert arena_twin.ground_truth().position == pytest.approx(start)
    arena_twin.run(0.5)
    assert arena_twin.problems() == []


def test_a_teleport_into_free_space_moves_the_robot(arena_twin):
    assert arena_twin.try_teleport(Pose(x=0.55, y=0.55)) is None
    assert arena_twin.ground_truth().position[:2] == pytest.approx([0.55, 0.55], abs=1e-6)


def test_a_world_broken_by_a_far_teleport_is_seen_and_healed_by_a_rebuild(arena_twin):
    arena_twin.teleport(Pose(x=1e300))   # unchecked: what try_teleport refuses
    arena_twin.run(0.2)
    assert arena_twin.problems()
    arena_twin.reset()   # cannot heal it, but gives the time any reset leaves
    time_after_a_reset = arena_twin.time_ns
    arena_twin.rebuild()
    assert arena_twin.time_ns == time_after_a_reset
    arena_twin.run(1.0)
    assert arena_twin.problems() == []
    assert arena_twin.ground_truth().position[2] == pytest.approx(0.0, abs=0.01)


def test_a_world_of_only_ground_is_bounded_far_away(make_twin):
    twin = make_twin()
    assert twin.bounds() == ((-1e4, -1e4), (1e4, 1e4))
    assert 'outside the world' in twin.try_teleport(Pose(x=2e4))
