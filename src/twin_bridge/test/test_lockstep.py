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

"""The lock-step rules: whole periods, held until every robot answers, or a counted timeout."""

from fractions import Fraction

from twin_bridge.fastdds_profiles import slow_acknowledgements_advice
from twin_bridge.lockstep import Lockstep

STEP_NS = 4_166_667            # 1/240 s, as the physics step is
PERIOD_NS = 24 * STEP_NS       # 0.1 s


def test_periods_end_on_multiples_of_the_period_in_whole_steps():
    lockstep = Lockstep(100_000_000, STEP_NS, robots=1, timeout_s=2.0)
    assert lockstep.period_ns == PERIOD_NS
    assert lockstep.steps_to_boundary(0) == 24
    assert lockstep.steps_to_boundary(PERIOD_NS) == 24
    assert lockstep.steps_to_boundary(PERIOD_NS + 5 * STEP_NS) == 19
    assert lockstep.steps_to_boundary(PERIOD_NS + 1) == 24   # a partial step still counts


def test_the_first_period_waits_for_the_controllers_or_the_timeout():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    assert not lockstep.may_start(10.0, connected=False)
    assert not lockstep.may_start(11.9, connected=False)
    assert lockstep.may_start(11.9, connected=True)
    assert lockstep.started and lockstep.timeouts == 0
    late = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    assert not late.may_start(10.0, connected=False)
    assert late.may_start(12.0, connected=False)   # nobody came: run, not reproducible
    assert late.timeouts == 1


def test_the_first_period_needs_no_answer_then_each_waits_for_one():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    assert lockstep.may_start(0.0, connected=True)
    assert lockstep.may_advance(0.0)
    lockstep.hold(0.0, PERIOD_NS)
    assert lockstep.holding
    assert not lockstep.may_advance(1.0)
    lockstep.answer(0, None)           # a Twist: any answer counts
    assert lockstep.may_advance(1.0)
    assert not lockstep.holding
    assert lockstep.may_advance(1.5)   # released until the next hold
    assert (lockstep.holds, lockstep.timeouts) == (1, 0)


def test_a_stamped_answer_to_an_earlier_period_does_not_release_the_hold():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    lockstep.hold(0.0, 2 * PERIOD_NS)
    lockstep.answer(0, PERIOD_NS)
    assert not lockstep.may_advance(0.5)
    lockstep.answer(0, 2 * PERIOD_NS)
    assert lockstep.may_advance(0.5)


def test_every_robot_must_answer():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=2, timeout_s=2.0)
    lockstep.hold(0.0, PERIOD_NS)
    lockstep.answer(1, None)
    lockstep.answer(1, None)
    assert not lockstep.may_advance(0.1)
    lockstep.answer(0, None)
    assert lockstep.may_advance(0.1)


def test_answers_while_released_are_not_kept_for_the_next_hold():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    lockstep.answer(0, None)
    lockstep.hold(0.0, PERIOD_NS)
    assert not lockstep.may_advance(0.1)


def test_no_answer_releases_after_the_timeout_and_is_counted():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    lockstep.hold(10.0, PERIOD_NS)
    assert not lockstep.may_advance(11.9)
    assert lockstep.may_advance(12.0)
    assert lockstep.timeouts == 1
    assert lockstep.diagnostic_values() == {'lockstep_period_s': '0.1', 'lockstep_holds': '1',
                                            'lockstep_timeouts': '1'}


def test_an_exact_step_runs_whole_periods_though_its_times_are_rounded_to_the_ns():
    # The core's step is exact (1/240 s is 12 500 000/3 ns), its time rounded to the ns: a
    # period of 2 steps ends at 8 333 333.3 ns, reported as 8 333 333, a hair short of it.
    step_ns = Fraction(12_500_000, 3)
    lockstep = Lockstep(8_333_333, step_ns, robots=1, timeout_s=2.0)
    steps = 0
    for _ in range(12):
        now_ns = (2 * steps * step_ns.numerator + step_ns.denominator) // (
            2 * step_ns.denominator)   # twin_sim.twin.time_of_steps
        assert lockstep.steps_to_boundary(now_ns) == 2
        steps += 2
    # Its diagnostics format too (Fraction has no 'g' format before Python 3.12).
    assert lockstep.diagnostic_values()['lockstep_period_s'] == '0.00833333'


def test_undelivered_data_count_as_a_timeout_and_slow_acknowledgements_get_advice():
    lockstep = Lockstep(PERIOD_NS, STEP_NS, robots=1, timeout_s=2.0)
    assert not lockstep.delivery(True, 0.002, profile_given=False)
    assert lockstep.delivery(False, 2.0, profile_given=False)
    assert lockstep.timeouts == 1
    assert not lockstep.delivery(True, 2.0, profile_given=True)   # theirs to tune
    advice = slow_acknowledgements_advice(2.0)
    assert 'lockstep_fastdds.xml' in advice and 'FASTRTPS_DEFAULT_PROFILES_FILE' in advice
