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
``twin campaign FILE --output DIR``: run a campaign's episodes, then write its results.

Each episode is a process of its own (``twin_campaign.episode``) with its own ROS graph; a
back-end (``twin_campaign.backends``) keeps ``--workers`` of them running. An episode that
crashes or hangs becomes an ``error`` row with its log; the campaign goes on. Results of
finished episodes are kept in DIR/episodes/, so ``--resume`` runs only what is missing.
"""

import argparse
from contextlib import nullcontext
import json
from pathlib import Path
import shutil
import sys
import time

from twin.arguments import bridge_parameters, BringupError
from twin_campaign import tuning
from twin_campaign.backends import BackendError, execute, Finished, ray_session
from twin_campaign.campaign import Campaign, CampaignError, episodes, launch_problem, load
from twin_campaign.results import write_csv, write_report

EXAMPLE = ('examples:\n  twin campaign config/campaigns/obstacle_stop.yaml --output '
           'artifacts/campaign\n  twin campaign config/campaigns/obstacle_stop.yaml --output '
           'artifacts/campaign --resume --workers 2\n  twin campaign '
           'config/campaigns/obstacle_stop.yaml --output artifacts/campaign --ray')


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the command line of ``twin campaign``."""
    result = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0].strip('`'), epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    result.add_argument('campaign', metavar='FILE', help='campaign file (docs/campaigns.md)')
    result.add_argument('--output', required=True, metavar='DIR',
                        help='folder of results.csv, report.md, report.png and the logs')
    result.add_argument('--workers', type=int, metavar='N',
                        help='episodes at once (default: the number of cores; on a Ray '
                             'cluster, as many as its CPUs take)')
    ray = result.add_mutually_exclusive_group()
    ray.add_argument('--ray', dest='ray_address', action='store_const', const='local',
                     help='run the episodes on a Ray instance started here')
    ray.add_argument('--ray-address', metavar='ADDR',
                     help="run on the Ray cluster at ADDR ('auto': the one this machine "
                          'is part of)')
    result.add_argument('--resume', action='store_true',
                        help='keep the finished episodes in DIR; run only the others')
    result.add_argument('--tune', action='store_true',
                        help="search the controller's parameters of the file's tuning section "
                             '(Optuna); DIR gets best_parameters.yaml and tuning.md')
    result.add_argument('--only', metavar='KEY', action='append',
                        help='run only this episode (e.g. corridor-003); repeatable')
    result.add_argument('--record', metavar='DIR',
                        help='record each episode run to DIR/KEY/twin.mcap with its report')
    return result


class Progress:
    """One line: episodes done, running pass rate, ETA (a new line per episode in a log)."""

    def __init__(self, total: int):
        """Start the clock."""
        self.total, self.done, self.passed = total, 0, 0
        self.started = time.monotonic()
        self.interactive = sys.stderr.isatty()

    def update(self, row: dict) -> None:
        """Count a finished episode and show the line."""
        self.done += 1
        self.passed += row['outcome'] == 'pass'
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = '#' * (width * self.done // self.total)
        line = (f'[{bar:<{width}}] {self.done}/{self.total} | pass {self.passed / self.done:4.0%}'
                f' | {elapsed:5.0f} s, ETA {eta:5.0f} s | {row["key"]}: {row["outcome"]}')
        print(('\r' + line + '\033[K') if self.interactive else line, end='' if
              self.interactive and self.done < self.total else '\n', file=sys.stderr,
              flush=True)


def run_campaign(campaign: Campaign, output: Path, workers: int | None, resume: bool,
                 only: list | None = None, record: str | None = None,
                 ray_address: str | None = None) -> list[dict]:
    """
    Run the episodes not yet finished; return every row (finished ones included).

    :param ray_address: None: a local pool of ``workers``; else Ray (``backends.execute``)
    """
    keys = [e.key for e in episodes(campaign)]
    unknown = sorted(set(only or ()) - set(keys))
    if unknown:
        raise CampaignError(f'--only: no episode {unknown[0]!r} in {campaign.path}; '
                            f'episodes are named like {keys[0]!r}')
    keys = [k for k in keys if not only or k in only]
    folder = output / 'episodes'
    if not resume:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (output / 'logs').mkdir(exist_ok=True)
    rows = {k: json.loads((folder / f'{k}.json').read_text()) for k in keys
            if (folder / f'{k}.json').is_file()}
    todo = [k for k in keys if k not in rows]
    progress = Progress(len(todo))
    for finished in execute(campaign, todo, workers, record, ray_address):
        row = keep(finished, output)
        rows[row['key']] = row
        progress.update(row)
    return [rows[k] for k in keys]


def keep(finished: Finished, output: Path) -> dict:
    """Write an episode's row and log into DIR (an error row names its log); return the row."""
    row = dict(finished.row)
    log = output / 'logs' / f'{row["key"]}.log'
    log.write_text(finished.log)
    if row['outcome'] == 'error':
        row['log'] = str(log)
    (output / 'episodes' / f'{row["key"]}.json').write_text(json.dumps(row))
    return row


def tune_campaign(campaign: Campaign, output: Path, options: argparse.Namespace) -> int:
    """``--tune``: every trial a campaign on the chosen back-end (one Ray session for all)."""
    def run(trial: Campaign, folder: Path, resume: bool) -> list[dict]:
        rows = run_campaign(trial, folder, options.workers, resume,
                            ray_address=options.ray_address)
        write_csv(rows, folder / 'results.csv')
        return rows
    with (ray_session(options.ray_address, options.workers) if options.ray_address
          else nullcontext()):
        return tuning.command(campaign, output, run, options.resume)


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Run a campaign and write its results; exit 0 when every episode passed, else 1."""
    options = parser(prog).parse_args(args)
    output = Path(options.output)
    try:
        campaign = load(options.campaign)
        problem = launch_problem(campaign)
        if problem:
            raise CampaignError(problem)
        world_files = {s.name: bridge_parameters({'world': s.world}, True)['world_file']
                       for s in campaign.scenarios}
        output.mkdir(parents=True, exist_ok=True)
        if options.tune:
            if options.only or options.record:
                raise CampaignError('--tune runs whole trials: --only and --record apply to '
                                    'a campaign run (re-run a trial alone with its '
                                    'DIR/trials/NNN/campaign.yaml)')
            return tune_campaign(campaign, output, options)
        rows = run_campaign(campaign, output, options.workers, options.resume, options.only,
                            options.record, options.ray_address)
    except (CampaignError, BringupError, BackendError) as error:
        print(f'twin campaign: {error}', file=sys.stderr)
        return 2
    except OSError as error:
        print(f'twin campaign: {output}: {error.strerror}', file=sys.stderr)
        return 2
    write_csv(rows, output / 'results.csv')
    markdown, png = write_report(rows, campaign.path, world_files, output)
    passed = sum(r['outcome'] == 'pass' for r in rows)
    print(f'twin campaign: {passed}/{len(rows)} passed; {output / "results.csv"}, {markdown}, '
          f'{png}')
    return 0 if passed == len(rows) else 1
