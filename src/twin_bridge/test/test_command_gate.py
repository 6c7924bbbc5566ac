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

"""The command gate's rules, without DDS (reliability.md cases 1-4, 6-9, 12, 14)."""

import math

import pytest
from twin_bridge.command import BodyTwist, CommandGate
from twin_sim import DriveLimits

S = 1_000_000_000  # one second in nanoseconds


@pytest.fixture
def gate():
    return CommandGate(DriveLimits(), timeout=0.5, max_age=0.5, future_tolerance=0.05)


@pytest.mark.parametrize('field', range(6))
@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_any_non_finite_field_rejects_the_whole_message(gate, field, bad):
    values = [0.1] * 6
    values[field] = bad
    verdict = gate.offer(BodyTwist(*values), receipt_ns=0)
    assert not verdict.accepted and 'NaN or infinite' in verdict.reason
    assert gate.advance_to(0) == (0.0, 0.0)
    assert gate.counters['rejected_non_finite'] == 1


def test_rejected_messages_do_not_refresh_the_watchdog(gate):
    gate.offer(BodyTwist(0.2), receipt_ns=0)
    gate.offer(BodyTwist(math.nan), receipt_ns=int(0.4 * S))
    assert gate.advance_to(int(0.45 * S)) == (0.2, 0.0)
    assert gate.advance_to(int(0.6 * S)) == (0.0, 0.0)   # 0.5 s after the valid one


def test_one_message_is_in_force_for_the_timeout_only(gate):
    gate.offer(BodyTwist(0.2, angular_z=0.5), receipt_ns=S)
    assert gate.advance_to(S + int(0.5 * S)) == (0.2, 0.5)
    assert gate.advance_to(S + int(0.51 * S)) == (0.0, 0.0)
    assert gate.watchdog_expired(S + int(0.51 * S))


def test_only_a_moving_command_in_force_has_a_time_it_moves_until(gate):
    assert gate.moving_until_ns() is None                  # nothing received
    gate.offer(BodyTwist(0.2), receipt_ns=S)
    assert gate.moving_until_ns() == S + S // 2
    gate.advance_to(2 * S)                                 # expired: standing still
    assert gate.moving_until_ns() is None
    gate.offer(BodyTwist(0.0), receipt_ns=2 * S)           # a stop keeps nothing moving
    assert gate.moving_until_ns() is None
    gate.offer(BodyTwist(0.2), receipt_ns=3 * S)
    gate.engage_e_stop()
    assert gate.moving_until_ns() is None


def test_huge_values_saturate_by_default(gate):
    assert gate.offer(BodyTwist(1e300, angular_z=-1e6), receipt_ns=0).accepted
    assert gate.advance_to(0) == (0.22, -2.84)
    assert gate.counters['saturated'] == 1


def test_reject_policy_rejects_over_limit_messages():
    gate = CommandGate(DriveLimits(), timeout=0.5, over_limit_policy='reject')
    verdict = gate.offer(BodyTwist(1e6), receipt_ns=0)
    assert not verdict.accepted and 'beyond the limits' in verdict.reason
    assert gate.advance_to(0) == (0.0, 0.0)
    assert not gate.e_stopped   # out-of-range input never trips the e-stop


def test_non_planar_components_are_ignored_and_counted(gate):
    assert gate.offer(BodyTwist(0.1, 0.5, 0.5, 0.3, 0.3, 0.2), receipt_ns=0).accepted
    assert gate.advance_to(0) == (0.1, 0.2)
    assert gate.counters['non_planar_ignored'] == 1


def test_future_stamps_cannot_extend_a_command(gate):
    verdict = gate.offer(BodyTwist(0.2), receipt_ns=10 * S, stamp_ns=10 * S + 3600 * S)
    assert not verdict.accepted and 'ahead' in verdict.reason
    assert gate.offer(BodyTwist(0.2), receipt_ns=10 * S, stamp_ns=10 * S + int(0.01 * S)).accepted
    assert gate.advance_to(10 * S + int(0.6 * S)) == (0.0, 0.0)   # receipt time counts


def test_stale_stamps_are_rejected(gate):
    verdict = gate.offer(BodyTwist(0.2), receipt_ns=10 * S, stamp_ns=9 * S)
    assert not verdict.accepted and 'before the simulated time' in verdict.reason


def test_zero_stamp_is_taken_as_receipt_time(gate):
    assert gate.offer(BodyTwist(0.2), receipt_ns=10 * S, stamp_ns=0).accepted
    assert gate.counters['zero_stamp'] == 1


def test_wall_clock_stamps_are_explained(gate):
    wall_stamp = 1_795_000_000 * S   # 2026 in wall time, while sim time is 10 s
    verdict = gate.offer(BodyTwist(0.2), receipt_ns=10 * S, stamp_ns=wall_stamp)
    assert not verdict.accepted and 'wall time' in verdict.reason and 'use_sim_time' in \
        verdict.reason


def test_a_negative_stamp_is_not_blamed_on_wall_time(gate):
    verdict = gate.offer(BodyTwist(0.1, 0, 0, 0, 0, 0), receipt_ns=10 * S, stamp_ns=-2**31 * S)
    assert not verdict.accepted
    assert 'wall time' not in verdict.reason and 'negative stamp' in verdict.reason


def test_e_stop_latches_until_released(gate):
    gate.engage_e_stop()
    assert gate.offer(BodyTwist(0.2), receipt_ns=0).accepted
    assert gate.advance_to(0) == (0.0, 0.0)
    gate.release_e_stop()
    gate.offer(BodyTwist(0.2), receipt_ns=0)
    assert gate.advance_to(0) == (0.2, 0.0)


def test_a_silent_heartbeat_holds_the_robot_stopped():
    gate = CommandGate(DriveLimits(), timeout=5.0, heartbeat_timeout=0.2)
    gate.offer(BodyTwist(0.2), receipt_ns=0)
    assert gate.advance_to(0) == (0.0, 0.0)              # no heartbeat yet: stopped
    gate.heartbeat(0)
    assert gate.advance_to(int(0.1 * S)) == (0.2, 0.0)
    assert gate.advance_to(int(0.3 * S)) == (0.0, 0.0)   # silent for 0.3 s > 0.2 s
    gate.heartbeat(int(0.3 * S))
    assert gate.advance_to(int(0.35 * S)) == (0.2, 0.0)  # back: not latched


def test_without_a_heartbeat_setting_silence_is_fine(gate):
    gate.offer(BodyTwist(0.2), receipt_ns=0)
    assert gate.advance_to(int(0.4 * S)) == (0.2, 0.0)
