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

"""Wheel odometry: dead reckoning from encoder readings, drifting the way real odometry does."""

from dataclasses import dataclass
import math
from typing import NamedTuple

import numpy as np

from twin_sim.fields import check_fields, ranged
from twin_sim.kinematics import integrate_pose, wheels_to_body


@dataclass(frozen=True)
class OdometryConfig:
    """
    Wheel encoders and the odometry computed from them.

    :param rate: odometry updates per second of simulated time, Hz
    :param encoder_ticks_per_revolution: resolution; 0 reads exact angles (TurtleBot3: 4096)
    :param encoder_noise_std: Gaussian error of each encoder reading, rad
    :param wheel_radius_error: relative error of the radius odometry assumes (0.01: 1 % large)
    :param wheel_separation_error: relative error of the separation odometry assumes
    """

    rate: float = ranged(50.0, 0.1, 10000.0)
    encoder_ticks_per_revolution: int = ranged(4096, 0, 10**7)
    encoder_noise_std: float = ranged(0.0, 0.0, 10.0)
    wheel_radius_error: float = ranged(0.0, -0.5, 0.5)
    wheel_separation_error: float = ranged(0.0, -0.5, 0.5)

    def __post_init__(self):
        """Refuse inconsistent odometry at construction."""
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first inconsistent setting."""
        check_fields(self, 'odometry')


class OdometryEstimate(NamedTuple):
    """
    Pose in the odometry frame and twist in the base frame (REP-105).

    :param x: m
    :param y: m
    :param yaw: rad, unwrapped (keeps counting past +-pi)
    :param linear: forward velocity, m/s
    :param angular: yaw rate, rad/s
    :param position_variance: of x and of y, m^2, grown from the encoder model since reset
    :param yaw_variance: rad^2, likewise
    :param linear_variance: of ``linear``, (m/s)^2
    :param angular_variance: of ``angular``, (rad/s)^2
    """

    x: float
    y: float
    yaw: float
    linear: float
    angular: float
    position_variance: float = 0.0
    yaw_variance: float = 0.0
    linear_variance: float = 0.0
    angular_variance: float = 0.0


class WheelOdometry:
    """Integrate wheel encoder readings into a pose; knows nothing of the true pose."""

    def __init__(self, config: OdometryConfig, wheel_radius: float, wheel_separation: float,
                 rng: np.random.Generator):
        """
        Set up the encoders and the geometry odometry assumes.

        :param wheel_radius: the nominal wheel radius (the firmware's), m; odometry assumes
            it with its error
        :param wheel_separation: the nominal separation, m
        :param rng: the source of every random draw the encoders make
        """
        config.validate()
        self.config, self.rng = config, rng
        self.radius = wheel_radius * (1.0 + config.wheel_radius_error)
        self.separation = wheel_separation * (1.0 + config.wheel_separation_error)
        # Variance of one wheel's angle change between readings: two readings' noise, and
        # quantisation (uniform over one tick) of each.
        ticks = config.encoder_ticks_per_revolution
        tick = 2.0 * math.pi / ticks if ticks else 0.0
        self.wheel_delta_variance = 2.0 * (config.encoder_noise_std ** 2 + tick ** 2 / 12.0)
        # distance = r (l + r) / 2 and rotation = r (r - l) / s, wheels independent: the
        # variances an update adds.
        self.distance_variance = self.radius ** 2 * self.wheel_delta_variance / 2.0
        self.rotation_variance = (2.0 * (self.radius / self.separation) ** 2 *
                                  self.wheel_delta_variance)
        self.reset((0.0, 0.0))

    def reset(self, wheel_angles: tuple[float, float], x: float = 0.0, y: float = 0.0,
              yaw: float = 0.0) -> None:
        """Start again from a pose, taking the current wheel angles as the reference."""
        self.previous_angles = self.read_encoders(wheel_angles)
        self.estimate = OdometryEstimate(x, y, yaw, 0.0, 0.0)

    def read_encoders(self, wheel_angles: tuple[float, float]) -> tuple[float, float]:
        """Return what the encoders report for true wheel angles (rad)."""
        left, right = wheel_angles
        if self.config.encoder_noise_std > 0.0:
            noise = self.rng.normal(0.0, self.config.encoder_noise_std, 2)
            left, right = left + float(noise[0]), right + float(noise[1])
        ticks = self.config.encoder_ticks_per_revolution
        if ticks:
            # round() halves to even, as numpy's does.
            resolution = 2.0 * math.pi / ticks
            left = round(left / resolution) * resolution
            right = round(right / resolution) * resolution
        return left, right

    def update(self, wheel_angles: tuple[float, float], dt: float) -> OdometryEstimate:
        """
        Advance the estimate with the encoder readings after ``dt`` seconds.

        :param wheel_angles: true (left, right) wheel angles, rad, positive rolling forward
        """
        left, right = self.read_encoders(wheel_angles)
        left_before, right_before = self.previous_angles
        self.previous_angles = left, right
        distance, rotation = wheels_to_body(left - left_before, right - right_before,
                                            self.radius, self.separation)
        previous = self.estimate
        x, y, yaw = integrate_pose(previous.x, previous.y, previous.yaw, distance, rotation)
        distance_variance, rotation_variance = self.distance_variance, self.rotation_variance
        self.estimate = OdometryEstimate(
            x, y, yaw, distance / dt, rotation / dt,
            position_variance=previous.position_variance + distance_variance,
            yaw_variance=previous.yaw_variance + rotation_variance,
            linear_variance=distance_variance / dt ** 2,
            angular_variance=rotation_variance / dt ** 2)
        return self.estimate
