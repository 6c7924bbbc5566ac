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


"""The criteria on hand-made traces: what fails, what passes, and when it is decided."""

import math

from twin_campaign.campaign import Scenario
from twin_campaign.criteria import metrics, Sample, Trace, verdict

GOAL = Scenario('s', 'room', goal=(1.0, 0.0), time_limit=10.0)
FREE = Scenario('s', 'room', time_limit=10.0)


def straight(speed: float = 0.2, clearance: float = 0.5, until: float = 5.0) -> list:
    """Return samples driving along x at ``speed`` every 0.1 s."""
    return [Sample(i * 0.1, speed * i * 0.1, 0.0, 0.0, speed, clearance)
            for i in range(round(until / 0.1) + 1)]


def went_forward(trace: Trace) -> bool:
    """Return whether the robot ended ahead of where it started (a custom criterion)."""
    return trace.samples[-1].x > trace.samples[0].x


def test_reaching_the_goal_passes_at_once():
    trace = Trace(straight(until=5.0))            # reaches x = 1.0 at 5 s
    assert verdict(GOAL, {'goal_tolerance': 0.05}, trace).outcome == 'pass'
    assert math.isclose(metrics(GOAL, {'goal_tolerance': 0.05}, trace)['time_to_goal_s'], 4.8)
    assert verdict(GOAL, {'goal_tolerance': 0.05}, Trace(straight(until=2.0))).outcome is None


def test_missing_the_goal_fails_at_the_time_limit():
    decided = verdict(GOAL, {'goal_tolerance': 0.05}, Trace(straight(until=2.0)), final=True)
    assert decided.outcome == 'fail' and decided.failed == 'goal_tolerance'


def test_contact_clearance_and_speed_fail_as_soon_as_seen():
    assert verdict(FREE, {'no_contact': True}, Trace(straight(clearance=0.0))).failed \
        == 'no_contact'
    assert verdict(FREE, {'min_clearance': 0.1}, Trace(straight(clearance=0.05))).failed \
        == 'min_clearance'
    assert verdict(FREE, {'max_speed': 0.15}, Trace(straight(speed=0.2))).failed == 'max_speed'


def test_without_a_goal_an_episode_passes_only_at_its_end():
    criteria = {'no_contact': True}
    assert verdict(FREE, criteria, Trace(straight())).outcome is None
    assert verdict(FREE, criteria, Trace(straight()), final=True).outcome == 'pass'


def test_stopping_after_a_fault():
    moving = straight(until=3.0)
    stopped = moving + [Sample(3.1 + i * 0.1, 0.6, 0.0, 0.0, 0.0, 0.5) for i in range(5)]
    criteria = {'stop_after_fault': 0.5}
    assert verdict(FREE, criteria, Trace(stopped, fault_onset=2.9)).outcome == 'pass'
    late = verdict(FREE, criteria, Trace(moving, fault_onset=2.0))
    assert late.outcome == 'fail' and late.failed == 'stop_after_fault'
    assert verdict(FREE, criteria, Trace(moving, fault_onset=2.8)).outcome is None


def test_a_custom_criterion_judges_the_trace():
    criteria = {'custom': ('test_criteria:went_forward',)}   # pytest puts test/ on the path
    assert verdict(FREE, criteria, Trace(straight()), final=True).outcome == 'pass'
    backwards = [Sample(s.t, -s.x, s.y, s.yaw, s.speed, s.clearance) for s in straight()]
    decided = verdict(FREE, criteria, Trace(backwards), final=True)
    assert decided.outcome == 'fail' and 'went_forward' in decided.failed


def test_metrics_of_a_trace():
    samples = straight(until=5.0)
    samples[10].clearance = samples[11].clearance = 0.0   # one contact, two samples long
    result = metrics(FREE, {}, Trace(samples))
    assert math.isclose(result['path_length_m'], 1.0)
    assert result['contacts'] == 1
    assert result['min_clearance_m'] == 0.0
    assert math.isclose(result['max_speed_m_s'], 0.2)
    assert math.isnan(result['time_to_goal_s'])
