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

"""Same seed and commands give identical readings; reset restores the start (DIRECT)."""


import numpy as np
from twin_sim import ImuConfig, LidarConfig, OdometryConfig, Pose
from twin_sim.imu import ImuSample
from twin_sim.odometry import OdometryEstimate
from twin_sim.sensors import SENSORS
from twin_sim.twin import Readings

NOISY = {
    'lidar': LidarConfig(range_noise_std=0.01, dropout_probability=0.05, angle_noise_std=0.001),
    'imu': ImuConfig(gyro_bias_walk_std=0.001, accel_bias_walk_std=0.01),
    'odometry': OdometryConfig(encoder_noise_std=0.001),
}


def arena(world):
    world.add_ground()
    world.add_box('wall', (0.2, 4.0, 0.5), Pose(x=1.5, z=0.25))
    world.add_cylinder('pillar', 0.1, 0.5, Pose(x=0.5, y=0.6, z=0.25))


def record(twin) -> list:
    """Drive a fixed command sequence and flatten every reading into arrays."""
    out = []
    for linear, angular, seconds in [(0.2, 0.0, 2.0), (0.1, 1.0, 2.0), (-0.1, -0.5, 1.0)]:
        twin.set_command(linear, angular)
        for readings in twin.run(seconds):
            if readings.scan:
                out.append(readings.scan.ranges)
            if readings.imu:
                out.append(np.concatenate([readings.imu.angular_velocity,
                                           readings.imu.linear_acceleration]))
            if readings.odometry:
                out.append(np.array([readings.odometry.x, readings.odometry.y,
                                     readings.odometry.yaw]))
    out.append(twin.ground_truth().position)
    return out


def identical(first: list, second: list) -> bool:
    return len(first) == len(second) and all(
        np.array_equal(a, b) for a, b in zip(first, second))


def test_same_seed_same_commands_identical_readings(make_twin):
    assert identical(record(make_twin(build_world=arena, seed=7, **NOISY)),
                     record(make_twin(build_world=arena, seed=7, **NOISY)))


def test_different_seeds_differ(make_twin):
    assert not identical(record(make_twin(build_world=arena, seed=7, **NOISY)),
                         record(make_twin(build_world=arena, seed=8, **NOISY)))


def test_reset_restores_the_initial_state_exactly(make_twin):
    twin = make_twin(build_world=arena, seed=3, **NOISY)
    first = record(twin)
    stopped_at = twin.time
    twin.reset()
    assert twin.time == stopped_at   # time has one owner and never runs back
    assert identical(first, record(twin))


def test_a_reset_after_contacts_gives_the_fresh_twins_episode_exactly(make_twin):
    # PyBullet keeps contact manifolds across restoreState; the twin's episode must not
    # depend on them (a gym environment resets by restoring, thousands of times).
    fresh = record(make_twin(build_world=arena, seed=3, **NOISY))
    twin = make_twin(build_world=arena, seed=3, **NOISY)
    for linear, angular, seconds in [(0.22, 0.0, 8.0), (0.0, 2.8, 1.0), (0.22, -2.0, 2.0)]:
        twin.set_command(linear, angular)
        twin.run(seconds)
    assert twin.world.contact_count('robot', 'wall') > 0   # pressed against it at the reset
    twin.reset()
    assert identical(fresh, record(twin))


def test_every_sensor_fills_the_readings_field_it_names(make_twin):
    # RobotTwin.sense hands the readings over in SENSORS' order, as Readings' fields.
    assert [sensor.reading for sensor in SENSORS] == list(Readings._fields[1:])
    first = make_twin().step()   # the IMU and odometry are due at the first step
    assert isinstance(first.imu, ImuSample) and isinstance(first.odometry, OdometryEstimate)
