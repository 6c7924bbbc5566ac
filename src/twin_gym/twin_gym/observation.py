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
The observation a policy sees, built the same way from the core and from ROS messages.

Numpy only, so the environments (pure) and the policy node (ROS) share it. The layout:

=========================  ======================================================
``[0, beams)``             the scan, decimated to ``beams`` sectors, m (see below)
``beams``                  forward velocity from wheel odometry, m/s
``beams + 1``              yaw rate from wheel odometry, rad/s
``beams + 2, beams + 3``   the goal in the robot's frame (from odometry), m, x ahead, y left
=========================  ======================================================

The pose the goal is seen from is :class:`ImuOdometry`'s: the wheels' distance, the IMU's
heading. A wheel a little larger than the firmware believes bends the path while wheel
odometry still reports a straight one; the IMU sees the bend.

The scan is what the bridge publishes (float32 ranges, REP-117): each sector holds the
closest reading of its consecutive beams, with ``+inf`` (nothing within range) and ``NaN``
(invalid) read as ``range_max`` and ``-inf`` (closer than ``range_min``) read as 0.
"""

from dataclasses import dataclass
import math

import numpy as np

GOAL_LIMIT_M = 10.0       # goal coordinates are clipped to +-this
VELOCITY_LIMIT = 5.0      # m/s and rad/s bounds of the odometry entries (far beyond the robot)


@dataclass(frozen=True)
class ObservationConfig:
    """
    How the observation is built.

    :param beams: sectors the scan is decimated to; must divide the scan's beam count
    :param range_max: the LIDAR's range_max, m: the value of ``+inf`` and the upper bound
    """

    beams: int = 24
    range_max: float = 3.5

    @property
    def size(self) -> int:
        """Return the observation's length."""
        return self.beams + 4

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the lowest and highest value of each entry."""
        low = np.concatenate([np.zeros(self.beams), [-VELOCITY_LIMIT] * 2, [-GOAL_LIMIT_M] * 2])
        high = np.concatenate([np.full(self.beams, self.range_max), [VELOCITY_LIMIT] * 2,
                               [GOAL_LIMIT_M] * 2])
        return low.astype(np.float32), high.astype(np.float32)


def decimate_scan(ranges, beams: int, range_max: float) -> np.ndarray:
    """
    Return the closest reading of each of ``beams`` equal sectors of a REP-117 scan, m.

    :param ranges: the published ranges (float32), beam 0 first
    :raises ValueError: ``beams`` does not divide the number of ranges
    """
    values = np.asarray(ranges, dtype=np.float32)
    if beams <= 0 or values.size % beams:
        raise ValueError(f'observation beams={beams} must divide the scan of {values.size} '
                         f'beams (e.g. {", ".join(map(str, _divisors(values.size)))})')
    values = np.where(np.isnan(values) | (values == np.inf), np.float32(range_max), values)
    values = np.clip(values, 0.0, range_max)   # -inf (too close) becomes 0
    return values.reshape(beams, -1).min(axis=1)


def _divisors(count: int) -> list[int]:
    return [d for d in (8, 12, 18, 24, 36, 40, 45, 60, 72, 90, 120, 180, 360) if count % d == 0]


def goal_in_robot_frame(x: float, y: float, yaw: float,
                        goal: tuple[float, float]) -> tuple[float, float]:
    """Return the goal (x, y in the odom frame) seen from the pose (x, y, yaw): ahead, left."""
    dx, dy = goal[0] - x, goal[1] - y
    cos, sin = math.cos(yaw), math.sin(yaw)
    return cos * dx + sin * dy, -sin * dx + cos * dy


def quaternion_yaw(x: float, y: float, z: float, w: float) -> float:
    """Return the yaw (rad) of an orientation quaternion."""
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


class ImuOdometry:
    """
    Dead reckoning from the wheels' distance and the IMU's heading, in the odom frame.

    The distance of each step is the wheel odometry's advance along its own heading (it is
    right to the wheel radii's mean); the heading follows the IMU's orientation, which no
    wheel error touches (integrating the gyro's samples instead lost about 2 % of every
    fast turn). Feed it the wheel odometry and the IMU as they arrive, the same way from the
    core (the environments) and from ``Odometry`` and ``Imu`` messages (the node). It starts
    at the first wheel-odometry pose it is given.
    """

    def __init__(self):
        """Wait for the first wheel odometry."""
        self.x = self.y = self.yaw = 0.0
        self._wheels: tuple[float, float, float] | None = None
        self._imu_yaw: float | None = None
        self._yaw_at_wheels = 0.0

    def on_imu(self, yaw: float) -> None:
        """Turn by the change of the IMU's yaw (rad) since its previous sample."""
        if self._imu_yaw is not None:
            self.yaw += math.remainder(yaw - self._imu_yaw, 2.0 * math.pi)
        self._imu_yaw = yaw

    def on_wheels(self, x: float, y: float, yaw: float) -> None:
        """Advance by a wheel-odometry pose's (m, m, rad) step along the IMU's heading."""
        if self._wheels is None:
            self.x, self.y, self.yaw = x, y, yaw
        else:
            last_x, last_y, last_yaw = self._wheels
            middle = 0.5 * (last_yaw + yaw)
            distance = math.cos(middle) * (x - last_x) + math.sin(middle) * (y - last_y)
            heading = 0.5 * (self._yaw_at_wheels + self.yaw)
            self.x += distance * math.cos(heading)
            self.y += distance * math.sin(heading)
        self._wheels, self._yaw_at_wheels = (x, y, yaw), self.yaw

    @property
    def pose(self) -> tuple[float, float, float]:
        """Return (x, y, yaw) in the odom frame."""
        return self.x, self.y, self.yaw


def build_observation(config: ObservationConfig, ranges, linear: float, angular: float,
                      pose: tuple[float, float, float],
                      goal: tuple[float, float] | None) -> np.ndarray:
    """
    Return the observation (float32) from a scan's ranges and wheel odometry.

    :param ranges: the scan's ranges as published (``LaserScan.ranges``, or a core scan's
        ranges as float32)
    :param linear: odometry's forward velocity, m/s
    :param angular: odometry's yaw rate, rad/s
    :param pose: (x, y, yaw) in the odom frame (:attr:`ImuOdometry.pose`)
    :param goal: the goal in the odom frame; None (no goal) gives (0, 0)
    """
    ahead, left = (0.0, 0.0) if goal is None else goal_in_robot_frame(*pose, goal)
    rest = np.clip([linear, angular], -VELOCITY_LIMIT, VELOCITY_LIMIT)
    target = np.clip([ahead, left], -GOAL_LIMIT_M, GOAL_LIMIT_M)
    return np.concatenate([decimate_scan(ranges, config.beams, config.range_max),
                           rest, target]).astype(np.float32)
