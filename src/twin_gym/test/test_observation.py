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

"""The observation: REP-117 values, decimation, the goal's frame, and parity with the bridge."""

import math

import gymnasium
import numpy as np
import pytest
import twin_gym  # noqa: F401  (registers the ids)
from twin_gym.observation import (build_observation, decimate_scan, goal_in_robot_frame,
                                  ObservationConfig)
from twin_gym.policy import load_policy, MlpPolicy


def test_rep117_values_are_mapped_as_documented():
    ranges = np.array([np.inf, 1.0, -np.inf, 2.0, np.nan, 3.0, 0.5, np.inf], np.float32)
    assert decimate_scan(ranges, 4, 3.5).tolist() == [1.0, 0.0, 3.0, 0.5]
    assert decimate_scan(np.full(8, np.inf, np.float32), 2, 3.5).tolist() == [3.5, 3.5]


def test_a_beam_count_that_does_not_divide_the_scan_is_refused_with_the_choices():
    with pytest.raises(ValueError, match='must divide the scan of 360 beams'):
        decimate_scan(np.ones(360, np.float32), 25, 3.5)


def test_the_goal_is_seen_from_the_robot():
    ahead, left = goal_in_robot_frame(1.0, 1.0, math.pi / 2, (1.0, 3.0))
    assert (ahead, left) == pytest.approx((2.0, 0.0))
    observation = build_observation(ObservationConfig(4), np.ones(8, np.float32), 0.1, -0.2,
                                    (1.0, 1.0, math.pi / 2), (0.0, 1.0))
    assert observation.dtype == np.float32
    assert observation[4:].tolist() == pytest.approx([0.1, -0.2, 0.0, 1.0])


def test_the_environment_observes_what_the_bridge_publishes():
    """The core scan through the bridge's LaserScan conversion gives the same observation."""
    from twin_bridge.conversions import odometry, ScanConverter
    env = gymnasium.make('twin/GoalReaching-v0', beams=36)
    try:
        observation, info = env.reset(seed=5)
        for _ in range(7):
            observation, *_ = env.step(np.array([0.2, 0.5], dtype=np.float32))
        twin = env.unwrapped.twin
        scan_msg = ScanConverter(twin.config.lidar, 'base_scan').convert(env.unwrapped.scan)
        odom_msg = odometry(env.unwrapped.odometry, 'odom', 'base_footprint', 0)
    finally:
        env.close()
    pose = odom_msg.pose.pose
    yaw = 2.0 * math.atan2(pose.orientation.z, pose.orientation.w)
    from_messages = build_observation(
        ObservationConfig(36, scan_msg.range_max), scan_msg.ranges,
        odom_msg.twist.twist.linear.x, odom_msg.twist.twist.angular.z,
        (pose.position.x, pose.position.y, yaw), info['goal_odom'])
    assert np.isinf(env.unwrapped.scan.ranges).any()   # the room has misses to map
    np.testing.assert_allclose(from_messages, observation, rtol=0, atol=1e-6)


def test_a_policy_round_trips_through_npz(tmp_path):
    policy = MlpPolicy.random([28, 8, 2], np.ones(28), (0.22, 2.84), np.random.default_rng(1))
    policy.save(tmp_path / 'p.npz')
    loaded = load_policy(tmp_path / 'p.npz')
    observation = np.linspace(-1, 1, 28)
    assert np.array_equal(loaded.act(observation), policy.act(observation))
    assert np.all(np.abs(loaded.act(observation)) <= [0.22, 2.84])


def test_a_file_that_is_not_a_policy_is_named(tmp_path):
    (tmp_path / 'bad.npz').write_text('no')
    with pytest.raises(ValueError, match='bad.npz: not a policy'):
        load_policy(tmp_path / 'bad.npz')
