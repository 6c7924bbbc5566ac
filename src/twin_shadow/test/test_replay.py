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

"""``twin shadow --replay`` finds the events the live feed found, from the recording."""

import csv

from robot_stand_in import fault, record, robot_twin, shadow_twin
from twin_shadow.feed import RobotFeed
from twin_shadow.replay import main

STEP = 1 / 240   # s: the physics step


def test_replay_gives_the_live_events(tmp_path, capsys):
    live = RobotFeed(shadow_twin())
    record(robot_twin(), tmp_path / 'robot.mcap', 14.0, onset=9.3,
           faults=fault('weak_motor', 'right', torque=0.0), live=live.offer)
    assert [(e.kind, e.target) for e in live.shadow.events][:1] == [('weak_motor', 'right')]

    assert main(['--replay', str(tmp_path / 'robot.mcap'), '--report', str(tmp_path / 'out')],
                prog='twin shadow') == 0

    with open(tmp_path / 'out' / 'events.csv') as file:
        replayed = list(csv.DictReader(file))
    assert [(row['kind'], row['target']) for row in replayed] == \
        [(e.kind, e.target) for e in live.shadow.events]
    for row, event in zip(replayed, live.shadow.events):
        assert abs(float(row['time_s']) - event.time) <= 2 * STEP
    printed = capsys.readouterr().out.splitlines()[:len(replayed)]
    assert [line.split()[2:4] for line in printed] == \
        [[e.kind, e.target] for e in live.shadow.events]
    assert (tmp_path / 'out' / 'shadow.png').stat().st_size > 0


def test_a_missing_recording_is_an_error_for_people(tmp_path, capsys):
    assert main(['--replay', str(tmp_path / 'none.mcap'), '--report', str(tmp_path)],
                prog='twin shadow') == 1
    assert 'none.mcap' in capsys.readouterr().err
