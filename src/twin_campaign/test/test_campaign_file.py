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


"""The campaign file: what it reads, and errors that name the file, the entry and the key."""

from pathlib import Path

import pytest
from twin_campaign.campaign import CampaignError, episodes, load
import yaml

SHIPPED = sorted(p for p in (Path(__file__).resolve().parents[3] / 'config' / 'campaigns')
                 .glob('*.yaml') if 'controller' in yaml.safe_load(p.read_text()))
MINIMAL = {'controller': {'example': 'obstacle_stop'},
           'scenarios': [{'name': 'a', 'world': 'room'}]}


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / 'campaign.yaml'
    path.write_text(yaml.safe_dump(document))
    return path


def test_shipped_campaigns_load():
    assert SHIPPED
    for path in SHIPPED:
        assert load(path).scenarios


def test_a_campaign_lists_each_scenarios_episodes(tmp_path):
    campaign = load(write(tmp_path, {
        **MINIMAL, 'episodes': 2, 'seed': 5,
        'scenarios': [{'name': 'a', 'world': 'room'},
                      {'name': 'b', 'world': 'room', 'spawn': [1, 0, 0], 'goal': [2, 0]}]}))
    assert [e.key for e in episodes(campaign)] == ['a-000', 'a-001', 'b-000', 'b-001']
    assert campaign.controller.module == 'twin_examples.obstacle_stop'
    assert campaign.scenarios[1].goal == (2.0, 0.0)
    assert campaign.seed == 5


@pytest.mark.parametrize('change, words', [
    ({'episodes': 0}, ['the file', 'episodes', '>= 1']),
    ({'controller': {'example': 'dance'}}, ['controller', 'example', 'dance']),
    ({'controller': {}}, ['controller', 'exactly one']),
    ({'criteria': {'speed_limit': 1}}, ['criteria', 'speed_limit', 'unknown key']),
    ({'criteria': {'no_contact': 'yes'}}, ['criteria', 'no_contact', 'true or false']),
    ({'scenarios': [{'name': 'a', 'world': 'room', 'spawn': [1, 2]}]},
     ["scenario 'a'", 'spawn', '3 numbers']),
    ({'scenarios': [{'world': 'room'}]}, ['scenarios[0]', 'name', 'missing']),
    ({'faults_file': 'nowhere.yaml'}, ['faults_file', 'not found']),
    ({'scenarios': [{'name': 'a', 'world': 'room'}] * 2}, ['names must differ']),
])
def test_errors_name_the_file_entry_and_key(tmp_path, change, words):
    path = write(tmp_path, {**MINIMAL, **change})
    with pytest.raises(CampaignError) as raised:
        load(path)
    assert str(path) in str(raised.value)
    for word in words:
        assert word in str(raised.value)


def test_files_are_found_next_to_the_campaign(tmp_path):
    (tmp_path / 'faults.yaml').write_text('faults: []\n')
    campaign = load(write(tmp_path, {**MINIMAL, 'faults_file': 'faults.yaml'}))
    assert campaign.faults_file == str((tmp_path / 'faults.yaml').resolve())
