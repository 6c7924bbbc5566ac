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

"""Timing: pacing, its jitter and command latency (pure, no DDS)."""

from fractions import Fraction
import math

import pytest
from twin_bridge.timing import CommandLatency, Pacing, PacingJitter


def test_jitter_is_the_spread_of_intervals_around_the_period():
    jitter = PacingJitter()
    for k in range(100):
        jitter.mark(k * 0.004 + (0.001 if k == 50 else 0.0))   # one step 1 ms late
    p50, p99 = jitter.take(0.004)
    assert p50 == pytest.approx(0.0, abs=1e-6)
    assert p99 == pytest.approx(1.0, abs=0.02)   # 2 of 99 intervals are 1 ms off
    # The window starts again, from the last step.
    jitter.mark(99 * 0.004 + 0.004)
    assert jitter.take(0.004) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert jitter.take(0.004) is None


def test_a_command_is_timed_from_receipt_to_the_first_step_that_applies_it():
    latency = CommandLatency()
    latency.applying(1.0, 0)           # nothing received: nothing to time
    assert latency.last is None
    latency.received(2.000, 100)
    latency.received(2.001, 100)       # a newer command replaces the pending one
    latency.applying(2.003, 100)
    latency.applying(2.007, 200)       # the same command, still in force: not timed again
    assert (latency.last.received_wall_s, latency.last.applied_sim_ns) == (2.001, 100)
    assert latency.last.wall_ms == pytest.approx(2.0)
    latency.received(3.0, 300)
    latency.applying(3.0005, 300)
    assert latency.last.wall_ms == pytest.approx(0.5)
    assert latency.max_wall_ms == pytest.approx(2.0)


def test_the_newest_command_is_received_whether_applied_or_not():
    latency = CommandLatency()
    assert latency.received_wall_s is None
    latency.received(2.0, 100)
    assert latency.received_wall_s == 2.0                  # pending
    latency.applying(2.5, 100)
    assert latency.received_wall_s == 2.0                  # applied


STEP_NS = 4_000_000   # 4 ms physics steps


def test_pacing_owes_the_steps_that_bring_sim_time_to_factor_times_wall_time():
    pacing = Pacing(factor=2.0, step_ns=STEP_NS)
    pacing.restart(8.0, 1_000_000_000)
    assert pacing.owed(8.0, 1_000_000_000) == 0
    # 15.625 ms of wall time at factor 2 is 31.25 ms of sim time: 7 whole steps.
    assert pacing.owed(8.015625, 1_000_000_000) == 7
    assert pacing.owed(8.015625, 1_000_000_000 + 3 * STEP_NS) == 4


def test_pacing_drops_a_debt_it_cannot_pay_and_counts_an_overrun():
    pacing = Pacing(factor=1.0, step_ns=STEP_NS)
    pacing.restart(0.0, 0)
    pacing.settle(0.125, 10 * STEP_NS, still_owed=0)   # kept up: nothing happens
    assert pacing.overruns == 0
    assert pacing.owed(0.125, 10 * STEP_NS) == 21
    pacing.settle(0.125, 10 * STEP_NS, still_owed=21)
    assert pacing.overruns == 1
    assert pacing.owed(0.125, 10 * STEP_NS) == 0   # the debt is gone, not raced later
    assert pacing.owed(0.1328125, 10 * STEP_NS) == 1


def test_pacing_with_the_exact_240th_of_a_second_owes_240_steps_a_second():
    pacing = Pacing(factor=1.0, step_ns=Fraction(12_500_000, 3))   # Twin.step_ns of 1/240 s
    pacing.restart(0.0, 0)
    assert pacing.owed(1.0, 0) == 240
    assert pacing.owed(1.0, 1_000_000_000) == 0   # the core's exact time after 240 steps
    assert pacing.owed(3.0, 1_000_000_000) == 480


def test_pacing_as_fast_as_possible_owes_everything_and_never_overruns():
    pacing = Pacing(factor=0.0, step_ns=STEP_NS)
    assert pacing.owed(5.0, 0) == math.inf
    pacing.settle(5.0, 0, still_owed=math.inf)
    assert pacing.overruns == 0


def test_pacing_takes_sim_time_as_given_so_a_core_time_jump_changes_only_what_is_owed():
    pacing = Pacing(factor=1.0, step_ns=STEP_NS)
    pacing.restart(0.0, 0)
    assert pacing.owed(0.04, 40 * STEP_NS) < 0   # ahead of the pace: nothing owed


def test_achieved_factor_is_sim_over_wall_time_between_samples():
    pacing = Pacing(factor=1.0, step_ns=STEP_NS)
    pacing.achieved(1.0, 0)
    assert pacing.achieved(3.0, 1_000_000_000) == pytest.approx(0.5)
    assert pacing.achieved(3.0, 2_000_000_000) is None   # no wall time passed
