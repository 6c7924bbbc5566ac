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
                                  ImuOdometry, ObservationConfig, quaternion_yaw)
from twin_gym.policy import features, load_policy, MlpPolicy


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
    """The core's readings through the bridge's conversions give the same observation."""
    from twin_bridge.conversions import imu, odometry, ScanConverter
    env = gymnasium.make('twin/GoalReaching-v0', beams=36)
    twin = env.unwrapped.twin
    messages, step = [], twin.step

    def converting_step():   # what the bridge would publish, as it happens
        readings = step()
        if readings.imu is not None:
            messages.append(imu(readings.imu, 'imu_link', readings.time_ns))
        if readings.odometry is not None:
            messages.append(odometry(readings.odometry, 'odom', 'base_footprint',
                                     readings.time_ns))
        return readings
    twin.step = converting_step
    try:
        observation, info = env.reset(seed=5)
        for _ in range(7):
            observation, *_ = env.step(np.array([0.2, 0.5], dtype=np.float32))
        scan_msg = ScanConverter(twin.config.lidar, 'base_scan').convert(env.unwrapped.scan)
    finally:
        env.close()
    node_reckoning = ImuOdometry()   # the node's, fed the episode's messages
    for msg in messages:
        if hasattr(msg, 'angular_velocity'):
            q = msg.orientation
            node_reckoning.on_imu(quaternion_yaw(q.x, q.y, q.z, q.w))
        else:
            pose = msg.pose.pose
            node_reckoning.on_wheels(pose.position.x, pose.position.y,
                                     2.0 * math.atan2(pose.orientation.z, pose.orientation.w))
    odom_msg = next(m for m in reversed(messages) if not hasattr(m, 'angular_velocity'))
    from_messages = build_observation(
        ObservationConfig(36, scan_msg.range_max), scan_msg.ranges,
        odom_msg.twist.twist.linear.x, odom_msg.twist.twist.angular.z, node_reckoning.pose,
        info['goal_odom'])
    assert np.isinf(env.unwrapped.scan.ranges).any()   # the room has misses to map
    np.testing.assert_allclose(from_messages, observation, rtol=0, atol=1e-5)


def test_dead_reckoning_takes_the_heading_from_the_imu():
    """Wheels that read straight while the IMU turns: the dead-reckoned path bends."""
    reckoning = ImuOdometry()
    reckoning.on_wheels(1.0, 2.0, 0.5)   # it starts at the first wheel odometry
    assert reckoning.pose == (1.0, 2.0, 0.5)
    reckoning = ImuOdometry()
    reckoning.on_imu(3.0)                # before the wheels: only its reference
    reckoning.on_wheels(0.0, 0.0, 0.0)
    for step in range(1, 101):           # 1 m straight by the wheels, turning 1 rad by the IMU
        reckoning.on_imu(math.remainder(3.0 + step * 0.01, 2.0 * math.pi))   # wraps past pi
        reckoning.on_wheels(step * 0.01, 0.0, 0.0)
    x, y, yaw = reckoning.pose
    assert yaw == pytest.approx(1.0)
    assert (x, y) == pytest.approx((math.sin(1.0), 1.0 - math.cos(1.0)), abs=0.005)
    assert quaternion_yaw(0.0, 0.0, math.sin(0.4), math.cos(0.4)) == pytest.approx(0.8)


def test_features_read_proximity_and_the_goal_bearing():
    observation = np.array([0.3, 2.0, 0.6, 0.0, 0.1, -0.2, 0.0, 3.0])
    values = features(observation, 0.6)
    assert values[:4].tolist() == pytest.approx([0.5, 0.0, 0.0, 1.0])
    assert values[4:].tolist() == pytest.approx([0.1, -0.2, 0.0, 1.0, 2.0])   # left, capped
    policy = MlpPolicy.random([9, 2], np.ones(9), (0.22, 2.84), np.random.default_rng(1), 0.6)
    assert policy.beams == 4


@pytest.mark.parametrize('inputs, proximity_range', [(28, None), (29, 0.6)])
def test_a_policy_round_trips_through_npz(tmp_path, inputs, proximity_range):
    policy = MlpPolicy.random([inputs, 8, 2], np.ones(inputs), (0.22, 2.84),
                              np.random.default_rng(1), proximity_range)
    policy.save(tmp_path / 'p.npz')
    loaded = load_policy(tmp_path / 'p.npz')
    observation = np.linspace(-1, 1, 28)
    assert loaded.proximity_range == proximity_range and loaded.beams == 24
    assert np.array_equal(loaded.act(observation), policy.act(observation))
    assert np.all(np.abs(loaded.act(observation)) <= [0.22, 2.84])


def test_a_file_that_is_not_a_policy_is_named(tmp_path):
    (tmp_path / 'bad.npz').write_text('no')
    with pytest.raises(ValueError, match='bad.npz: not a policy'):
        load_policy(tmp_path / 'bad.npz')
