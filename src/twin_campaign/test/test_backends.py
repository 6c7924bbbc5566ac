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
The two back-ends, local pool and Ray, give the same rows for the same campaign file.

Ray starts a local instance of its own here (two CPUs, a small object store, no dashboard).
"""

import json
import os
from pathlib import Path
import subprocess
import sys
import threading

import pytest
from twin_campaign import backends
from twin_campaign.backends import execute, Places
from twin_campaign.campaign import load
from twin_campaign.cli import run_campaign
import yaml

CAMPAIGNS = Path(__file__).resolve().parents[3] / 'config' / 'campaigns'
# What an episode's seed and the criteria decide (the metrics move with the scheduling of
# two processes over DDS until the lock-step mode makes them exact).
OUTCOME = ('key', 'scenario', 'episode', 'seed', 'variations', 'faults', 'outcome',
           'failed_criterion')


def tiny_campaign(tmp_path: Path) -> Path:
    """Two blackout episodes the guarded controller passes, one whose controller crashes."""
    path = tmp_path / 'tiny.yaml'
    path.write_text(yaml.safe_dump({
        'controller': {'example': 'obstacle_stop', 'parameters': {'speed': 0.2}},
        'scenarios': [
            {'name': 'east', 'world': 'room', 'spawn': [0.6, 0.0, 0.0], 'time_limit': 6.0},
            # a string for a double parameter: the controller dies at start-up
            {'name': 'broken', 'world': 'room', 'time_limit': 6.0,
             'parameters': {'speed': 'fast'}}],
        'episodes': 2, 'seed': 11,
        'faults_file': str(CAMPAIGNS / 'lidar_blackout_faults.yaml'),
        'variations_file': str(CAMPAIGNS / 'floor_friction.yaml'),
        'criteria': {'no_contact': True, 'stop_after_fault': 0.5}}))
    return path


def test_the_local_pool_and_ray_give_the_same_outcome_rows(tmp_path):
    campaign = load(tiny_campaign(tmp_path))
    only = ['east-000', 'east-001', 'broken-000']
    local = run_campaign(campaign, tmp_path / 'local', 2, False, only)
    on_ray = run_campaign(campaign, tmp_path / 'ray', 2, False, only, ray_address='local')
    outcomes = [{k: row.get(k) for k in OUTCOME} for row in local]
    assert outcomes == [{k: row.get(k) for k in OUTCOME} for row in on_ray]
    assert [r['outcome'] for r in local] == ['pass', 'pass', 'error'], local
    assert local[0]['variations'] != local[1]['variations']   # each episode its own draw
    assert 'speed' in Path(on_ray[2]['log']).read_text()      # the crash's log, kept
    assert all(row['cpu_s'] > 0 for row in local[:2] + on_ray[:2])   # what the bench sums
    # Ray's workers are niced (15) by default: the episodes got less CPU than the pool's
    assert [r['niceness'] for r in on_ray[:2]] == [os.getpriority(os.PRIO_PROCESS, 0)] * 2


@pytest.mark.parametrize('ray_address', [None, 'local'])
def test_an_episode_that_raises_is_an_error_row_on_either_back_end(tmp_path, ray_address):
    campaign = load(tiny_campaign(tmp_path))
    [finished] = execute(campaign, ['nowhere-000'], 1, None, ray_address)
    assert (finished.row['key'], finished.row['outcome']) == ('nowhere-000', 'error')
    assert finished.row['failed_criterion'].startswith('StopIteration')


REQUESTER = """
import sys
from pathlib import Path
with open(sys.argv[1], 'a') as seen:   # once per import of this module
    seen.write(__name__ + '\\n')
if __name__ == '__main__':
    from twin_campaign.backends import EPISODES
    child = EPISODES.start([sys.executable, '-m', 'served_probe', sys.argv[1]], sys.argv[2])
    sys.exit(child.wait(timeout=120))
"""
SERVED = """
import json, sys
from nav_msgs.msg import Odometry
with open(sys.argv[1], 'a') as seen:   # imported, and warmed up: its type supports loaded
    seen.write(json.dumps(['twin_campaign.episode' in sys.modules,
                           Odometry.__class__._TYPE_SUPPORT is not None]) + '\\n')
