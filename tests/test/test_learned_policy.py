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

"""The learned policy drives the bridge over DDS: its own process, on simulated time."""

import json
from pathlib import Path
import subprocess
import sys

import pytest
from twin_gym.evaluate import goal_campaign
import yaml

CAMPAIGNS = Path(__file__).resolve().parents[2] / 'config' / 'campaigns'
NOMINAL = CAMPAIGNS / 'policy_goal_room.yaml'


@pytest.mark.parametrize('name, variations_file', [
    ('policy_goal_room.yaml', None),
    ('policy_goal_room_perturbed.yaml', '../variations/perturbed_wheels_noise.yaml')])
def test_the_shipped_campaigns_hold_the_evaluations_goals(name, variations_file):
    """The DDS campaigns are the goals twin_gym.evaluate scores in the core, unchanged."""
    shipped = yaml.safe_load((CAMPAIGNS / name).read_text())
    assert shipped == goal_campaign(10, None, variations_file)


def test_the_policy_node_reaches_a_goal_of_the_dds_evaluation_without_contact(tmp_path):
    """
    The short version of ``twin campaign config/campaigns/policy_goal_room.yaml``: one goal.

    The bridge and the node run as separate processes in a ROS graph of their own; the
    campaign judges the true path (goal within tolerance, no contact).
    """
    result = tmp_path / 'result.json'
    run = subprocess.run([sys.executable, '-m', 'twin_campaign.episode', str(NOMINAL),
                          'goal_1000-000', str(result)], cwd=NOMINAL.parents[2],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    row = json.loads(result.read_text())
    assert (row['outcome'], row['failed_criterion']) == ('pass', ''), row
