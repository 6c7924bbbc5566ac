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
Campaign throughput (a benchmark, not a test): episodes per hour, back-ends, projections.

``python -m twin_campaign.bench [FILE] --output DIR`` runs the campaign (default
``config/campaigns/bench.yaml``) on the local pool with 1 and 2 workers and on Ray with 2,
and prints a Markdown table: episodes per hour, the 2-worker scaling, Ray's overhead over
the local pool (its start-up and its actors' apart), the CPU cost of an episode (its
process with its bridge and controller, as each episode counts it: ``cpu_s`` in its row),
the aggregate simulated seconds per wall second, and what follows for a 16-core machine
and for a simulated day in five minutes. The load average is printed with it: the numbers
of a shared machine are only as good as its load. ``--episodes 1`` is a quick check (one episode
per scenario and run, 6 in all) of the same figures, with more noise.
"""

import argparse
from dataclasses import asdict, dataclass
import json
import math
import os
from pathlib import Path
import resource
import sys
import time

from twin_campaign.backends import EPISODES, ray_session, ray_slots
from twin_campaign.campaign import Campaign, CampaignError, load
from twin_campaign.cli import run_campaign
from twin_campaign.tuning import trial_campaign

DEFAULT = Path('config') / 'campaigns' / 'bench.yaml'
DAY_S, FIVE_MINUTES_S, PROJECTED_CORES = 86400.0, 300.0, 16


@dataclass(frozen=True)
class Run:
    """One back-end's run of the whole campaign."""

    backend: str
    workers: int
    episodes: int
    errors: int
    wall_s: float
    sim_s: float
    cpu_s: float      # the episodes' own count (process, bridge, controller), summed
    campaign_cpu_s: float   # the campaign process's own (its threads; Ray's driver)

    @property
    def episodes_per_hour(self) -> float:
        """Return the throughput, episodes per wall hour."""
        return 3600.0 * self.episodes / self.wall_s

    @property
    def sim_per_wall(self) -> float:
        """Return the aggregate simulated seconds per wall second."""
        return self.sim_s / self.wall_s


def measure(campaign: Campaign, output: Path, backend: str, workers: int,
            ray_address: str | None = None) -> Run:
    """Run the whole campaign once on a back-end; return its numbers."""
    started, cpu_before = time.monotonic(), own_cpu_s()
    rows = run_campaign(campaign, output / f'{backend}-{workers}', workers, False,
                        ray_address=ray_address)
    wall, cpu = time.monotonic() - started, own_cpu_s() - cpu_before

    def total(column: str) -> float:
        return sum(float(row.get(column) or 0.0) for row in rows)
    return Run(backend, workers, len(rows), sum(r['outcome'] == 'error' for r in rows), wall,
               total('sim_time_s'), total('cpu_s'), cpu)


def own_cpu_s() -> float:
    """Return this process's CPU seconds, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summary(runs: dict, ray_start_s: float) -> dict:
    """Return the derived numbers: scaling, Ray's overhead, cost per episode, projections."""
    one, two, ray = runs['local-1'], runs['local-2'], runs['ray-2']
    cpu_per_episode = one.cpu_s / one.episodes
    sim_per_cpu = one.sim_s / one.cpu_s
    return {
        'scaling_2_workers': two.episodes_per_hour / one.episodes_per_hour,
        'ray_overhead': ray.wall_s / two.wall_s - 1.0,
        'ray_start_s': ray_start_s,
        'wall_s_per_episode_1_worker': one.wall_s / one.episodes,
        'cpu_s_per_episode': cpu_per_episode,
        # Cores one episode keeps busy; on a loaded machine its wall time is long, and the
        # CPU-bound figures below (from CPU s alone) are the ones to compare.
        'cores_busy_1_worker': one.cpu_s / one.wall_s,
        'episodes_per_hour_2_cores': 2 * 3600 / cpu_per_episode,
        'sim_s_per_episode': one.sim_s / one.episodes,
        f'episodes_per_hour_{PROJECTED_CORES}_cores': PROJECTED_CORES * 3600 / cpu_per_episode,
        'sim_s_per_cpu_s': sim_per_cpu,
        f'sim_s_per_wall_s_{PROJECTED_CORES}_cores': PROJECTED_CORES * sim_per_cpu,
        'cores_for_a_day_in_5_minutes': math.ceil(DAY_S / FIVE_MINUTES_S / sim_per_cpu),
    }


def markdown(campaign: Campaign, runs: dict, derived: dict, load_average: tuple) -> str:
    """Return the results as a Markdown table and list."""
    lines = [f'Campaign `{campaign.path}`; load average before {load_average[0]:.1f}, after '
             f'{load_average[1]:.1f} ({os.cpu_count()} cores).', '',
             '| back-end | workers | episodes (errors) | wall s | episodes/h | sim s/wall s |'
             ' CPU s/episode | campaign process CPU s |', '|---|---|---|---|---|---|---|---|']
    for run in runs.values():
        lines.append(f'| {run.backend} | {run.workers} | {run.episodes} ({run.errors}) | '
                     f'{run.wall_s:.1f} | {run.episodes_per_hour:.0f} | '
                     f'{run.sim_per_wall:.2f} | {run.cpu_s / run.episodes:.2f} | '
                     f'{run.campaign_cpu_s:.2f} |')
    lines += ['', *(f'- {name}: {value:.3g}' for name, value in derived.items())]
    return '\n'.join(lines) + '\n'


def main(args: list[str] | None = None) -> int:
    """Run the benchmark; print the table; write DIR/campaign_bench.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('campaign', nargs='?', default=str(DEFAULT), metavar='FILE')
    parser.add_argument('--output', default='artifacts/campaign_bench', metavar='DIR')
    parser.add_argument('--episodes', type=int, metavar='N',
                        help="episodes per scenario instead of the file's (1: a quick check)")
    options = parser.parse_args(args)
    output = Path(options.output)
    try:
        campaign = load(options.campaign)
        if options.episodes is not None:
            if options.episodes < 1:
                raise CampaignError(f'--episodes {options.episodes}: give 1 or more')
            # Written out: each episode process reads its campaign from the file.
            campaign = trial_campaign(campaign, {}, campaign.seed, options.episodes, output)
    except CampaignError as error:
        print(f'twin campaign bench: {error}', file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    EPISODES.ensure_running()   # the warm server starts (its one import) apart, as Ray
    warm_start_s = time.monotonic() - started
    runs = {'local-1': measure(campaign, output, 'local', 1),
            'local-2': measure(campaign, output, 'local', 2)}
    started = time.monotonic()
    with ray_session('local', 2):
        ray_slots(2)   # its actors' warm servers start apart, as the local pool's
        ray_start_s = time.monotonic() - started
        runs['ray-2'] = measure(campaign, output, 'ray', 2, ray_address='local')
    derived = {**summary(runs, ray_start_s), 'warm_server_start_s': warm_start_s}
    text = markdown(campaign, runs, derived, (load_before, os.getloadavg()[0]))
    (output / 'campaign_bench.md').write_text(text)
    (output / 'campaign_bench.json').write_text(json.dumps(
        {'runs': {k: asdict(v) for k, v in runs.items()}, 'derived': derived}, indent=1))
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
