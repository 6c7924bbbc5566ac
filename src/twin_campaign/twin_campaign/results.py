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
A campaign's results: results.csv, report.md and report.png; pure (no ROS).

Rows are the episodes' results (episode.py); an episode that crashed or hung is a row with
outcome ``error`` and its log.
"""

import csv
import math
from pathlib import Path
import shlex

from matplotlib.figure import Figure   # not pyplot: no display, no global state
import numpy as np
from twin_sim.evaluation import occupancy_map

COLUMNS = ('scenario', 'episode', 'seed', 'spawn', 'variations', 'faults', 'outcome',
           'failed_criterion', 'time_to_goal_s', 'path_length_m', 'min_clearance_m',
           'max_speed_m_s', 'contacts', 'odometry_drift_m', 'sim_time_s', 'wall_s',
           'lockstep_timeouts', 'log')
WORST_SHOWN = 4


def write_csv(rows: list[dict], path: Path) -> None:
    """Write one line per episode, in episode order."""
    with path.open('w', newline='') as stream:
        writer = csv.DictWriter(stream, COLUMNS, extrasaction='ignore')
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r['scenario'], r['episode'])):
            writer.writerow({key: _cell(row.get(key, '')) for key in COLUMNS})


def _cell(value):
    return f'{value:.4f}' if isinstance(value, float) and math.isfinite(value) else value


def pass_rates(rows: list[dict], by) -> dict[str, tuple[int, int]]:
    """Return {group: (passed, episodes)} with ``by(row)`` naming each row's groups."""
    rates = {}
    for row in rows:
        for group in by(row):
            passed, total = rates.get(group, (0, 0))
            rates[group] = (passed + (row['outcome'] == 'pass'), total + 1)
    return dict(sorted(rates.items()))


def by_scenario(row: dict) -> list[str]:
    """Return the group of a row: its scenario."""
    return [row['scenario']]


def by_fault(row: dict) -> list[str]:
    """Return the groups of a row: each fault that was active in it, or 'none'."""
    return (row.get('faults') or '').split() or ['none']


def worst(rows: list[dict], count: int = WORST_SHOWN) -> list[dict]:
    """Return the worst episodes: errors, then failures, each by smallest clearance."""
    rank = {'error': 0, 'fail': 1, 'pass': 2}
    ordered = sorted(rows, key=lambda r: (rank.get(r['outcome'], 0),
                                          _number(r.get('min_clearance_m'))))
    return [r for r in ordered if r.get('trajectory')][:count]


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.inf


def rerun_command(campaign_file: Path, key: str, output: Path) -> str:
    """Return the command that re-runs one episode alone, recorded (MCAP and its report)."""
    rerun = output / 'rerun'
    return shlex.join(['twin', 'campaign', str(campaign_file), '--only', key,
                       '--output', str(rerun), '--record', str(rerun)])


def write_report(rows: list[dict], campaign_file: Path, world_files: dict, output: Path):
    """Write report.md and report.png into ``output``; return their paths."""
    png = output / 'report.png'
    render(rows, world_files, png)
    markdown = output / 'report.md'
    markdown.write_text(report_text(rows, campaign_file, output))
    return markdown, png


def report_text(rows: list[dict], campaign_file: Path, output: Path) -> str:
    """Return report.md: pass rates, clearances, failing episodes with their re-run command."""
    passed = sum(r['outcome'] == 'pass' for r in rows)
    lines = [f'# Campaign {campaign_file.name}', '',
             f'{passed} of {len(rows)} episodes passed '
             f'({sum(r["outcome"] == "error" for r in rows)} errors). '
             'Details per episode: `results.csv`.', '', '![report](report.png)', '']
    for title, by in (('scenario', by_scenario), ('fault', by_fault)):
        lines += [f'| {title} | passed | episodes | pass rate |', '|---|---|---|---|']
        lines += [f'| {group} | {p} | {n} | {p / n:.0%} |'
                  for group, (p, n) in pass_rates(rows, by).items()]
        lines.append('')
    clearances = [_number(r.get('min_clearance_m')) for r in rows]
    finite = [c for c in clearances if math.isfinite(c)]
    if finite:
        lines += [f'Minimum clearance: smallest {min(finite):.3f} m, median '
                  f'{float(np.median(finite)):.3f} m.', '']
    failing = [r for r in rows if r['outcome'] != 'pass']
    if failing:
        lines += ['## Failing episodes', '']
    for row in sorted(failing, key=lambda r: (r['scenario'], r['episode'])):
        why = row.get('failed_criterion') or ''
        lines += [f'- `{row["scenario"]}-{row["episode"]:03d}` {row["outcome"]}: {why}'
                  + (f' (log `{row["log"]}`)' if row.get('log') else ''),
                  f'  `{rerun_command(campaign_file, _key(row), output)}`']
    return '\n'.join(lines) + '\n'


def _key(row: dict) -> str:
    return f'{row["scenario"]}-{row["episode"]:03d}'


def render(rows: list[dict], world_files: dict, path: Path) -> None:
    """Draw pass rates, the clearance distribution and the worst trajectories into a PNG."""
    figure = Figure(figsize=(12, 9), dpi=100)
    (scenarios, faults), (clearance, paths) = figure.subplots(2, 2)
    for axes, by, title in ((scenarios, by_scenario, 'pass rate per scenario'),
                            (faults, by_fault, 'pass rate per fault')):
        rates = pass_rates(rows, by)
        names = list(rates)
        axes.bar(names, [p / n for p, n in rates.values()], color='tab:green')
        for x, (p, n) in enumerate(rates.values()):
            axes.text(x, p / n + 0.02, f'{p}/{n}', ha='center', fontsize=9)
        axes.set_ylim(0, 1.15)
        axes.set_title(title)
        axes.tick_params(axis='x', labelrotation=20)
    values = [c for c in (_number(r.get('min_clearance_m')) for r in rows) if math.isfinite(c)]
    clearance.hist(values or [0.0], bins=20, color='tab:blue')
    clearance.set_title('minimum clearance per episode')
    clearance.set_xlabel('m')
    clearance.set_ylabel('episodes')
    _draw_worst(paths, worst(rows), world_files)
    figure.tight_layout()
    figure.savefig(path)


def _draw_worst(axes, rows: list[dict], world_files: dict) -> None:
    """Draw the worst episodes' paths over the map of the first one's world."""
    axes.set_title('worst episodes (ground truth)')
    if not rows:
        return
    world = world_files.get(rows[0]['scenario'])
    rows = [r for r in rows if world_files.get(r['scenario']) == world]   # one map
    if world:
        grid = occupancy_map(world)
        axes.imshow(grid.occupied, origin='lower', extent=grid.extent, cmap='Greys',
                    vmin=0, vmax=1.6, interpolation='nearest')
    for row in rows:
        points = np.array(row['trajectory'])
        axes.plot(points[:, 0], points[:, 1], linewidth=1.5,
                  label=f'{_key(row)} {row["outcome"]} {row.get("failed_criterion", "")}')
        axes.plot(*points[0], marker='o', color='black')
    axes.set_aspect('equal')
    axes.legend(fontsize=7, loc='upper right')
