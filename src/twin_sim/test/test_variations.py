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

"""Domain randomisation: distributions, per-episode draws and their application (DIRECT)."""

import math
import random

import numpy as np
import pytest
from scipy import stats
from twin_sim import Pose, TwinConfig
from twin_sim.variations import (config_quantities, Distribution, load_variations,
                                 parse_variations, VariationError, Variations)

EPISODES = 200
KNOWN = config_quantities(TwinConfig(robot=''))   # the sensor figures' names
BODIES = {'obstacles': ['crate', 'pillar'], 'spawn': ['robot']}


@pytest.fixture
def everything(robot_xacro) -> Variations:
    path = robot_xacro.parents[1] / 'config' / 'variations' / 'everything.yaml'
    return load_variations(path, KNOWN)


def arena(world):
    world.add_ground()
    world.add_box('crate', (0.3, 0.3, 0.3), Pose(x=1.0, z=0.15))
    world.add_cylinder('pillar', 0.1, 0.5, Pose(x=-1.0, y=0.5, z=0.25))


def scipy_distribution(distribution: Distribution):
    first, second = distribution.args[:2]
    return {'uniform': lambda: stats.uniform(first, second - first),
            'normal': lambda: stats.norm(first, second),
            'log_uniform': lambda: stats.loguniform(first, second)}[distribution.kind]()


# -- the draws --------------------------------------------------------------------------


def test_every_shipped_example_loads(robot_xacro):
    examples = sorted((robot_xacro.parents[1] / 'config' / 'variations').glob('*.yaml'))
    assert len(examples) >= 2
    for path in examples:
        assert load_variations(path, KNOWN).distributions


def test_200_episodes_stay_in_the_support_and_follow_their_distribution(everything):
    draws = [everything.draw(7, episode, BODIES) for episode in range(EPISODES)]
    assert len(draws[0]) > 20
    # 1 % for the whole family of tests (Bonferroni): at 1 % each, one of ~27 right
    # distributions would be rejected by chance about one time in four.
    alpha = 0.01 / len(draws[0])
    for key in draws[0]:
        distribution = everything.distributions[key.split('/')[0]]
        values = np.array([draw[key] for draw in draws])
        if distribution.kind == 'choice':
            assert set(values) <= set(distribution.args)
            counts = [np.sum(values == choice) for choice in distribution.args]
            assert stats.chisquare(counts).pvalue > alpha, key
            continue
        frozen = scipy_distribution(distribution)
        low, high = frozen.support()
        assert ((values >= low) & (values <= high)).all(), key
        assert stats.kstest(values, frozen.cdf).pvalue > alpha, key


def test_the_ks_check_catches_a_wrong_distribution(everything):
    # The check above can fail: the friction draws are not uniform over a wider interval.
    values = [everything.draw(7, k)['floor.friction'] for k in range(EPISODES)]
    assert stats.kstest(values, stats.uniform(0.5, 0.6).cdf).pvalue < 0.01 / 30


def test_an_episode_draw_does_not_depend_on_what_was_drawn_before(everything):
    in_order = {k: everything.draw(3, k, BODIES) for k in range(20)}
    shuffled = list(range(20))
    random.Random(1).shuffle(shuffled)
    assert {k: everything.draw(3, k, BODIES) for k in shuffled} == in_order
    assert in_order[0] != in_order[1]
    assert everything.draw(4, 0, BODIES) != in_order[0]


def test_a_quantity_keeps_its_draws_when_others_are_added(everything):
    alone = parse_variations({'variations': {'floor.friction': {'uniform': [0.6, 1.0]}}},
                             'test', {})
    assert alone.draw(3, 5)['floor.friction'] == everything.draw(3, 5)['floor.friction']


