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

"""IMU readings at rest and in a turn (PyBullet DIRECT)."""

import numpy as np
import pytest
from twin_sim import ImuConfig, TwinConfig
from twin_sim.imu import NormalDraws


def imu_samples(readings):
    return [r.imu for r in readings if r.imu is not None]


def test_at_rest_the_accelerometer_feels_plus_g_on_z(make_twin):
    twin = make_twin(TwinConfig(robot=make_twin().config.robot))  # default noise on
    samples = imu_samples(twin.run(2.0))[-100:]
    z = np.array([s.linear_acceleration[2] for s in samples])
    assert z.mean() == pytest.approx(9.81, abs=0.05)
    assert np.abs([s.linear_acceleration[:2] for s in samples]).mean() < 0.05


def test_a_left_turn_reads_positive_yaw_rate(make_twin):
    twin = make_twin()
    twin.set_command(0.0, 1.0)
    sample = imu_samples(twin.run(2.0))[-1]
    assert sample.angular_velocity[2] == pytest.approx(1.0, abs=0.05)


def test_speeding_up_reads_forward_acceleration(make_twin):
    twin = make_twin()
    twin.set_command(0.22, 0.0)
    samples = imu_samples(twin.run(0.05))
    assert max(s.linear_acceleration[0] for s in samples) > 1.0


def test_covariances_come_from_the_noise_settings(make_twin):
    twin = make_twin(imu=ImuConfig(gyro_noise_std=0.01, accel_noise_std=0.1,
                                   orientation_noise_std=0.02))
    sample = imu_samples(twin.run(0.1))[-1]
    assert (sample.angular_velocity_variance, sample.linear_acceleration_variance,
            sample.orientation_variance) == pytest.approx((1e-4, 1e-2, 4e-4))


def test_bias_random_walk_drifts_the_gyro(make_twin):
    twin = make_twin(imu=ImuConfig(gyro_noise_std=0.0, accel_noise_std=0.0,
                                   gyro_bias_walk_std=0.01))
    samples = imu_samples(twin.run(10.0))
    assert np.abs(samples[-1].angular_velocity).max() > 1e-3


def test_sample_rate(make_twin):
    twin = make_twin()
    assert len(imu_samples(twin.run(1.0))) == pytest.approx(200, abs=1)


def test_a_constant_gyro_bias_offsets_the_yaw_rate_only(make_twin):
    def turning(config):
        twin = make_twin(imu=config)
        twin.set_command(0.1, 0.5)
        return imu_samples(twin.run(0.5))
    noisy = {'gyro_noise_std': 0.01, 'accel_noise_std': 0.1, 'gyro_bias_walk_std': 0.001}
    plain = turning(ImuConfig(**noisy))
    biased = turning(ImuConfig(gyro_bias_z=0.05, **noisy))
    offsets = np.array([b.angular_velocity - p.angular_velocity for p, b in zip(plain, biased)])
    assert offsets[:, 2] == pytest.approx(0.05, abs=1e-12)
    assert np.abs(offsets[:, :2]).max() < 1e-12
    assert np.array_equal([b.linear_acceleration for b in biased],
                          [p.linear_acceleration for p in plain])


def test_the_rates_are_the_links_own_angular_velocity(make_twin):
    twin = make_twin()   # noise off: a sample is the link's motion itself
    twin.set_command(0.2, 1.0)
    twin.run(1.0)
    imu = twin.robots[0].sensors['imu'].imu
    state = twin.robot.link_state(imu.link)
    sample = imu.sample(10.0)
    assert sample.angular_velocity == pytest.approx(state.angular_velocity, abs=1e-12)
    assert sample.orientation == pytest.approx(state.orientation, abs=1e-12)


def test_noise_drawn_in_blocks_is_the_stream_drawn_sample_by_sample():
    blocked = NormalDraws(np.random.default_rng(3), block=5)
    stream = np.random.default_rng(3)
    for _ in range(7):
        assert [0.02 * v for v in blocked.take(3)] == stream.normal(0.0, 0.02, 3).tolist()


def test_an_imu_on_the_root_link_reads_its_motion(make_twin):
    twin = make_twin(imu=ImuConfig(link='base_footprint', gyro_noise_std=0.0,
                                   accel_noise_std=0.0))
    twin.set_command(0.0, 1.0)
    samples = imu_samples(twin.run(2.0))
    assert samples[-1].angular_velocity[2] == pytest.approx(1.0, abs=0.05)
    assert samples[-1].linear_acceleration[2] == pytest.approx(9.81, abs=0.1)
