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
Pass/fail criteria of an episode, judged on its trace; pure (no ROS).

A trace is what the episode runner saw: ground-truth samples in the world frame, the
clearance at each, and when the first fault began. :func:`verdict` says whether the outcome
is decided yet, so an episode ends as soon as it is.
"""

from dataclasses import dataclass, field
import math

from twin_campaign.campaign import custom_criterion, Scenario

CONTACT_M = 0.005      # a clearance at or below this is a contact
STOPPED_M_S = 0.01     # slower than this counts as stopped


@dataclass
class Sample:
    """One ground-truth sample: sim time s, world pose, speed m/s, clearance m."""

    t: float
    x: float
    y: float
    yaw: float
    speed: float
    clearance: float


@dataclass
class Trace:
    """What an episode recorded; ``fault_onset`` in sim s (None: no fault began)."""

    samples: list = field(default_factory=list)
    fault_onset: float | None = None
    odometry_drift: float = math.nan


@dataclass(frozen=True)
class Verdict:
    """An outcome ('pass', 'fail' or None: undecided) and the criterion that failed."""

    outcome: str | None
    failed: str = ''


def goal_time(scenario: Scenario, criteria: dict, trace: Trace) -> float | None:
    """Return when the robot first came within the goal tolerance (sim s from the start)."""
    if scenario.goal is None or 'goal_tolerance' not in criteria or not trace.samples:
        return None
    start = trace.samples[0].t
    return next((s.t - start for s in trace.samples
                 if math.dist((s.x, s.y), scenario.goal) <= criteria['goal_tolerance']), None)


def _stop_after_fault(criteria: dict, trace: Trace, final: bool) -> str | None:
    """Return 'pass', 'fail' or None (undecided) for the stop-after-fault criterion."""
    if trace.fault_onset is None:
        return 'pass' if final else None
    deadline = trace.fault_onset + criteria['stop_after_fault']
    after = [s for s in trace.samples if s.t >= trace.fault_onset]
    if any(s.speed < STOPPED_M_S and s.t <= deadline for s in after):
        return 'pass'
    if trace.samples and trace.samples[-1].t > deadline:
        return 'fail'
    return 'fail' if final else None


def verdict(scenario: Scenario, criteria: dict, trace: Trace, final: bool = False) -> Verdict:
    """
    Judge a trace so far; ``final``: the time limit was reached (or the run ended).

    Failures decide at once; a pass is decided when the goal is reached and the fault-stop
    criterion (if any) has passed, or, with neither goal nor fault-stop, at the end.
    """
    samples = trace.samples
    if criteria.get('no_contact') and any(s.clearance <= CONTACT_M for s in samples):
        return Verdict('fail', 'no_contact')
    if 'min_clearance' in criteria and any(s.clearance < criteria['min_clearance']
                                           for s in samples):
        return Verdict('fail', 'min_clearance')
    if 'max_speed' in criteria and any(s.speed > criteria['max_speed'] for s in samples):
        return Verdict('fail', 'max_speed')
    stop = _stop_after_fault(criteria, trace, final) if 'stop_after_fault' in criteria \
        else 'pass'
    if stop == 'fail':
        return Verdict('fail', 'stop_after_fault')
    wants_goal = scenario.goal is not None and 'goal_tolerance' in criteria
    reached = goal_time(scenario, criteria, trace) is not None
    if wants_goal and not reached:
        return Verdict('fail', 'goal_tolerance') if final else Verdict(None)
    if stop is None or not (final or wants_goal or 'stop_after_fault' in criteria):
        return Verdict(None)
    for reference in criteria.get('custom', ()):
        if not custom_criterion(reference)(trace):
            return Verdict('fail', reference)
    return Verdict('pass')


def metrics(scenario: Scenario, criteria: dict, trace: Trace) -> dict:
    """Return the per-episode numbers of results.csv (NaN where not measured)."""
    samples = trace.samples
    points = [(s.x, s.y) for s in samples]
    reached = goal_time(scenario, criteria, trace)
    contacts = sum(1 for before, after in zip([math.inf] + [s.clearance for s in samples],
                                              [s.clearance for s in samples])
                   if after <= CONTACT_M < before)
    return {
        'time_to_goal_s': math.nan if reached is None else reached,
        'path_length_m': sum(math.dist(a, b) for a, b in zip(points, points[1:])),
        'min_clearance_m': min((s.clearance for s in samples), default=math.nan),
        'max_speed_m_s': max((s.speed for s in samples), default=math.nan),
        'contacts': contacts,
        'odometry_drift_m': trace.odometry_drift,
        'sim_time_s': samples[-1].t - samples[0].t if samples else 0.0,
    }
