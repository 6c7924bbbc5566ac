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
The drive train varied per episode: physical wheels, motor time constant and dead time.

A draw that changes the physical wheels reloads the robot's body at reset; the tests hold
that the body, the motors and the trajectories are those of the episode's draw alone.
"""

import math
import random

import numpy as np
import pytest
from scipy import stats
from twin_sim import OdometryConfig, Pose, TwinConfig
from twin_sim.variations import config_quantities, get_path, load_variations, parse_variations

EPISODES = 200
R, S = 0.033, 0.160   # the Burger's wheel radius and separation, m
KNOWN = config_quantities(TwinConfig(robot=''))


@pytest.fixture
def drive_variations(robot_xacro):
    return load_variations(robot_xacro.parents[1] / 'config' / 'variations' / 'drive.yaml',
                           KNOWN)


def frozen(distribution):
    first, second = distribution.args
    return {'uniform': stats.uniform(first, second - first), 'normal': stats.norm(first, second),
            'log_uniform': stats.loguniform(first, second)}[distribution.kind]


def drawn_number(distribution, value: float, nominal: float) -> float:
    """Return the number drawn for an applied ``value`` (``Distribution.value`` inverted)."""
    if distribution.apply == 'scale':
        return value / nominal
    return value - nominal if distribution.apply == 'add' else value


def test_200_episodes_give_bodies_and_motors_of_their_distribution(make_twin, drive_variations):
    twin = make_twin(variations=drive_variations, seed=11)
    assert twin.nominal_config.physical.left_wheel_radius == pytest.approx(R)
    quantities = [name for name in drive_variations.distributions if name in KNOWN]
    assert len(quantities) == 5
    numbers = {name: [] for name in quantities}
    bodies = twin.body_count()
    for episode in range(EPISODES):
        twin.reset(episode=episode)
        values, robot = twin.variation, twin.robot
        # What the body rolls on and how its motors respond are the episode's draw.
        assert robot.physical.left_radius == pytest.approx(values['physical.left_wheel_radius'])
        assert robot.physical.right_radius == pytest.approx(
            values['physical.right_wheel_radius'])
        assert robot.physical.separation == pytest.approx(values['physical.wheel_separation'])
        assert robot.wheel_radius == R and robot.wheel_separation == S   # the firmware's
        for actuator in robot.actuators:
            assert actuator.lag.time_constant == values['drive.time_constant']
            assert actuator.dead_time.delay == values['drive.dead_time']
        assert sum(mass for mass, _ in twin.world.dynamics('robot')) == pytest.approx(
            values['robot.mass'])
        assert twin.body_count() == bodies
        for name in quantities:
            numbers[name].append(drawn_number(drive_variations.distributions[name],
                                              values[name],
                                              get_path(twin.nominal_config, name)))
    alpha = 0.01 / len(quantities)   # 1 % for the family (Bonferroni)
    for name, drawn in numbers.items():
        distribution = frozen(drive_variations.distributions[name])
        low, high = distribution.support()
        assert low <= min(drawn) and max(drawn) <= high, name
        assert stats.kstest(drawn, distribution.cdf).pvalue > alpha, name


def circle_radius(twin) -> float:
    """Return the radius of the arc driven from the start (signed: + left), m."""
    truth = twin.ground_truth(from_start=True)
    chord = math.hypot(truth.position[0], truth.position[1])
    return math.copysign(chord / (2.0 * math.sin(abs(truth.yaw) / 2.0)), truth.yaw)


def test_an_episode_with_a_right_wheel_2_percent_larger_curves_as_predicted(make_twin):
    variations = parse_variations(
        {'variations': {'physical.right_wheel_radius': {'choice': [1.0, 1.02],
                                                        'apply': 'scale'}}}, 'test', KNOWN)
    twin = make_twin(variations=variations, odometry=OdometryConfig(
        encoder_ticks_per_revolution=0))
    scales = {k: variations.draw(0, k)['physical.right_wheel_radius'] for k in range(10)}
    larger = next(k for k, scale in scales.items() if scale == 1.02)
    equal = next(k for k, scale in scales.items() if scale == 1.0 and k > larger)
    twin.reset(episode=larger)
    assert twin.robot.physical.right_radius == pytest.approx(1.02 * R)
    twin.set_command(0.2, 0.0)
    twin.run(10.0)
    # Both wheels turn at the nominal rate w; the body turns at w (r - l) / s and rolls at
    # w (l + r) / 2: a circle of radius s (l + r) / (2 (r - l)), 8.08 m to the left.
    left, right = R, 1.02 * R
    assert circle_radius(twin) == pytest.approx(S * (left + right) / (2.0 * (right - left)),
                                                rel=0.05)
    # The next episode's equal wheels drive straight again: the body was reloaded.
    twin.reset(episode=equal)
    assert twin.robot.physical.right_radius == pytest.approx(R)
    twin.set_command(0.2, 0.0)
    twin.run(10.0)
    assert abs(twin.ground_truth(from_start=True).yaw) < 1e-3


def test_same_seed_and_episode_give_an_identical_trajectory_whatever_ran_before(
        make_twin, drive_variations, trajectory):
    first = make_twin(variations=drive_variations, seed=4)
    second = make_twin(variations=drive_variations, seed=4)
    trajectory(second, 6)   # another body and other motors before
    reference = trajectory(first, 3)
    assert all(np.array_equal(a, b) for a, b in zip(reference, trajectory(second, 3)))
    assert all(np.array_equal(a, b) for a, b in zip(reference, trajectory(first, 3)))
    other = trajectory(first, 4)
    assert not all(np.array_equal(a, b) for a, b in zip(reference, other))


def test_episodes_in_shuffled_order_give_identical_bodies(make_twin, drive_variations):
    twin = make_twin(variations=drive_variations, seed=2)

    def episode_state(episode: int):
        twin.reset(episode=episode)
        return (twin.variation, twin.robot.physical, tuple(twin.ground_truth().position))

    in_order = {episode: episode_state(episode) for episode in range(20)}
    shuffled = list(range(20))
    random.Random(3).shuffle(shuffled)
    assert {episode: episode_state(episode) for episode in shuffled} == in_order


def test_every_robot_of_a_twin_gets_the_episodes_wheels(make_twin, drive_variations):
    twin = make_twin(variations=drive_variations, spawns=[Pose(), Pose(y=1.0)])
    twin.reset(episode=5)
    right = twin.variation['physical.right_wheel_radius']
    assert [robot.robot.physical.right_radius for robot in twin.robots] == pytest.approx(
        [right, right])
    assert twin.ground_truth(robot=1).position[1] == pytest.approx(1.0, abs=1e-3)
    twin.set_command(0.2, 0.0, robot=1)
    twin.run(1.0)
    assert twin.ground_truth(robot=1).position[0] > 0.1
