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
``config/campaigns/bench.yaml``) on the local pool with 1 and 2 workers, then again with
1 worker confined to 1 core and 2 workers to 2 cores (the CPU affinity of the campaign's
whole process tree), and on Ray with 2; it prints a Markdown table: episodes per hour, the
2-worker scaling (on the whole machine, and per core), the capacity efficiency (the CPU
the episodes took against the cores' wall time), Ray's overhead over the local pool (its
start-up and its actors' apart), the CPU of an episode by process (its own, the bridge's,
the controller's, as each episode counts it: ``cpu_s_by_process`` in its row), the warm
servers', Ray's and the campaign process's CPU, and what follows for a 16-core machine and
for a simulated day in five minutes. The load average is printed with it, and each run's
``others`` share (its cores' busy time, by /proc/stat, that other processes took): the
numbers of a shared machine are only as good as its load. ``--episodes 1`` is a quick check (one
episode per scenario and run) of the same figures, with more noise.
"""

import argparse
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
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
from twin_campaign.processes import (children_by_parent, confine, cpu_s, stat_fields,
                                     thread_ids, TICKS_PER_S)
from twin_campaign.tuning import trial_campaign

DEFAULT = Path('config') / 'campaigns' / 'bench.yaml'
DAY_S, FIVE_MINUTES_S, PROJECTED_CORES = 86400.0, 300.0, 16
EPISODE_PROCESSES = ('episode', 'bridge', 'controller')   # an episode's row counts these


@dataclass(frozen=True)
class Run:
    """One back-end's run of the whole campaign."""

    backend: str
    workers: int
    cores: int        # the cores its processes may run on
    confined: bool    # to ``cores``, fewer than the machine's, or a worker per core
    episodes: int
    errors: int
    wall_s: float
    sim_s: float
    cpu_s: float      # the episodes' own count (process, bridge, controller), summed
    campaign_cpu_s: float   # the campaign process's own (its threads; Ray's driver)
    # CPU s by process: the episodes' (summed from their rows), the warm servers' and
    # Ray's (their processes alive at the run's end), the campaign process's
    by_process: dict = field(default_factory=dict)
    stepping_s: float = 0.0   # the episodes' wall s from their resume to their end, summed
    outside_cores: tuple = ()  # processes of the tree that could run on other cores
    started_at: float = 0.0   # time.monotonic(), as the rows' started_at, resumed_at, ended_at
    niceness: int = 0         # the episodes' (the highest; Ray's workers' default is 15)
    busy_s: float = 0.0       # CPU s of the run's cores, whoever used them (/proc/stat)

    @property
    def name(self) -> str:
        """Return the run's name: back-end, workers and, when confined, cores."""
        where = f' on {self.cores} core{"s" * (self.cores > 1)}' if self.confined else ''
        return f'{self.backend} {self.workers}{where}'

    @property
    def episodes_per_hour(self) -> float:
        """Return the throughput, episodes per wall hour."""
        return 3600.0 * self.episodes / self.wall_s

    @property
    def sim_per_wall(self) -> float:
        """Return the aggregate simulated seconds per wall second."""
        return self.sim_s / self.wall_s

    @property
    def capacity_efficiency(self) -> float:
        """
        Return the share of its cores' wall time the episodes' CPU filled.

        Episodes per hour x CPU s per episode / 3600 / cores: 1.0 when the cores did
        nothing but the episodes' work (their processes' CPU, as each row counts it).
        """
        return self.cpu_s / self.wall_s / self.cores

    @property
    def others_share(self) -> float:
        """
        Return the share of its cores' wall time that processes outside the campaign took.

        A loaded machine: the wall-clock figures of a run with a large share judge nothing.
        """
        return max(0.0, self.busy_s - sum(self.by_process.values())) / self.wall_s / self.cores

    @property
    def stepping_share(self) -> float:
        """Return the share of the workers' wall time their episodes stepped (resumed)."""
        return self.stepping_s / self.wall_s / self.workers


def measure(campaign: Campaign, output: Path, backend: str, workers: int,
            ray_address: str | None = None, confined: bool = False) -> Run:
    """
    Run the whole campaign once on a back-end; return its numbers.

    :param confined: whether the process tree was confined (:func:`confined`) to its cores
    """
    cores = os.sched_getaffinity(0)
    before, busy_before = tree_cpu_s(), busy_s(cores)
    started, cpu_before = time.monotonic(), own_cpu_s()
    folder = f'{backend}-{workers}' + (f'-confined-{len(cores)}' if confined else '')
    rows = run_campaign(campaign, output / folder, workers, False, ray_address=ray_address)
    wall, cpu = time.monotonic() - started, own_cpu_s() - cpu_before
    busy = busy_s(cores) - busy_before
    outside = tuple(sorted(f'{kind} {pid}' for pid, kind in outside_of(cores).items()))
    after = tree_cpu_s()

    def total(column: str) -> float:
        return sum(float(row.get(column) or 0.0) for row in rows)
    by_process = {name: sum(row.get('cpu_s_by_process', {}).get(name, 0.0) for row in rows)
                  for name in EPISODE_PROCESSES}
    for pid, (kind, seconds) in after.items():   # alive at both ends: the difference
        by_process[kind] = by_process.get(kind, 0.0) + seconds - before.get(pid, (kind, 0))[1]
    by_process['campaign process'] = cpu
    outside += tuple(f'episode {row["key"]} ({row["cores"]} cores)' for row in rows
                     if row.get('cores', len(cores)) > len(cores))
    return Run(backend, workers, len(cores), confined, len(rows),
               sum(r['outcome'] == 'error' for r in rows), wall, total('sim_time_s'),
               total('cpu_s'), cpu, by_process, stepping_s(rows), outside, started,
               max((row.get('niceness', 0) for row in rows), default=0), busy)


def stepping_s(rows: list) -> float:
    """Return the episodes' wall s from their resume to their end, summed."""
    return sum(row['ended_at'] - row['resumed_at'] for row in rows
               if row.get('resumed_at') is not None)


def busy_s(cores: set[int]) -> float:
    """Return the CPU s the machine's ``cores`` have been busy (not idle), by /proc/stat."""
    busy = 0
    for line in Path('/proc/stat').read_text().splitlines():
        name, *ticks = line.split()
        if name.startswith('cpu') and name[3:].isdigit() and int(name[3:]) in cores:
            user, nice, system, _, _, irq, softirq, steal = (int(t) for t in ticks[:8])
            busy += user + nice + system + irq + softirq + steal
    return busy / TICKS_PER_S


def own_cpu_s() -> float:
    """Return this process's CPU seconds, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def descendants(root: int | None = None) -> dict[int, str]:
    """Return the processes under ``root`` (default: this one), each with its kind."""
    children = children_by_parent()
    kinds, waiting = {}, [(root or os.getpid(), b'')]
    while waiting:
        parent, parent_command = waiting.pop()
        for pid in children.get(parent, ()):
            try:
                command = Path(f'/proc/{pid}/cmdline').read_bytes()
            except OSError:
                continue
            # A warm child (an episode, its bridge or controller) has its server's command.
            kinds[pid] = 'episode' if command == parent_command else kind_of(
                command.replace(b'\0', b' ').decode(errors='replace'))
            waiting.append((pid, command))
    return kinds


def kind_of(command: str) -> str:
    """Return what a process of the campaign's tree is, from its command line."""
    if 'twin_campaign.warm import serve' in command:
        return 'warm servers'
    return 'ray' if 'ray' in command else 'other'


def tree_cpu_s() -> dict[int, tuple[str, float]]:
    """Return the CPU s of each process under this one (its own, not its children's)."""
    seconds = {}
    for pid, kind in descendants().items():
        try:
            seconds[pid] = (kind, sum(cpu_s(stat_fields(pid))))
        except OSError:   # it ended meanwhile
            continue
    return seconds


@contextmanager
def confined(cores: set[int]):
    """
    Confine the campaign's process tree to ``cores`` for the block; restore it after.

    Every thread of this process and of the processes under it (the warm server, Ray's if
    it runs), as new threads and children inherit their parent's affinity.
    """
    everywhere = os.sched_getaffinity(0)
    confine((os.getpid(), *descendants()), cores)
    try:
        yield
    finally:
        confine((os.getpid(), *descendants()), everywhere)


def outside_of(cores: set[int]) -> dict[int, str]:
    """Return the processes of the tree with a thread that may run outside ``cores``."""
    outside = {}
    for pid, kind in {os.getpid(): 'campaign process', **descendants()}.items():
        for thread in thread_ids(pid):
            try:
                if not os.sched_getaffinity(thread) <= cores:
                    outside[pid] = kind
            except ProcessLookupError:
                pass
    return outside


def summary(runs: dict, ray_start_s: float) -> dict:
    """Return the derived numbers: scaling, Ray's overhead, cost per episode, projections."""
    one, two, ray = runs['local-1'], runs['local-2'], runs['ray-2']
    cpu_per_episode = one.cpu_s / one.episodes
    sim_per_cpu = one.sim_s / one.cpu_s
    derived = {
        # On the whole machine: one worker overlaps its next episode's start-up with the
        # current one's stepping and may use more than one core.
        'scaling_2_workers': two.episodes_per_hour / one.episodes_per_hour,
    }
    if 'local-1-core' in runs and 'local-2-cores' in runs:
        # The bar's meaning: a worker per core, each run confined to its workers' cores.
        scaling = runs['local-2-cores'].episodes_per_hour / runs['local-1-core'].episodes_per_hour
        derived.update(scaling_2_workers_per_core=scaling,
                       scaling_per_worker_per_core=scaling / 2)   # the bar: >= 0.85
    derived.update({
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
    })
    return derived


def markdown(campaign: Campaign, runs: dict, derived: dict, load_average: tuple) -> str:
    """Return the results as Markdown tables and a list."""
    lines = [f'Campaign `{campaign.path}`; load average before {load_average[0]:.1f}, after '
             f'{load_average[1]:.1f} ({os.cpu_count()} cores).', '',
             '| run | cores | episodes (errors) | wall s | episodes/h | sim s/wall s |'
             ' CPU s/episode | capacity efficiency | stepping share | niceness | others |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for run in runs.values():
        lines.append(f'| {run.name} | {run.cores} | {run.episodes} ({run.errors}) | '
                     f'{run.wall_s:.1f} | {run.episodes_per_hour:.0f} | '
                     f'{run.sim_per_wall:.2f} | {run.cpu_s / run.episodes:.2f} | '
                     f'{run.capacity_efficiency:.2f} | {run.stepping_share:.2f} | '
                     f'{run.niceness} | {run.others_share:.2f} |')
    kinds = sorted({kind for run in runs.values() for kind in run.by_process},
                   key=lambda k: (k not in EPISODE_PROCESSES, k))
    lines += ['', '| CPU s per episode, by process | ' + ' | '.join(kinds) + ' |',
              '|---|' + '---|' * len(kinds)]
    for run in runs.values():
        lines.append(f'| {run.name} | ' + ' | '.join(
            f'{run.by_process.get(kind, 0.0) / run.episodes:.3f}' for kind in kinds) + ' |')
    lines += ['', *(f'- {name}: {value:.3g}' for name, value in derived.items())]
    outside = [f'{run.name}: {", ".join(run.outside_cores)}' for run in runs.values()
               if run.outside_cores]
    lines += [f'- NOT CONFINED: {line}' for line in outside]
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
    cores = sorted(os.sched_getaffinity(0))
    for workers, name in ((1, 'local-1-core'), (2, 'local-2-cores')):
        if workers <= len(cores):   # a worker per core, the processes kept there
            with confined(set(cores[:workers])):
                runs[name] = measure(campaign, output, 'local', workers, confined=True)
    started = time.monotonic()
    with ray_session('local', 2):
        ray_slots(2)   # its actors' warm servers start apart, as the local pool's
        ray_start_s = time.monotonic() - started
        runs['ray-2'] = measure(campaign, output, 'ray', 2, ray_address='local')
    derived = {**summary(runs, ray_start_s), 'warm_server_start_s': warm_start_s}
    text = markdown(campaign, runs, derived, (load_before, os.getloadavg()[0]))
    (output / 'campaign_bench.md').write_text(text)
    (output / 'campaign_bench.json').write_text(json.dumps(
        {'runs': {k: {**asdict(v), 'capacity_efficiency': v.capacity_efficiency,
                      'others_share': v.others_share} for k, v in runs.items()},
         'derived': derived}, indent=1))
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
