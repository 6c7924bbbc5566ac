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
Property-based tests of the command path and the conversions (no DDS needed).

Whatever floats arrive, nothing non-finite reaches the motors or a message.
"""

import math

from hypothesis import given, settings, strategies as st
from twin_bridge import conversions
from twin_bridge.command import BodyTwist, CommandGate
from twin_sim import DriveLimits, OdometryEstimate
from twin_sim.kinematics import body_to_wheels, integrate_pose, VelocityLimiter

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
LIMITS = DriveLimits()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(*[ANY_FLOAT] * 6, st.integers(0, 10**10)), max_size=20),
       st.sampled_from(['saturate', 'reject']))
def test_no_sequence_of_commands_yields_a_non_finite_or_over_limit_wheel_command(
        messages, policy):
    gate = CommandGate(LIMITS, timeout=0.5, over_limit_policy=policy)
    limiter = VelocityLimiter(LIMITS)
    now = 0
    for *fields, gap in messages:
        now += gap
        gate.offer(BodyTwist(*fields), receipt_ns=now)
        linear, angular = limiter.update(*gate.advance_to(now), 1.0 / 240.0)
        left, right = body_to_wheels(linear, angular, 0.033, 0.160)
        assert all(math.isfinite(v) for v in (linear, angular, left, right))
        assert abs(linear) <= LIMITS.max_linear_velocity
        assert abs(angular) <= LIMITS.max_angular_velocity


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[ANY_FLOAT] * 6))
def test_a_rejected_message_never_refreshes_the_watchdog(fields):
    gate = CommandGate(LIMITS, timeout=0.5)
    gate.offer(BodyTwist(0.1), receipt_ns=0)
    gate.offer(BodyTwist(*fields), receipt_ns=400_000_000)
    if not all(math.isfinite(v) for v in fields):
        assert gate.advance_to(600_000_000) == (0.0, 0.0)


@settings(max_examples=300, deadline=None)
@given(FINITE, FINITE, st.floats(-100, 100), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_finite_odometry_gives_finite_messages_and_unit_quaternions(
        x, y, yaw, distance, rotation):
    x, y, yaw = integrate_pose(x % 1e6, y % 1e6, yaw, distance, rotation)
    estimate = OdometryEstimate(x, y, yaw, distance * 50.0, rotation * 50.0)
    odom = conversions.odometry(estimate, 'odom', 'base_footprint', 123)
    transform = conversions.odom_transform(estimate, 'odom', 'base_footprint', 123)
    for msg in (odom.pose.pose, transform.transform):
        q = msg.orientation if hasattr(msg, 'orientation') else msg.rotation
        assert math.isclose(q.x ** 2 + q.y ** 2 + q.z ** 2 + q.w ** 2, 1.0, rel_tol=1e-9)
    values = [odom.pose.pose.position.x, odom.pose.pose.position.y,
              odom.twist.twist.linear.x, odom.twist.twist.angular.z,
              transform.transform.translation.x, transform.transform.translation.y]
    assert all(math.isfinite(v) for v in values)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**62))
def test_stamps_round_trip_exactly(time_ns):
    stamp = conversions.stamp(time_ns)
    assert stamp.sec * 1_000_000_000 + stamp.nanosec == time_ns
    assert 0 <= stamp.nanosec < 1_000_000_000
