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


"""results.csv, report.md and report.png from hand-made rows."""

import csv
from pathlib import Path

from twin_campaign.results import by_fault, pass_rates, report_text, worst, write_csv, \
    write_report


def row(scenario: str, episode: int, outcome: str, clearance: float, faults: str = '',
        **extra) -> dict:
    return {'key': f'{scenario}-{episode:03d}', 'scenario': scenario, 'episode': episode,
            'seed': 1, 'outcome': outcome, 'failed_criterion': '' if outcome == 'pass'
            else 'no_contact', 'min_clearance_m': clearance, 'faults': faults,
            'trajectory': [[0.0, 0.0], [0.5, 0.1]], **extra}


ROWS = [row('a', 0, 'pass', 0.3), row('a', 1, 'fail', 0.0, 'lidar_blackout'),
        row('b', 0, 'pass', 0.2, 'lidar_blackout'),
        {'key': 'b-001', 'scenario': 'b', 'episode': 1, 'seed': 1, 'outcome': 'error',
         'failed_criterion': 'exit 1: boom', 'log': 'logs/b-001.log'}]


def test_pass_rates_per_fault_count_each_active_fault():
    assert pass_rates(ROWS, by_fault) == {'lidar_blackout': (1, 2), 'none': (1, 2)}


def test_worst_episodes_come_errors_first_then_failures_by_clearance():
    assert [r['key'] for r in worst(ROWS)] == ['a-001', 'b-000', 'a-000']   # b-001: no path


def test_the_report_gives_each_failing_episode_its_rerun_command(tmp_path):
    text = report_text(ROWS, Path('c.yaml'), tmp_path)
    assert '2 of 4 episodes passed (1 errors)' in text
    assert f'twin campaign c.yaml --only a-001 --output {tmp_path}/rerun --record ' in text
    assert '--only b-001' in text and '--only a-000' not in text


def test_csv_and_png_are_written(tmp_path):
    write_csv(ROWS, tmp_path / 'results.csv')
    with (tmp_path / 'results.csv').open() as stream:
        lines = list(csv.DictReader(stream))
    assert [line['outcome'] for line in lines] == ['pass', 'fail', 'pass', 'error']
    assert lines[0]['min_clearance_m'] == '0.3000'
    markdown, png = write_report(ROWS, Path('c.yaml'), {}, tmp_path)
    assert png.stat().st_size > 10_000 and markdown.is_file()
