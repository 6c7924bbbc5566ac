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
Differential-drive kinematics and command limits: pure functions of numbers, no physics.

Conventions (REP-103): x forward, y left, z up; positive angular velocity turns left.
"""

from dataclasses import dataclass
import math

from twin_sim.fields import check_fields, ranged


@dataclass(frozen=True)
class DriveLimits:
    """
    Velocity and acceleration limits of the base (defaults: TurtleBot3 Burger).

    :param max_linear_velocity: m/s, both directions
    :param max_angular_velocity: rad/s, both directions
    :param max_linear_acceleration: m/s^2, speeding up and slowing down
    :param max_angular_acceleration: rad/s^2
    """

    max_linear_velocity: float = ranged(0.22, 0.0, 100.0)
    max_angular_velocity: float = ranged(2.84, 0.0, 100.0)
    max_linear_acceleration: float = ranged(2.5, 0.0, 1000.0)
    max_angular_acceleration: float = ranged(3.2, 0.0, 1000.0)

    def __post_init__(self):
        """Refuse limits out of range at construction."""
        check_fields(self, 'limits')


def body_to_wheels(linear: float, angular: float, wheel_radius: float,
                   wheel_separation: float) -> tuple[float, float]:
    """Return (left, right) wheel angular velocities in rad/s for a body twist."""
    half_track = angular * wheel_separation / 2.0
    return (linear - half_track) / wheel_radius, (linear + half_track) / wheel_radius


def wheels_to_body(left: float, right: float, wheel_radius: float,
                   wheel_separation: float) -> tuple[float, float]:
    """Return the body (linear, angular) motion for (left, right) wheel motions."""
    return ((right + left) * wheel_radius / 2.0,
            (right - left) * wheel_radius / wheel_separation)


class VelocityLimiter:
    """
    Turn a requested body twist into one the base can follow.

    Requests are saturated at the velocity limits, and the output moves toward them no
    faster than the acceleration limits allow. Non-finite requests are never accepted
    (callers validate; this is the last guard before the motors).
    """

    def __init__(self, limits: DriveLimits):
        """
        Start at rest.

        :param limits: the limits to apply
        """
        self.limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget the previous output: the base is at rest."""
        self.linear = self.angular = 0.0
        self.reached = None   # a request the output has reached, so repeats change nothing

    def update(self, linear: float, angular: float, dt: float) -> tuple[float, float]:
        """
        Return the limited twist for the next ``dt`` seconds.

        :param linear: requested linear velocity, m/s
        :param angular: requested angular velocity, rad/s
        :param dt: time since the previous update, s
        """
        # A request held after its target was reached leaves the output as it is (every
        # step of a steady drive): the arithmetic below would add zeros.
        request = (linear, angular)
        if request == self.reached:
            return self.linear, self.angular
        finite = math.isfinite(linear) and math.isfinite(angular)
        if not finite:
            linear = angular = 0.0
        limits = self.limits
        # Saturate the request, then move toward it by at most an acceleration limit's worth
        # (written out: this runs every physics step).
        top_speed, top_rate = limits.max_linear_velocity, limits.max_angular_velocity
        linear = max(-top_speed, min(top_speed, linear))
        angular = max(-top_rate, min(top_rate, angular))
        speed_step = limits.max_linear_acceleration * dt
        rate_step = limits.max_angular_acceleration * dt
        self.linear += max(-speed_step, min(speed_step, linear - self.linear))
        self.angular += max(-rate_step, min(rate_step, angular - self.angular))
        # Only the latest request counts: an older one reached is stale once another came.
        reached = finite and self.linear == linear and self.angular == angular
        self.reached = request if reached else None
        return self.linear, self.angular


def integrate_pose(x: float, y: float, yaw: float, distance: float,
                   rotation: float) -> tuple[float, float, float]:
    """
    Advance a planar pose by a travelled ``distance`` and a ``rotation`` (exact arc).

    Uses the second-order midpoint form for small rotations, where the arc formula divides
    by nearly zero (the same split as ros2_controllers' diff_drive odometry).
    """
    if abs(rotation) < 1e-6:
        mid_yaw = yaw + rotation / 2.0
        return (x + distance * math.cos(mid_yaw), y + distance * math.sin(mid_yaw),
                yaw + rotation)
    radius = distance / rotation
    new_yaw = yaw + rotation
    return (x + radius * (math.sin(new_yaw) - math.sin(yaw)),
            y - radius * (math.cos(new_yaw) - math.cos(yaw)),
            new_yaw)


def wrap_angle(angle: float) -> float:
    """Wrap an angle into [-pi, pi)."""
    return (angle + math.pi) % (2.0 * math.pi) - math.pi
