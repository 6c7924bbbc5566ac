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

"""Differential-drive kinematics, command limits and pose integration (pure functions)."""

import math

import pytest
from twin_sim.kinematics import (body_to_wheels, DriveLimits, integrate_pose, VelocityLimiter,
                                 wheels_to_body, wrap_angle)


def test_wheel_speeds_round_trip():
    left, right = body_to_wheels(0.2, 1.0, 0.033, 0.16)
    assert left < right  # a left turn spins the right wheel faster
    assert wheels_to_body(left, right, 0.033, 0.16) == pytest.approx((0.2, 1.0))


def test_limiter_saturates_velocity_and_ramps_at_the_acceleration_limit():
    limits = DriveLimits(max_linear_velocity=0.22, max_linear_acceleration=2.5)
    limiter = VelocityLimiter(limits)
    dt = 0.01
    outputs = [limiter.update(10.0, 0.0, dt)[0] for _ in range(50)]
    steps = [b - a for a, b in zip([0.0] + outputs, outputs)]
    assert max(steps) == pytest.approx(2.5 * dt)
    assert outputs[-1] == pytest.approx(0.22)
    assert max(outputs) <= 0.22


def test_limiter_turns_non_finite_requests_into_a_stop():
    limiter = VelocityLimiter(DriveLimits())
    for _ in range(100):
        limiter.update(0.2, 0.5, 0.01)
    for _ in range(100):
        linear, angular = limiter.update(math.nan, math.inf, 0.01)
        assert math.isfinite(linear) and math.isfinite(angular)
    assert (linear, angular) == (0.0, 0.0)


def test_a_request_held_after_its_target_is_reached_changes_nothing_and_a_new_one_ramps():
    limits = DriveLimits()
    limiter, fresh = VelocityLimiter(limits), VelocityLimiter(limits)
    for _ in range(200):   # long enough to reach it
        limiter.update(0.1, -0.3, 0.01)
    assert limiter.update(0.1, -0.3, 0.5) == (0.1, -0.3)   # even over a long step
    # A new request ramps from there as from the same output reached any other way.
    fresh.linear, fresh.angular = 0.1, -0.3
    assert limiter.update(0.0, 0.3, 0.01) == fresh.update(0.0, 0.3, 0.01)
    assert limiter.update(0.0, 0.3, 0.01) == pytest.approx((0.1 - 2 * 2.5 * 0.01,
                                                            -0.3 + 2 * 3.2 * 0.01))


def test_a_request_reached_before_another_came_ramps_again_when_it_returns():
    limiter = VelocityLimiter(DriveLimits())
    for _ in range(200):
        limiter.update(0.1, 0.0, 0.01)   # reached
    limiter.update(-0.1, 0.0, 0.01)      # another request, one step of it
    assert limiter.update(0.1, 0.0, 0.01) == pytest.approx((0.1, 0.0))   # back up a step
    assert limiter.update(-0.1, 0.0, 0.01)[0] == pytest.approx(0.1 - 2.5 * 0.01)


def test_limiter_held_at_a_stop_by_a_non_finite_request_still_follows_a_finite_one():
    limiter = VelocityLimiter(DriveLimits())
    for _ in range(10):
        limiter.update(math.nan, 0.0, 0.01)
    assert limiter.update(0.1, 0.0, 0.01) == (0.025, 0.0)


def test_straight_and_quarter_circle_integration():
    assert integrate_pose(0.0, 0.0, 0.0, 1.0, 0.0) == pytest.approx((1.0, 0.0, 0.0))
    # A quarter circle of radius 1 to the left ends at (1, 1) facing +y.
    x, y, yaw = integrate_pose(0.0, 0.0, 0.0, math.pi / 2.0, math.pi / 2.0)
    assert (x, y, yaw) == pytest.approx((1.0, 1.0, math.pi / 2.0))


def test_many_small_steps_match_one_exact_arc():
    pose = (0.0, 0.0, 0.0)
    for _ in range(1000):
        pose = integrate_pose(*pose, math.pi / 2000.0, math.pi / 2000.0)
    assert pose == pytest.approx((1.0, 1.0, math.pi / 2.0))


def test_wrap_angle():
    assert wrap_angle(3.0 * math.pi / 2.0) == pytest.approx(-math.pi / 2.0)
    assert wrap_angle(0.25) == pytest.approx(0.25)
