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

"""Timing health: pacing jitter and command latency (pure, no DDS)."""

import pytest
from twin_bridge.timing import CommandLatency, PacingJitter


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
