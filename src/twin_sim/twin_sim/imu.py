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

from dataclasses import dataclass
import math
from typing import NamedTuple

import numpy as np
import pybullet

from twin_sim.fields import check_fields, ranged
from twin_sim.robot import DiffDriveRobot
from twin_sim.world import origin_velocity

NOISE_BLOCK = 240   # standard normal draws fetched from the random stream at a time


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
    :param gyro_bias_z: constant gyro bias about z, rad/s, added to every yaw rate sample (a
        calibrated robot's zero-rate offset)
    """

    link: str = 'imu_link'
    rate: float = ranged(200.0, 0.1, 10000.0)
    gyro_noise_std: float = ranged(0.002, 0.0, 10.0)
    accel_noise_std: float = ranged(0.017, 0.0, 100.0)
    gyro_bias_walk_std: float = ranged(0.0, 0.0, 10.0)
    accel_bias_walk_std: float = ranged(0.0, 0.0, 100.0)
    orientation_noise_std: float = ranged(0.01, 0.0, 10.0)
    gyro_bias_z: float = ranged(0.0, -10.0, 10.0)

    def __post_init__(self):
        """Refuse an inconsistent IMU at construction."""
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first inconsistent setting."""
        check_fields(self, 'imu')


class ImuSample(NamedTuple):
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


class NormalDraws:
    """
    Standard normal draws from a random stream, fetched in blocks.

    The sequence is the one ``rng.normal`` would give draw by draw (``normal(0, s)`` is ``s``
    times a standard normal draw), for a fraction of the cost of a call per sample.
    """

    def __init__(self, rng: np.random.Generator, block: int = NOISE_BLOCK):
        """:param block: draws fetched at once."""
        self.rng, self.block = rng, block
        self.values, self.used = [], 0

    def take(self, count: int) -> list[float]:
        """Return the next ``count`` draws."""
        if self.used + count > len(self.values):
            self.values = self.values[self.used:] + self.rng.standard_normal(self.block).tolist()
            self.used = 0
        self.used += count
        return self.values[self.used - count:self.used]


class Imu:
    """
    Sample an IMU link: differentiate its velocity between samples, add noise and bias.

    In plain floats: a sample is a few dozen operations on 3-vectors, which numpy makes
    ten times dearer than the one PyBullet read it needs.
    """

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
        self.gravity = gravity
        # Every sample's covariance diagonals, from the noise settings.
        self.variances = (config.orientation_noise_std ** 2, config.gyro_noise_std ** 2,
                          config.accel_noise_std ** 2)
        self.reset()

    def reset(self) -> None:
        """Forget the previous sample and the biases."""
        self.previous = None  # (time s, world linear velocity) of the previous sample
        self.gyro_bias = [0.0, 0.0, self.config.gyro_bias_z]
        self.accel_bias = [0.0, 0.0, 0.0]
        self.draws = NormalDraws(self.rng)

    def sample(self, time: float) -> ImuSample:
        """Measure the IMU at simulated ``time`` (s)."""
        config = self.config
        orientation, velocity, (wx, wy, wz) = self._world_motion()
        ax = ay = az = 0.0
        if self.previous is not None and time > self.previous[0]:
            dt = time - self.previous[0]
            (vx, vy, vz), (ux, uy, uz) = velocity, self.previous[1]
            ax, ay, az = (vx - ux) / dt, (vy - uy) / dt, (vz - uz) / dt
            if config.gyro_bias_walk_std or config.accel_bias_walk_std:
                self._walk_biases(dt)
        self.previous = (time, velocity)
        # An accelerometer measures specific force, acceleration minus gravity; both the
        # gyro and it measure in the IMU's axes: R^T times the world vectors.
        az += self.gravity
        r = pybullet.getMatrixFromQuaternion(orientation)   # row-major: r[3 i + j] = R[i][j]
        gyro_std, accel_std = config.gyro_noise_std, config.accel_noise_std
        gyro_bias, accel_bias = self.gyro_bias, self.accel_bias
        noise = self.draws.take(6)
        # By position: orientation, angular velocity, linear acceleration, the variances.
        return ImuSample(
            np.array(orientation),
            np.array((
                r[0] * wx + r[3] * wy + r[6] * wz + gyro_bias[0] + gyro_std * noise[0],
                r[1] * wx + r[4] * wy + r[7] * wz + gyro_bias[1] + gyro_std * noise[1],
                r[2] * wx + r[5] * wy + r[8] * wz + gyro_bias[2] + gyro_std * noise[2])),
            np.array((
                r[0] * ax + r[3] * ay + r[6] * az + accel_bias[0] + accel_std * noise[3],
                r[1] * ax + r[4] * ay + r[7] * az + accel_bias[1] + accel_std * noise[4],
                r[2] * ax + r[5] * ay + r[8] * az + accel_bias[2] + accel_std * noise[5])),
            *self.variances)

    def _world_motion(self) -> tuple[tuple, tuple, tuple]:
        """Return the link frame's orientation and its origin's velocities, world axes."""
        robot = self.robot
        if self.link < 0:   # the root link: PyBullet's base, in world axes as wanted here
            _, orientation, velocity, angular = robot.world.root_state(robot.name)
            return orientation, velocity, angular
        # Straight to PyBullet (not World.call), arguments by position (bodyUniqueId,
        # linkIndex, computeLinkVelocity, computeForwardKinematics, physicsClientId): this runs
        # at the IMU's rate.
        state = pybullet.getLinkState(robot.body, self.link, 1, 0, robot.world.client)
        com, position, orientation, linear, angular = (state[0], state[4], state[5],
                                                       state[6], state[7])
        return orientation, origin_velocity(linear, angular, position, com), angular

    def _walk_biases(self, dt: float) -> None:
        scale = math.sqrt(dt)
        gyro_step = self.config.gyro_bias_walk_std * scale
        accel_step = self.config.accel_bias_walk_std * scale
        draws = self.draws.take(6)
        self.gyro_bias = [b + gyro_step * d for b, d in zip(self.gyro_bias, draws[:3])]
        self.accel_bias = [b + accel_step * d for b, d in zip(self.accel_bias, draws[3:])]


def faulted_sample(sample: ImuSample, faults, previous: ImuSample | None) -> ImuSample:
    """
    Return ``sample`` as the active IMU faults (twin_sim.faults) make it.

    :param previous: the sample delivered before this one (a freeze repeats it)
    """
    if previous is not None and any(fault.kind == 'imu_freeze' for fault in faults):
        return previous   # a frozen driver repeats itself exactly
    for fault in faults:
        if fault.kind == 'imu_bias':
            sample = sample._replace(
                angular_velocity=sample.angular_velocity + fault.params['gyro'],
                linear_acceleration=sample.linear_acceleration + fault.params['accel'])
    return sample
