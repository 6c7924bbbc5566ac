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

"""An IMU: orientation, angular velocity and specific force of a link, with noise and bias."""

from dataclasses import dataclass, replace

import numpy as np

from twin_sim.fields import check_fields, ranged
from twin_sim.robot import DiffDriveRobot, rotation_matrix


@dataclass(frozen=True)
class ImuConfig:
    """
    An IMU mounted on a robot link (noise defaults: a consumer MEMS part).

    :param link: the URDF link whose motion is measured
    :param rate: samples per second of simulated time, Hz
    :param gyro_noise_std: white noise of each angular velocity sample, rad/s
    :param accel_noise_std: white noise of each acceleration sample, m/s^2
    :param gyro_bias_walk_std: random-walk growth of the gyro bias, rad/s per sqrt(s)
    :param accel_bias_walk_std: random-walk growth of the accelerometer bias, m/s^2 per sqrt(s)
    :param orientation_noise_std: uncertainty of the reported orientation, rad (covariance
        only); not 0 by default, which would claim an exact orientation to consumers
    """

    link: str = 'imu_link'
    rate: float = ranged(200.0, 0.1, 10000.0)
    gyro_noise_std: float = ranged(0.002, 0.0, 10.0)
    accel_noise_std: float = ranged(0.017, 0.0, 100.0)
    gyro_bias_walk_std: float = ranged(0.0, 0.0, 10.0)
    accel_bias_walk_std: float = ranged(0.0, 0.0, 100.0)
    orientation_noise_std: float = ranged(0.01, 0.0, 10.0)

    def __post_init__(self):
        """Refuse an inconsistent IMU at construction."""
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first inconsistent setting."""
        check_fields(self, 'imu')


@dataclass(frozen=True)
class ImuSample:
    """
    One IMU sample, in the IMU link's axes (REP-145: at rest, ``linear_acceleration`` is +g up).

    Covariances are the diagonals of the 3x3 matrices, from the noise settings.
    """

    orientation: np.ndarray  # (x, y, z, w), the link in the world
    angular_velocity: np.ndarray
    linear_acceleration: np.ndarray
    orientation_variance: float
    angular_velocity_variance: float
    linear_acceleration_variance: float


class Imu:
    """Sample an IMU link: differentiate its velocity between samples, add noise and bias."""

    def __init__(self, robot: DiffDriveRobot, config: ImuConfig, gravity: float,
                 rng: np.random.Generator):
        """
        Mount the IMU on ``robot``.

        :param gravity: the world's gravity, m/s^2 (the accelerometer feels it)
        :param rng: the source of every random draw this sensor makes
        """
        config.validate()
        self.robot, self.config, self.rng = robot, config, rng
        self.link = robot.link_index(config.link, 'imu')
        self.gravity = np.array([0.0, 0.0, -gravity])
        self.reset()

    def reset(self) -> None:
        """Forget the previous sample and the biases."""
        self.previous = None  # (time s, world linear velocity) of the previous sample
        self.gyro_bias = np.zeros(3)
        self.accel_bias = np.zeros(3)

    def sample(self, time: float) -> ImuSample:
        """Measure the IMU at simulated ``time`` (s)."""
        config = self.config
        state = self.robot.link_state(self.link)
        rotation = rotation_matrix(state.orientation)
        world_velocity = rotation @ state.linear_velocity
        acceleration = np.zeros(3)
        if self.previous is not None and time > self.previous[0]:
            dt = time - self.previous[0]
            acceleration = (world_velocity - self.previous[1]) / dt
            if config.gyro_bias_walk_std or config.accel_bias_walk_std:
                self._walk_biases(dt)
        self.previous = (time, world_velocity)
        # An accelerometer measures specific force: acceleration minus gravity.
        specific_force = rotation.T @ (acceleration - self.gravity)
        return ImuSample(
            orientation=state.orientation,
            angular_velocity=state.angular_velocity + self.gyro_bias +
            self.rng.normal(0.0, config.gyro_noise_std, 3),
            linear_acceleration=specific_force + self.accel_bias +
            self.rng.normal(0.0, config.accel_noise_std, 3),
            orientation_variance=config.orientation_noise_std ** 2,
            angular_velocity_variance=config.gyro_noise_std ** 2,
            linear_acceleration_variance=config.accel_noise_std ** 2)

    def _walk_biases(self, dt: float) -> None:
        scale = np.sqrt(dt)
        self.gyro_bias += self.rng.normal(0.0, self.config.gyro_bias_walk_std * scale, 3)
        self.accel_bias += self.rng.normal(0.0, self.config.accel_bias_walk_std * scale, 3)


def faulted_sample(sample: ImuSample, faults, previous: ImuSample | None) -> ImuSample:
    """
    Return ``sample`` as the active IMU faults (twin_sim.faults) make it.

    :param previous: the sample delivered before this one (a freeze repeats it)
    """
    if previous is not None and any(fault.kind == 'imu_freeze' for fault in faults):
        return previous   # a frozen driver repeats itself exactly
    for fault in faults:
        if fault.kind == 'imu_bias':
            sample = replace(sample,
                             angular_velocity=sample.angular_velocity + fault.params['gyro'],
                             linear_acceleration=sample.linear_acceleration +
                             fault.params['accel'])
    return sample
