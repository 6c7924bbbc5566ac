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
The body keeps the drive's promises (PyBullet DIRECT): bounded speed, a stop, no creep.

Random command sequences come from a seeded generator, in open space and pressed into the
walls and pillars of the project's arena (worlds/arena.yaml).
"""

from pathlib import Path

import numpy as np
import pytest
from twin_sim import DriveLimits, load_world, Pose

ARENA = Path(__file__).resolve().parents[3] / 'worlds' / 'arena.yaml'
LIMITS = DriveLimits()
SLACK = 1.02   # ground truth may exceed a limit by 2 % at most
# Facing pillar_01 from 0.2 m, and backed into the hexagon's wall_3.
BY_A_PILLAR = Pose(x=-1.45, y=0.0, yaw=0.0)
BY_A_WALL = Pose(x=-2.3, y=-0.6, yaw=3.14)


def random_commands(rng: np.random.Generator, count: int):
    """Yield (linear m/s, angular rad/s, seconds): mostly beyond the limits, some reversals."""
    for _ in range(count):
        linear = rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 0.4)
        angular = rng.uniform(-5.0, 5.0) if rng.random() < 0.8 else 0.0
        yield linear, angular, rng.uniform(0.05, 1.0)


def drive_and_watch(twin, commands) -> dict:
    """Drive ``commands``; return the largest true speeds and how many steps touched obstacles."""
    worst = {'linear': 0.0, 'angular': 0.0, 'steps_in_contact': 0}
    obstacles = [name for name in twin.world.bodies if name not in ('robot', 'ground')]
    for linear, angular, seconds in commands:
        twin.set_command(linear, angular)
        for _ in twin.run(seconds):
            truth = twin.ground_truth()
            worst['linear'] = max(worst['linear'], float(np.hypot(*truth.linear_velocity[:2])))
            worst['angular'] = max(worst['angular'], abs(float(truth.angular_velocity[2])))
            worst['steps_in_contact'] += any(twin.world.contact_count('robot', name)
                                             for name in obstacles)
    return worst


def assert_within_limits(worst: dict) -> None:
    assert worst['linear'] <= LIMITS.max_linear_velocity * SLACK, worst
    assert worst['angular'] <= LIMITS.max_angular_velocity * SLACK, worst


@pytest.mark.parametrize('seed', [1, 2])
def test_random_commands_in_open_space_stay_within_the_limits(make_twin, seed):
    twin = make_twin()
    assert_within_limits(drive_and_watch(twin, random_commands(np.random.default_rng(seed), 30)))


def test_saturated_spins_and_arcs_stay_within_the_limits(make_twin):
    twin = make_twin()
    commands = [(0.0, 10.0, 3.0), (0.0, -10.0, 3.0), (10.0, 10.0, 3.0), (-10.0, 10.0, 3.0)]
    assert_within_limits(drive_and_watch(twin, commands))


@pytest.mark.parametrize('seed, spawn', [(1, BY_A_PILLAR), (7, BY_A_WALL), (8, BY_A_WALL)])
def test_random_commands_pressed_into_obstacles_stay_within_the_limits(make_twin, seed, spawn):
    world = load_world(ARENA)
    twin = make_twin(build_world=world.build, spawn=spawn)
    worst = drive_and_watch(twin, random_commands(np.random.default_rng(seed), 40))
    assert worst['steps_in_contact'] > 120   # it really was pressed into them
    assert_within_limits(worst)


def deceleration_time(applied: tuple[float, float]) -> float:
    """Return how long the limiter takes to bring a twist to rest, s."""
    return max(abs(applied[0]) / LIMITS.max_linear_acceleration,
               abs(applied[1]) / LIMITS.max_angular_acceleration)


@pytest.mark.parametrize('seed, spawn', [(3, None), (0, BY_A_PILLAR), (5, BY_A_WALL)])
def test_after_the_last_command_it_is_still_within_the_deceleration_time(make_twin, seed,
                                                                         spawn):
    twin = (make_twin(build_world=load_world(ARENA).build, spawn=spawn) if spawn else
            make_twin())
    rng = np.random.default_rng(seed)
    for stop in range(8):
        drive_and_watch(twin, random_commands(rng, 4))
        twin.set_command(0.0, 0.0)
        twin.run(deceleration_time(twin.robot.applied) + 2 * twin.config.physics.step)
        for _ in range(240):   # and it stays still for a second
            twin.step()
            truth = twin.ground_truth()
            assert np.hypot(*truth.linear_velocity[:2]) < 1e-3, (stop, truth)
            assert abs(truth.angular_velocity[2]) < 1e-2, (stop, truth)


def rest_drift(twin, seconds: float) -> tuple[float, np.ndarray]:
    """Rest for ``seconds`` of simulated time; return the distance moved (m), wheel turns (rad)."""
    start, wheels = twin.ground_truth().position[:2], np.array(twin.robot.wheel_angles())
    twin.set_command(0.0, 0.0)
    dt = twin.config.physics.step
    for _ in range(round(seconds / dt)):   # physics only (no sensors): fast
        twin.robot.apply(dt)
        twin.world.step()
        twin.robot.after_step(dt)
    moved = float(np.hypot(*(twin.ground_truth().position[:2] - start)))
    return moved, np.array(twin.robot.wheel_angles()) - wheels


def test_at_rest_it_does_not_creep(make_twin):
    twin = make_twin()
    twin.run(1.0)   # settle on the ground
    seconds = 300.0
    moved, turned = rest_drift(twin, seconds)
    assert moved < 1e-3 * seconds / 3600.0    # under 1 mm per simulated hour
    assert np.abs(turned).max() < 1e-6


def test_after_driving_it_does_not_creep_either(make_twin):
    twin = make_twin()
    twin.set_command(0.2, 1.0)
    twin.run(2.0)
    twin.set_command(0.0, 0.0)
    twin.run(1.0)   # decelerate and settle
    seconds = 120.0
    moved, turned = rest_drift(twin, seconds)
    assert moved < 1e-3 * seconds / 3600.0
    assert np.abs(turned).max() < 1e-6
