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

import math
from pathlib import Path
import shutil

import pytest
from twin_campaign.campaign import CampaignError, episodes, goal_in_odom, load, spawn_of
from twin_campaign.cli import main
from twin_campaign.episode import controller_command
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


def test_a_spawn_box_is_drawn_per_episode_from_seed_and_index(tmp_path):
    campaign = load(write(tmp_path, {**MINIMAL, 'seed': 4, 'scenarios': [
        {'name': 'a', 'world': 'room', 'spawn': {'box': {'x': [-1.0, -0.5], 'y': [0.0, 0.4]}}},
        {'name': 'b', 'world': 'room', 'spawn': {'box': {'x': [-1.0, -0.5], 'y': [0.0, 0.4]}}}]}))
    a, b = campaign.scenarios
    draws = [spawn_of(a, 4, index) for index in range(20)]
    assert all(-1.0 <= x <= -0.5 and 0.0 <= y <= 0.4 and yaw == 0.0 for x, y, yaw in draws)
    assert len(set(draws)) == 20                                  # a new pose per episode
    assert draws == [spawn_of(a, 4, index) for index in range(20)]   # the same again
    assert draws == [spawn_of(b, 4, index) for index in range(20)]   # episode i alike
    assert draws != [spawn_of(a, 5, index) for index in range(20)]   # another seed


def test_a_spawn_choice_draws_one_of_its_poses(tmp_path):
    poses = [[-1.0, 0.0, 0.0], [1.0, 0.0, 3.0]]
    campaign = load(write(tmp_path, {**MINIMAL, 'scenarios': [
        {'name': 'a', 'world': 'room', 'spawn': {'choice': poses}}]}))
    drawn = {spawn_of(campaign.scenarios[0], 0, index) for index in range(20)}
    assert drawn == {tuple(p) for p in poses}


def test_a_fixed_spawn_is_every_episodes(tmp_path):
    campaign = load(write(tmp_path, {**MINIMAL, 'scenarios': [
        {'name': 'a', 'world': 'room', 'spawn': [0.5, 0.25, 1.0]}]}))
    assert spawn_of(campaign.scenarios[0], 3, 7) == (0.5, 0.25, 1.0)


@pytest.mark.parametrize('spawn, words', [
    ({'box': {'x': [1.0, 0.0], 'y': [0.0, 0.0]}}, ['spawn.box.x', '[low, high]']),
    ({'box': {'x': [0.0, 1.0]}}, ['spawn.box.y']),
    ({'box': {'x': 0, 'y': 0, 'z': [0, 1]}}, ['z', 'unknown key']),
    ({'choice': []}, ['spawn.choice']),
    ({'choice': [[0, 0]]}, ['spawn.choice', '3 numbers']),
    ({'circle': 1}, ['spawn', '{box:']),
])
def test_spawn_region_errors_name_the_scenario_and_key(tmp_path, spawn, words):
    path = write(tmp_path, {**MINIMAL, 'scenarios': [{'name': 'a', 'world': 'room',
                                                      'spawn': spawn}]})
    with pytest.raises(CampaignError) as raised:
        load(path)
    for word in ["scenario 'a'", *words]:
        assert word in str(raised.value)


@pytest.mark.parametrize('goal, spawn, expected', [
    ((1.0, 0.0), (0.0, 0.0, 0.0), (1.0, 0.0)),
    ((1.0, 1.0), (1.0, 0.0, math.pi / 2), (1.0, 0.0)),      # straight ahead of a north start
    ((-1.0, 0.0), (0.0, 0.0, math.pi), (1.0, 0.0)),
    ((0.0, -1.0), (0.0, 0.0, 0.0), (0.0, -1.0)),
])
def test_a_world_goal_is_given_in_the_odometry_frame_of_the_start(goal, spawn, expected):
    assert goal_in_odom(goal, spawn) == pytest.approx(expected)


def test_a_launch_file_controller_runs_with_ros2_launch_and_its_arguments(tmp_path):
    (tmp_path / 'mine.launch.py').write_text('# a launch file\n')
    campaign = load(write(tmp_path, {**MINIMAL, 'controller': {
        'launch': 'mine.launch.py', 'parameters': {'speed': 0.2, 'name': 'x'}}}))
    launch = str((tmp_path / 'mine.launch.py').resolve())
    assert campaign.controller.launch == launch
    assert controller_command(campaign, campaign.scenarios[0]) == [
        'ros2', 'launch', launch, 'use_sim_time:=true', 'name:=x', 'speed:=0.2']


def test_a_launch_file_where_launch_is_missing_is_a_clear_error(
        tmp_path, monkeypatch, capsys):
    (tmp_path / 'mine.launch.py').write_text('# a launch file\n')
    path = write(tmp_path, {**MINIMAL, 'controller': {'launch': 'mine.launch.py'}})
    monkeypatch.setattr(shutil, 'which', lambda name: None)
    assert main([str(path), '--output', str(tmp_path / 'out')]) == 2
    error = capsys.readouterr().err
    assert "needs ROS 2 launch ('ros2 launch')" in error and 'mine.launch.py' in error
    assert 'Traceback' not in error
    assert not (tmp_path / 'out' / 'episodes').exists()   # nothing was started


def test_a_missing_launch_file_is_named(tmp_path):
    path = write(tmp_path, {**MINIMAL, 'controller': {'launch': 'nowhere.launch.py'}})
    with pytest.raises(CampaignError, match='controller, launch: .nowhere.launch.py. not found'):
        load(path)


@pytest.mark.parametrize('option', [['--only', 'goal-000'], ['--record', 'rec']])
def test_tuning_refuses_the_options_of_a_single_run(tmp_path, capsys, option):
    tuning = SHIPPED[0].with_name('go_to_goal_tuning.yaml')
    assert main([str(tuning), '--output', str(tmp_path / 'out'), '--tune', *option]) == 2
    assert '--tune runs whole trials' in capsys.readouterr().err