@pytest.mark.parametrize('entry, message', [
    ({'floor.wetness': {'uniform': [0, 1]}}, 'variations.floor.wetness: unknown quantity'),
    ({'floor.friction': {'uniform': [1, 0]}}, 'floor.friction.uniform: expected low < high'),
    ({'floor.friction': {'uniform': [0]}}, 'floor.friction.uniform: expected 2 numbers'),
    ({'floor.friction': {'log_uniform': [0, 1]}}, 'low must be positive'),
    ({'floor.friction': {'normal': [1, -1]}}, 'std must be positive'),
    ({'floor.friction': {'uniform': [0, 1], 'apply': 'double'}}, 'floor.friction.apply:'),
    ({'floor.friction': {'uniform': [0, 1], 'normal': [0, 1]}}, 'expected one of uniform'),
    ({'floor.friction': 0.5}, 'floor.friction: expected a mapping like'),
])
def test_a_bad_entry_is_named_with_its_key(entry, message):
    with pytest.raises(VariationError, match='^test: ') as error:
        parse_variations({'variations': entry}, 'test', KNOWN)
    assert message in str(error.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(VariationError, match=f'{tmp_path}/none.yaml: variation file not'):
        load_variations(tmp_path / 'none.yaml', {})


# -- applied at reset -------------------------------------------------------------------


def test_a_draw_is_applied_to_the_sensors_and_the_world(make_twin, everything):
    twin = make_twin(build_world=arena, variations=everything, seed=5)
    twin.reset(episode=4)
    values = twin.variation
    assert values == twin.variation and len(values) > 20
    robot = twin.robots[0]
    assert robot.lidar.config.range_noise_std == values['lidar.range_noise_std']
    assert robot.sensors['imu'].imu.config.gyro_noise_std == values['imu.gyro_noise_std']
    assert robot.sensors['odometry'].odometry.config.encoder_ticks_per_revolution == \
        values['odometry.encoder_ticks_per_revolution']
    world = twin.world
    assert world.friction('ground') == pytest.approx(values['floor.friction'])
    assert world.friction('crate') == pytest.approx(values['obstacles.friction/crate'])
    crate = world.pose('crate')
    assert (crate.x, crate.y) == pytest.approx((values['obstacles.x/crate'],
                                                values['obstacles.y/crate']))
    assert abs(crate.x - 1.0) <= 0.05 and crate.x != 1.0
    mass = sum(m for m, _ in world.dynamics('robot'))
    assert mass == pytest.approx(values['robot.mass'])
    start = twin.ground_truth()
    assert start.position[:2] == pytest.approx([values['spawn.x/robot'], values['spawn.y/robot']],
                                               abs=1e-6)
    assert start.yaw == pytest.approx(values['spawn.yaw/robot'], abs=1e-6)


def test_episodes_drawn_in_any_order_give_the_same_twin(make_twin, everything):
    twin = make_twin(build_world=arena, variations=everything, seed=2)
    in_order = {}
    for episode in range(20):
        twin.reset(episode=episode)
        in_order[episode] = (twin.variation, tuple(twin.ground_truth().position))
    shuffled = list(range(20))
    random.Random(2).shuffle(shuffled)
    for episode in shuffled:
        twin.reset(episode=episode)
        assert (twin.variation, tuple(twin.ground_truth().position)) == in_order[episode]


def test_same_seed_episode_and_commands_give_an_identical_trajectory(make_twin, everything,
                                                                     trajectory):
    first = make_twin(build_world=arena, variations=everything, seed=9)
    second = make_twin(build_world=arena, variations=everything, seed=9)
    trajectory(second, 6)   # whatever ran before
    reference = trajectory(first, 3)
    again = trajectory(second, 3)
    assert len(reference) == len(again)
    assert all(np.array_equal(a, b) for a, b in zip(reference, again))
    other = trajectory(first, 4)
    assert not all(np.array_equal(a, b) for a, b in zip(reference, other))


def test_without_variations_an_episode_only_changes_the_noise(make_twin):
    twin = make_twin(build_world=arena)
    assert twin.episode == 0 and twin.variation == {}
    twin.reset(episode=1)
    assert twin.world.friction('ground') == 1.0 and math.isclose(twin.ground_truth().yaw, 0.0,
                                                                 abs_tol=1e-9)


def test_a_rebuilt_twin_keeps_its_episode(make_twin, everything):
    twin = make_twin(build_world=arena, variations=everything, seed=2)
    twin.reset(episode=5)
    values = twin.variation
    twin.rebuild()
    assert twin.episode == 5 and twin.variation == values
