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
A small campaign end to end: real bridges and controllers, each episode in its own graph.

The example obstacle_stop with its blackout guard stops when its LIDAR goes blind; without
the guard it drives on; a controller that cannot start is an error row, not a dead campaign.
"""

import csv
from pathlib import Path
import subprocess
import sys
import time

from twin_campaign.campaign import load
from twin_campaign.cli import main, run_campaign
import yaml

CAMPAIGNS = Path(__file__).resolve().parents[3] / 'config' / 'campaigns'


def campaign_file(tmp_path: Path, name: str, controller: dict) -> Path:
    """Write a one-episode blackout campaign in the room (lock-step) with this controller."""
    path = tmp_path / f'{name}.yaml'
    path.write_text(yaml.safe_dump({
        'controller': controller,
        'scenarios': [{'name': 'east', 'world': 'room', 'spawn': [0.6, 0.0, 0.0],
                       'time_limit': 6.0}],
        'episodes': 1, 'seed': 7, 'lockstep_period': 0.1,
        'faults_file': str(CAMPAIGNS / 'lidar_blackout_faults.yaml'),
        'criteria': {'no_contact': True, 'stop_after_fault': 0.5}}))
    return path


def test_a_guarded_controller_passes_and_an_unguarded_one_fails(tmp_path):
    guarded = load(campaign_file(tmp_path, 'guarded', {
        'example': 'obstacle_stop', 'parameters': {'speed': 0.2}}))
    unguarded = load(campaign_file(tmp_path, 'unguarded', {
        'example': 'obstacle_stop', 'parameters': {'speed': 0.2, 'stop_on_blackout': False}}))
    [passed] = run_campaign(guarded, tmp_path / 'guarded', workers=2, resume=False)
    [failed] = run_campaign(unguarded, tmp_path / 'unguarded', workers=2, resume=False)
    assert passed['outcome'] == 'pass', passed
    assert passed['faults'] == 'lidar_blackout'
    assert passed['path_length_m'] > 0.05          # it drove before the blackout
    assert (failed['outcome'], failed['failed_criterion']) == ('fail', 'stop_after_fault')


def test_a_controller_that_cannot_start_is_an_error_row_and_resume_keeps_it(tmp_path):
    path = campaign_file(tmp_path, 'broken', {'module': 'no_such_module_here'})
    output = tmp_path / 'out'
    assert main([str(path), '--output', str(output), '--workers', '1']) == 1
    with (output / 'results.csv').open() as stream:
        [row] = list(csv.DictReader(stream))
    assert row['outcome'] == 'error'
    assert 'no_such_module_here' in Path(row['log']).read_text()
    assert '--only east-000' in (output / 'report.md').read_text()
    kept = (output / 'episodes' / 'east-000.json').stat().st_mtime_ns
    assert main([str(path), '--output', str(output), '--resume']) == 1
    assert (output / 'episodes' / 'east-000.json').stat().st_mtime_ns == kept


def test_a_controller_that_never_joins_the_graph_is_an_error_row_naming_the_handshake(tmp_path):
    path = campaign_file(tmp_path, 'elsewhere', {
        'example': 'obstacle_stop', 'parameters': {'cmd_vel_topic': 'not_cmd_vel'}})
    document = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**document, 'start_timeout': 5.0}))
    [row] = run_campaign(load(path), tmp_path / 'out', workers=1, resume=False)
    assert row['outcome'] == 'error'
    assert 'start_timeout' in row['failed_criterion']
    assert 'no controller node publishes /cmd_vel' in row['failed_criterion']


def test_a_killed_episode_takes_its_twin_and_controller_with_it(tmp_path):
    path = campaign_file(tmp_path, 'killed', {'example': 'obstacle_stop'})
    episode = subprocess.Popen([sys.executable, '-m', 'twin_campaign.episode', str(path),
                                'east-000', str(tmp_path / 'row.json')])
    children = Path(f'/proc/{episode.pid}/task/{episode.pid}/children')
    deadline = time.monotonic() + 60.0
    while len(children.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = [int(pid) for pid in children.read_text().split()]
    assert len(pids) == 2
    episode.kill()
    episode.wait()
    deadline = time.monotonic() + 60.0
    while any(Path(f'/proc/{pid}').exists() and 'Z' not in _state(pid) for pid in pids) and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f'/proc/{pid}').exists() and 'Z' not in _state(pid)]


def _state(pid: int) -> str:
    """Return a process's state letter (Z: a zombie, which has ended), '' if it is gone."""
    try:
        return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return ''