"""


def test_episode_processes_fork_from_a_server_that_imported_only_the_episode_module(tmp_path):
    # multiprocessing's forkserver ran the requester's __main__ again in every child (under
    # python -m twin_campaign.bench: matplotlib and Optuna, 1-1.5 CPU s per episode); and
    # each process loaded the type supports at their first use (episode.warm_up)
    (tmp_path / 'requester_probe.py').write_text(REQUESTER)
    (tmp_path / 'served_probe.py').write_text(SERVED)
    seen, log = tmp_path / 'seen.txt', tmp_path / 'served.log'
    environment = {**os.environ, 'PYTHONPATH': os.pathsep.join(
        [str(tmp_path), *os.environ.get('PYTHONPATH', '').split(os.pathsep)])}
    subprocess.run([sys.executable, '-m', 'requester_probe', str(seen), str(log)],
                   env=environment, timeout=300, check=True)
    assert seen.read_text().splitlines() == ['__main__', json.dumps([True, True])], \
        log.read_text()


class OneWorkersEpisodes:
    """In place of the warm server: episodes that note when they start, step and end."""

    def __init__(self):
        """Nothing has started yet."""
        self.events, self.second_started = [], threading.Event()

    def start(self, command: list, log: str) -> 'NotedEpisode':
        """Note the start; the episode steps once its gate has the runner's go-ahead."""
        Path(log).write_text('')
        key = command[4]
        self.events.append(('start', key))
        if len(self.events) > 1:
            self.second_started.set()
        return NotedEpisode(self, key, command[5], command[command.index('--gate') + 1])


class NotedEpisode:
    """An episode whose wait notes the go-ahead read from its gate, then its end."""

    def __init__(self, episodes: OneWorkersEpisodes, key: str, result: str, gate: str):
        """Remember where its row and its gate are."""
        self.episodes, self.key, self.result, self.gate = episodes, key, result, gate

    def wait(self, timeout: float | None = None) -> int:
        """Read the go-ahead, step (till both have started), end with a row."""
        with open(self.gate, 'rb', buffering=0) as gate:
            assert gate.read(1)
        self.episodes.events.append(('go', self.key))
        self.episodes.second_started.wait(timeout=60)
        self.episodes.events.append(('end', self.key))
        Path(self.result).write_text(json.dumps({'key': self.key, 'outcome': 'pass'}))
        return 0


def test_a_worker_starts_its_next_episode_while_one_steps_and_lets_it_step_after(
        tmp_path, monkeypatch):
    # start-up (processes, discovery, handshake) was idle wall time between two episodes
    episodes = OneWorkersEpisodes()
    monkeypatch.setattr(backends, 'EPISODES', episodes)
    campaign = load(tiny_campaign(tmp_path))
    rows = [f.row for f in execute(campaign, ['east-000', 'east-001'], 1, None)]
    assert [r['outcome'] for r in rows] == ['pass', 'pass']
    order = episodes.events.index
    # either may step first: the pool's threads race for the place
    first, second = [key for event, key in episodes.events if event == 'go']
    assert order(('start', second)) < order(('end', first))   # started while it stepped
    assert order(('end', first)) < order(('go', second)) < order(('end', second))


def test_each_worker_steps_on_a_core_of_its_own_when_there_are_enough(tmp_path, monkeypatch):
    # two episodes free to run on either core cost 13-19 % more CPU each than one alone
    monkeypatch.setattr(os, 'sched_getaffinity', lambda pid: {3, 5, 7})
    monkeypatch.setattr(backends, 'CLAIMS', tmp_path)
    places = Places.for_workers(2)
    with places.place() as one, places.place() as other:
        assert {one, other} == {3, 5}
    with places.place() as again:
        assert again in (3, 5)
    crowded = Places.for_workers(4)   # more workers than cores: anywhere
    with crowded.place() as one, crowded.place() as other:
        assert one is None and other is None
    places.close()


def test_campaigns_and_ray_actors_on_a_machine_claim_different_cores(tmp_path, monkeypatch):
    # they do not know each other: each takes a core no other holds, or steps anywhere
    monkeypatch.setattr(os, 'sched_getaffinity', lambda pid: {2, 4})
    monkeypatch.setattr(backends, 'CLAIMS', tmp_path)
    first, second, third = (Places.for_workers(1) for _ in range(3))
    cores = []
    for places in (first, second, third):
        with places.place() as core:
            cores.append(core)
    assert cores == [2, 4, None]
    first.close()   # as when its campaign ends
    fourth = Places.for_workers(1)
    with fourth.place() as core:
        assert core == 2
    for places in (second, third, fourth):
        places.close()


def test_a_core_whose_lock_file_is_not_ours_is_left_to_its_owner(tmp_path, monkeypatch):
    # another user's lock file (their umask took our write bit): skip it, do not fail
    monkeypatch.setattr(os, 'sched_getaffinity', lambda pid: {2, 4})
    monkeypatch.setattr(backends, 'CLAIMS', tmp_path)
    (tmp_path / 'twin-campaign-core-2.lock').mkdir()   # opening it read-write fails too
    places = Places.for_workers(1)
    with places.place() as core:
        assert core == 4
    places.close()
