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

"""Entities at run time: spawning, deleting, checked moves and resets (PyBullet DIRECT)."""

import math
from pathlib import Path

import numpy as np
import pytest
from twin_sim import Pose
from twin_sim.entities import (checked_pose, place_checked, PoseError, spawn_source, Spawner,
                               SpawnError, world_objects)
from twin_sim.worlds import load_world

WORLDS = Path(__file__).resolve().parents[3] / 'worlds'
BOX = 'box: {size: [0.2, 1.0, 0.5]}'


def with_wall(world):
    """Ground and a wall 0.1 m thick across x = 1.0 m."""
    world.add_ground()
    world.add_box('wall', (0.1, 2.0, 0.5), Pose(x=1.0, z=0.25))


def test_a_spawned_box_is_seen_by_the_lidar_and_gone_when_deleted(make_twin):
    twin = make_twin()
    spawner = Spawner(twin)
    beam_0_before = twin.lidar.scan().ranges[0]
    spawner.spawn('crate', spawn_source('', BOX), Pose(x=1.1, z=0.25))
    distance = twin.lidar.scan().ranges[0]
    spawner.delete('crate')
    assert beam_0_before == np.inf
    sensor_x = twin.robot.link_pose(twin.lidar.link)[0][0]
    assert distance == pytest.approx(1.0 - sensor_x, abs=0.002)
    assert twin.lidar.scan().ranges[0] == np.inf
    assert 'crate' not in twin.world.bodies


def test_a_pose_inside_a_wall_is_refused_and_the_robot_stays(make_twin):
    twin = make_twin(build_world=with_wall)
    before = twin.world.root_state('robot')[0]
    with pytest.raises(PoseError, match='overlap wall'):
        place_checked(twin.world, 'robot', Pose(x=1.0), twin.bounds())
    assert twin.world.root_state('robot')[0] == before
    place_checked(twin.world, 'robot', Pose(x=0.5, yaw=1.0), twin.bounds())
    assert twin.world.root_state('robot')[0][:2] == pytest.approx((0.5, 0.0))


def test_a_pose_outside_the_world_is_refused(make_twin):
    twin = make_twin(build_world=with_wall)
    with pytest.raises(PoseError, match='outside the world'):
        place_checked(twin.world, 'robot', Pose(x=50.0), twin.bounds())


def test_a_spawn_inside_a_wall_is_refused_and_nothing_is_left(make_twin):
    twin = make_twin(build_world=with_wall)
    spawner = Spawner(twin)
    with pytest.raises(PoseError):
        spawner.spawn('crate', spawn_source('', BOX), Pose(x=1.0, z=0.25))
    assert 'crate' not in twin.world.bodies and not spawner.builders


def test_quaternions_must_be_rotations_and_values_finite():
    assert checked_pose((1, 2, 0), (0, 0, math.sin(0.5), math.cos(0.5))).yaw == \
        pytest.approx(1.0)
    with pytest.raises(PoseError, match='norm'):
        checked_pose((0, 0, 0), (0, 0, 0, 0))
    with pytest.raises(PoseError, match='finite'):
        checked_pose((math.nan, 0, 0), (0, 0, 0, 1))


@pytest.mark.parametrize('keep', [True, False])
def test_a_reset_removes_spawned_bodies_and_can_put_them_back(make_twin, keep):
    twin = make_twin()
    spawner = Spawner(twin)
    spawner.spawn('crate', spawn_source('', 'box: {size: [0.2, 0.2, 0.2], mass: 1.0}'),
                  Pose(x=1.0, z=0.1))
    twin.world.set_velocity('crate', (1.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    twin.run(0.5)
    spawner.reset(twin.reset, keep)
    assert ('crate' in twin.world.bodies) == keep
    if keep:
        assert twin.world.root_state('crate')[0] == pytest.approx((1.0, 0.0, 0.1))


def test_world_file_objects_and_urdf_files_can_be_spawned(make_twin, robot_xacro):
    twin = make_twin(build_world=load_world(WORLDS / 'arena.yaml').build)
    spawner = Spawner(twin)
    pillar = spawn_source(f'{WORLDS / "arena.yaml"}#pillar_11', '')
    wall = spawn_source(f'{WORLDS / "arena.yaml"}#wall_0', '')
    robot = spawn_source(str(robot_xacro), '')
    assert (pillar.default_name, pillar.spawn_format) == ('pillar_11', 'twin_world')
    assert robot.spawn_format == 'urdf'
    spawner.spawn('pillar_copy', pillar, Pose(x=0.55, y=0.55, z=0.25))
    spawner.spawn('wall_copy', wall, Pose(y=1.7, z=0.25))
    spawner.spawn('parked', robot, Pose(x=0.55, y=-0.55))
    assert {'pillar_copy', 'wall_copy', 'parked'} <= set(twin.world.bodies)
    assert set(world_objects(WORLDS / 'arena.yaml')) >= {'wall_0', 'pillar_22'}


@pytest.mark.parametrize('uri, text, reason', [
    ('', '  ', 'no_resource'),
    ('/nowhere/robot.urdf', '', 'not_found'),
    ('model.usd', '', 'unsupported_format'),
    ('', 'box: {size: [1, 2]}', 'parse_error'),
    ('', '<robot name="r"></robot>', 'parse_error'),
    (f'{WORLDS / "arena.yaml"}#no_such_object', '', 'not_found'),
])
def test_unusable_sources_are_refused_with_a_reason(uri, text, reason):
    with pytest.raises(SpawnError) as error:
        spawn_source(uri, text)
    assert error.value.reason == reason


def test_the_ground_s_box_is_the_half_space_below_it(make_twin):
    twin = make_twin()
    low, high = twin.world.aabb('ground')
    assert low == (-math.inf,) * 3 and high == (math.inf, math.inf, 0.0)
