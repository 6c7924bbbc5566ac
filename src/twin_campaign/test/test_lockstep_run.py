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
Lock-step: the same episode twice gives the same true trajectory, for each example controller.

Two scenarios that differ only in their names draw the same episode (the bridge draws from
seed and episode index alone), and run at the same time in two graphs, as a campaign runs.
"""

from pathlib import Path

import numpy as np
import pytest
from twin_campaign.campaign import load
from twin_campaign.cli import run_campaign
import yaml

CAMPAIGNS = Path(__file__).resolve().parents[3] / 'config' / 'campaigns'
EXAMPLES = {
    'go_to_goal': ({'waypoints': [0.8, 0.0], 'speed': 0.2}, 0.05,
                   {'spawn': [-0.5, 0.0, 0.0], 'goal': [0.3, 0.0]}),
    'obstacle_stop': ({'speed': 0.2}, 0.1, {'spawn': [1.0, 0.0, 0.0]}),
    'wall_follower': ({}, 0.1, {'spawn': [-1.2, -1.1, 0.0]}),
}


@pytest.mark.parametrize('example', sorted(EXAMPLES))
def test_the_same_episode_twice_in_lock_step_gives_the_same_trajectory(tmp_path, example):
    parameters, period, where = EXAMPLES[example]
    scenario = {'world': 'room', 'time_limit': 4.0, **where}
    path = tmp_path / 'lockstep.yaml'
    path.write_text(yaml.safe_dump({
        'controller': {'example': example, 'parameters': parameters},
        'scenarios': [{'name': 'first', **scenario}, {'name': 'second', **scenario}],
        'episodes': 1, 'seed': 11, 'lockstep_period': period,
        'variations_file': str(CAMPAIGNS / 'floor_friction.yaml'),
        'criteria': {'goal_tolerance': 0.1} if 'goal' in where else {'no_contact': True}}))
    first, second = run_campaign(load(path), tmp_path / 'out', workers=2, resume=False)
    assert first['outcome'] != 'error', first
    assert second['outcome'] != 'error', second
    assert first['variations'] == second['variations']
    assert first['path_length_m'] > 0.2            # it drove
    assert len(first['trajectory']) == len(second['trajectory'])
    gap = np.abs(np.array(first['trajectory']) - np.array(second['trajectory']))
    assert gap.max() <= 0.001, f'trajectories differ by up to {gap.max():.4f} m'
