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

"""The throughput benchmark's own arithmetic and its confinement of the process tree."""

import os
import subprocess
import sys

from pytest import approx
from twin_campaign.bench import confined, outside_of, Run, summary

SLEEPER = [sys.executable, '-c', 'import time; time.sleep(60)']


def test_a_confined_block_pins_every_process_of_the_tree_and_restores_them_after():
    everywhere = os.sched_getaffinity(0)
    core = {min(everywhere)}
    before = subprocess.Popen(SLEEPER)   # started before, as the warm server is
    try:
        with confined(core):
            during = subprocess.Popen(SLEEPER)   # inherits it, as the episodes do
            try:
                assert os.sched_getaffinity(before.pid) == core
                assert os.sched_getaffinity(during.pid) == core
                assert os.sched_getaffinity(0) == core
                assert not outside_of(core)
            finally:
                during.kill()
                during.wait()
        assert os.sched_getaffinity(before.pid) == everywhere
        assert os.sched_getaffinity(0) == everywhere
    finally:
        before.kill()
        before.wait()


def run(workers: int, cores: int, wall_s: float, confined: bool = False) -> Run:
    """Return a run of 6 episodes of 20 simulated s and 3 CPU s each."""
    return Run('local', workers, cores, confined, 6, 0, wall_s, 120.0, 18.0, 0.1)


def test_the_per_core_scaling_compares_a_worker_on_a_core_with_two_on_two():
    runs = {'local-1': run(1, 2, 15.0), 'local-2': run(2, 2, 12.0),
            'local-1-core': run(1, 1, 20.0, True), 'local-2-cores': run(2, 2, 11.0, True),
            'ray-2': run(2, 2, 13.2)}
    derived = summary(runs, ray_start_s=4.0)
    assert derived['scaling_2_workers'] == approx(15.0 / 12.0)
    assert derived['scaling_2_workers_per_core'] == approx(20.0 / 11.0)
    assert derived['scaling_per_worker_per_core'] == approx(10.0 / 11.0)
    assert derived['ray_overhead'] == approx(0.1)
    # 18 CPU s in 20 s on 1 core; in 11 s on 2
    assert runs['local-1-core'].capacity_efficiency == approx(0.9)
    assert runs['local-2-cores'].capacity_efficiency == approx(18.0 / 11.0 / 2)
    assert runs['local-2-cores'].name == 'local 2 on 2 cores'
    assert runs['local-2'].name == 'local 2'


def test_the_others_share_is_the_busy_time_of_the_runs_cores_the_campaign_did_not_take():
    loaded = Run('local', 1, 1, True, 6, 0, 20.0, 120.0, 18.0, 0.1,
                 {'episode': 3.0, 'bridge': 12.0, 'controller': 3.0, 'campaign process': 0.1},
                 busy_s=19.1)
    assert loaded.others_share == approx(1.0 / 20.0)
