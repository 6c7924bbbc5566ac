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

"""The registered environments: conformance, determinism, vectorised runs."""

import gymnasium
from gymnasium.utils.env_checker import check_env
import numpy as np
import pytest
import twin_gym  # noqa: F401  (registers the ids)
from twin_gym.envs import default_robot, goal_reward, NEAR_M, StepOutcome
from twin_sim import Pose

IDS = ['twin/GoalReaching-v0', 'twin/Exploration-v0']


@pytest.mark.parametrize('env_id', IDS)
def test_check_env_passes(env_id):
    env = gymnasium.make(env_id, max_steps=20)
    try:
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def rollout(env, seed: int, steps: int) -> tuple[list, list]:
    """Return the observations and rewards of ``steps`` actions drawn from ``seed``."""
    observation, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    observations, rewards = [observation], []
    for _ in range(steps):
        observation, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        observations.append(observation)
        rewards.append(reward)
        if terminated or truncated:
            observations.append(env.reset()[0])
    return observations, rewards


def test_same_seed_gives_identical_observations_and_rewards_for_200_steps():
    env = gymnasium.make('twin/GoalReaching-v0')
    try:
        first = rollout(env, 7, 200)
        rollout(env, 8, 10)    # something else in between
        second = rollout(env, 7, 200)
        other = rollout(env, 9, 20)
    finally:
        env.close()
    assert len(first[1]) == 200
    assert all(np.array_equal(a, b) for a, b in zip(first[0], second[0]))
    assert first[1] == second[1]
    assert not np.array_equal(first[0][0], other[0][0])   # another seed, another episode


def test_reset_draws_the_episode_variations_from_the_seed():
    env = gymnasium.make('twin/GoalReaching-v0')
    try:
        _, info = env.reset(seed=3)
        again = env.reset(seed=3)[1]
        other = env.reset(seed=4)[1]
    finally:
        env.close()
    assert info['episode'] == 3 and info['variation'] == again['variation']
    assert info['variation']['floor.friction'] != other['variation']['floor.friction']
    assert info['goal_odom'] == again['goal_odom'] != other['goal_odom']


def test_reward_and_termination_are_replaceable():
    env = gymnasium.make('twin/GoalReaching-v0', reward=lambda outcome: 1.5,
                         done=lambda outcome: True)
    try:
        env.reset(seed=1)
        _, reward, terminated, truncated, _ = env.step(np.zeros(2, dtype=np.float32))
    finally:
        env.close()
    assert (reward, terminated, truncated) == (1.5, True, False)


def test_an_action_moves_the_robot_through_the_command_path_at_the_control_rate():
    env = gymnasium.make('twin/GoalReaching-v0', variations=None)
    try:
        env.reset(seed=1)
        for _ in range(20):   # 2 s at 10 Hz, asking for more than the robot can do
            observation, *_ = env.step(np.array([1.0, 0.0], dtype=np.float32))
        beams = env.unwrapped.observation_config.beams
    finally:
        env.close()
    assert 0.2 < observation[beams] <= 0.22 * 1.01   # odometry speed, at the Burger's limit


def test_driving_into_a_wall_ends_the_episode_with_a_penalty():
    env = gymnasium.make('twin/GoalReaching-v0', variations=None)
    try:
        env.reset(seed=1)
        env.unwrapped.twin.teleport(Pose(x=1.7, y=0.0))   # 0.25 m from the east wall
        outcomes = [env.step(np.array([0.22, 0.0], dtype=np.float32)) for _ in range(20)]
    finally:
        env.close()
    ends = [index for index, outcome in enumerate(outcomes) if outcome[2]]
    assert ends, 'the robot drove into the east wall without the episode ending'
    assert outcomes[ends[0]][4]['contact'] and outcomes[ends[0]][1] < -5.0


def test_goal_reward_pays_progress_and_arrival():
    moving = StepOutcome(1.0, 1.1, False, 0, 0.2, 0.0)
    arrived = StepOutcome(0.1, 0.12, False, 0, 0.2, 0.0)
    assert goal_reward(moving) == pytest.approx(0.99)
    assert goal_reward(arrived) > 10.0


def test_goal_reward_charges_a_near_miss():
    clear = StepOutcome(1.0, 1.1, False, 0, 0.2, 0.0, closest=NEAR_M)
    grazing = StepOutcome(1.0, 1.1, False, 0, 0.2, 0.0, closest=0.0)
    assert goal_reward(clear) == pytest.approx(0.99)
    assert goal_reward(grazing) == pytest.approx(0.89)


def test_without_an_ament_environment_the_robot_is_looked_for_in_the_source_tree(monkeypatch):
    monkeypatch.delenv('AMENT_PREFIX_PATH', raising=False)   # ament_index raises OSError
    assert default_robot().parts[-2:] == ('urdf', 'twin_burger.urdf.xacro')


def test_two_environments_run_in_an_async_vector_env():
    envs = gymnasium.vector.AsyncVectorEnv(
        [lambda: gymnasium.make('twin/GoalReaching-v0', max_steps=5)] * 2)
    try:
        observations, _ = envs.reset(seed=[1, 2])
        for _ in range(6):
            observations, rewards, *_ = envs.step(envs.action_space.sample())
    finally:
        envs.close()
    assert observations.shape == (2, 28) and rewards.shape == (2,)
    assert not np.array_equal(observations[0], observations[1])
