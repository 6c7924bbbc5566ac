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


"""The tuning section, the objective, and a seeded study over a stand-in for the episodes."""

import math
from pathlib import Path

import pytest
from twin_campaign.campaign import Campaign, CampaignError, load
from twin_campaign.tuning import read_tuning, Score, score, tune
import yaml

SHIPPED = 0.15   # the stand-in controller's speed, m/s: slower than the deadline needs


def campaign_file(tmp_path: Path, tuning: dict, scenario_parameters: dict | None = None):
    """Write a go_to_goal campaign (two scenarios, two episodes each) with a tuning section."""
    path = tmp_path / 'tuned.yaml'
    path.write_text(yaml.safe_dump({
        'controller': {'example': 'go_to_goal', 'parameters': {'speed': SHIPPED}},
        'scenarios': [{'name': 'a', 'world': 'room', 'goal': [1.0, 0.0],
                       'parameters': scenario_parameters or {}},
                      {'name': 'b', 'world': 'room', 'goal': [1.0, 0.0]}],
        'episodes': 2, 'seed': 5, 'criteria': {'goal_tolerance': 0.1},
        'tuning': tuning}, sort_keys=False))
    return load(path)


SPACE = {'speed': {'low': 0.05, 'high': 0.3, 'step': 0.01},
         'heading_gain': {'low': 1.0, 'high': 5.0}}


def stand_in(calls: list):
    """
    Return a stand-in for running a campaign's episodes (no ROS), noting each call.

    An episode passes when the speed is at most 0.2 m/s (a site limit) and it takes
    1.2 m / speed + 3 / heading_gain seconds, within a 9 s deadline.
    """
    def run(campaign: Campaign, folder: Path, resume: bool) -> list[dict]:
        parameters = campaign.controller.parameters
        calls.append((campaign.seed, campaign.episodes, dict(parameters), folder.name))
        took = 1.2 / parameters['speed'] + 3.0 / parameters.get('heading_gain', 2.5)
        ok = parameters['speed'] <= 0.2 and took <= 9.0
        return [{'outcome': 'pass' if ok else 'fail', 'time_to_goal_s': took if ok
                 else math.nan} for _ in campaign.scenarios for _ in range(campaign.episodes)]
    return run


def test_the_tuning_section_is_read_with_its_defaults(tmp_path):
    tuning = read_tuning(campaign_file(tmp_path, {'parameters': SPACE}))
    assert tuning.node == 'go_to_goal'
    assert [d.name for d in tuning.space] == ['speed', 'heading_gain']
    assert (tuning.trials, tuning.seed, tuning.metric) == (10, 5, 'time_to_goal_s')
    assert (tuning.held_out_episodes, tuning.held_out_seed) == (2, 6)


@pytest.mark.parametrize('section, scenario, says', [
    ({'parameters': SPACE, 'trails': 3}, None, 'tuning, trails: unknown key'),
    ({'parameters': {}}, None, 'give at least one'),
    ({'parameters': {'speed': {'low': 0.3, 'high': 0.1}}}, None, 'low < high'),
    ({'parameters': SPACE, 'metric': 'speed'}, None, "metric: 'speed' is not one of"),
    ({'parameters': SPACE}, {'speed': 0.1}, "'speed' is also set by a scenario"),
])
def test_a_tuning_section_that_cannot_work_is_refused_by_name(tmp_path, section, scenario,
                                                              says):
    with pytest.raises(CampaignError, match=says):
        read_tuning(campaign_file(tmp_path, section, scenario))


def test_one_more_pass_outweighs_any_metric_and_the_metric_breaks_ties():
    slow_all = Score(4, 4, 60.0)
    fast_one_fewer = Score(3, 4, 0.1)
    assert slow_all.value > fast_one_fewer.value
    assert Score(4, 4, 5.0).value > slow_all.value                        # faster is better
    assert Score(2, 2, 0.3, maximize=True).value > Score(2, 2, 0.1, maximize=True).value
    assert score([{'outcome': 'pass', 'time_to_goal_s': 4.0}, {'outcome': 'error'}],
                 'time_to_goal_s') == Score(1, 2, 4.0)


def test_the_pass_rate_interval_is_wilsons():
    low, high = Score(8, 8, math.nan).interval()
    assert low == pytest.approx(8 / (8 + 1.959964 ** 2)) and high == pytest.approx(1.0)


def test_a_seeded_study_finds_better_parameters_reproducibly_and_checks_them_held_out(
        tmp_path):
    campaign = campaign_file(tmp_path, {'parameters': SPACE, 'trials': 12, 'seed': 3,
                                        'held_out': {'episodes': 5, 'seed': 100}})
    tuning = read_tuning(campaign)
    first, second = [], []
    outcome = tune(campaign, tuning, tmp_path / 'one', stand_in(first), say=lambda _: None)
    again = tune(campaign, tuning, tmp_path / 'two', stand_in(second), say=lambda _: None)
    assert [c[2] for c in first] == [c[2] for c in second]    # same seed: same trials
    assert outcome.best == again.best and outcome.best['speed'] <= 0.2
    assert outcome.held_out_best.passed == 10                  # 2 scenarios x 5 held out
    assert outcome.held_out_shipped.passed == 0                # 0.15 m/s misses the deadline
    trial_seeds = {(seed, episodes) for seed, episodes, _, name in first if name.isdigit()}
    assert trial_seeds == {(5, 2)}                             # the campaign's own episodes
    held_out = [(seed, episodes, p, name) for seed, episodes, p, name in first
                if not name.isdigit()]
    assert held_out == [(100, 5, {'speed': SHIPPED}, 'shipped'),
                        (100, 5, {'speed': SHIPPED, **outcome.best}, 'best')]
    written = yaml.safe_load(outcome.parameter_file.read_text())
    assert written == {'go_to_goal': {'ros__parameters': outcome.best}}
    assert isinstance(written['go_to_goal']['ros__parameters']['speed'], float)
    trial = load(tmp_path / 'one' / 'trials' / '000' / 'campaign.yaml')   # re-runnable alone
    assert trial.controller.parameters == first[0][2]


def test_another_seed_draws_other_trials(tmp_path):
    runs = []
    for seed in (3, 4):
        campaign = campaign_file(tmp_path, {'parameters': SPACE, 'trials': 3, 'seed': seed})
        calls = []
        tune(campaign, read_tuning(campaign), tmp_path / str(seed), stand_in(calls),
             say=lambda _: None)
        runs.append([c[2] for c in calls[:3]])
    assert runs[0] != runs[1]
