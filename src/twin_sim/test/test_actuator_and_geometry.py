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
Actuator dynamics and physical wheel geometry in the physics (PyBullet DIRECT).

The nominal geometry is the firmware's (cmd_vel -> wheel speeds, odometry); the physical one
is the body's. Expected values come from the kinematics, not from a previous run.
"""

import math

import numpy as np
import pytest
from twin_sim import DriveConfig, DriveLimits, OdometryConfig, PhysicalConfig

# Limits that never bind, so the actuator's own response is what is measured.
UNLIMITED = DriveLimits(max_linear_velocity=1.0, max_angular_velocity=10.0,
                        max_linear_acceleration=1000.0, max_angular_acceleration=1000.0)
R, S = 0.033, 0.160   # the Burger's wheel radius and separation, m


def wheel_speeds(twin) -> np.ndarray:
    """Return the (left, right) wheel speeds, rad/s, positive rolling forward."""
    _, velocities = twin.robot.wheel_joint_states()
    return np.array(velocities) * np.array(twin.robot.wheel_signs)


def step_response(twin, linear: float, steps: int) -> tuple[float, np.ndarray]:
    """Command ``linear`` from rest; return the step and the left wheel speed after each."""
    twin.run(0.5)   # settle at rest
    twin.set_command(linear, 0.0)
    return twin.config.physics.step, np.array([(twin.step(), wheel_speeds(twin)[0])[1]
                                               for _ in range(steps)])


def test_a_time_constant_of_a_tenth_of_a_second_reaches_63_percent_at_0_1_s(make_twin):
    twin = make_twin(drive=DriveConfig(limits=UNLIMITED, time_constant=0.1))
    dt, speeds = step_response(twin, 0.1, 240)
    final = 0.1 / R
    assert speeds[-1] == pytest.approx(final, rel=0.01)
    times = dt * np.arange(1, len(speeds) + 1)   # each speed is at the end of its step
    crossing = float(np.interp((1.0 - 1.0 / math.e) * final, speeds, times))
    assert crossing == pytest.approx(0.1, rel=0.05)


def test_without_a_time_constant_the_wheel_follows_within_a_step(make_twin):
    twin = make_twin(drive=DriveConfig(limits=UNLIMITED))
    _, speeds = step_response(twin, 0.1, 5)
    assert speeds[0] == pytest.approx(0.1 / R, rel=0.02)


def test_a_dead_time_of_40_ms_starts_the_motion_40_ms_after_the_command(make_twin):
    twin = make_twin(drive=DriveConfig(dead_time=0.040))
    dt, speeds = step_response(twin, 0.1, 30)
    first_moving_step = int(np.argmax(np.abs(speeds) > 1e-3))
    assert first_moving_step > 0
    started = first_moving_step * dt          # the start of the first step that moves it
    assert abs(started - 0.040) <= dt
    assert np.abs(speeds[:first_moving_step]).max() < 1e-4


def drive_straight_for(twin, seconds: float, speed: float = 0.2):
    """Command straight motion for ``seconds``; return the last odometry."""
    twin.set_command(speed, 0.0)
    return [r.odometry for r in twin.run(seconds) if r.odometry][-1]


def circle_radius(twin) -> float:
    """Return the radius of the arc driven from the start (signed: + left), m."""
    truth = twin.ground_truth(from_start=True)
    chord = math.hypot(truth.position[0], truth.position[1])
    return math.copysign(chord / (2.0 * math.sin(abs(truth.yaw) / 2.0)), truth.yaw)


def test_a_left_wheel_1_percent_larger_curves_right_as_the_kinematics_predict(make_twin):
    left, right = 1.01 * R, R
    twin = make_twin(physical=PhysicalConfig(left_wheel_radius=left),
                     odometry=OdometryConfig(encoder_ticks_per_revolution=0))
    assert twin.robot.physical.left_radius == pytest.approx(left)
    assert twin.robot.wheel_radius == pytest.approx(R)   # the firmware still believes R
    odometry = drive_straight_for(twin, 10.0)
    # Both wheels turn at the nominal rate w; the body rolls at w (l + r) / 2 and turns at
    # w (r - l) / s: a circle of radius s (l + r) / (2 (r - l)), here 8.04 m to the right.
    predicted = S * (left + right) / (2.0 * (right - left))
    assert circle_radius(twin) == pytest.approx(predicted, rel=0.05)
    # Odometry sees two equal wheels: a straight line as long as the nominal wheels roll.
    left_angle, right_angle = twin.robot.wheel_angles()
    assert odometry.yaw == pytest.approx(0.0, abs=1e-3)
    assert odometry.x == pytest.approx(R * (left_angle + right_angle) / 2.0, rel=0.005)
    truth = twin.ground_truth(from_start=True)
    heading_error = truth.yaw - odometry.yaw
    assert heading_error == pytest.approx(odometry.x / predicted, rel=0.05)


def test_a_wider_physical_track_turns_slower_than_commanded(make_twin):
    twin = make_twin(physical=PhysicalConfig(wheel_separation=0.2))
    assert twin.robot.physical.separation == pytest.approx(0.2)
    assert twin.robot.wheel_separation == pytest.approx(S)
    twin.set_command(0.0, 1.0)
    twin.run(2.0)
    # The wheels roll w s_nominal / 2 each way, on a track of s_physical.
    assert twin.ground_truth().angular_velocity[2] == pytest.approx(1.0 * S / 0.2, rel=0.02)


def test_physical_radii_that_match_the_nominal_ones_keep_odometry_exact(make_twin):
    twin = make_twin(physical=PhysicalConfig(left_wheel_radius=R, right_wheel_radius=R,
                                             wheel_separation=S),
                     odometry=OdometryConfig(encoder_ticks_per_revolution=0))
    odometry = drive_straight_for(twin, 5.0)
    truth = twin.ground_truth(from_start=True)
    assert odometry.x == pytest.approx(truth.position[0], rel=0.005)
    assert abs(truth.yaw) < 1e-3
