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

"""The change detector's rules, residual by residual (no physics)."""

import math

import numpy as np
import pytest
from twin_shadow.detector import ChangeDetector, Cusum, ERROR, level_of, OK, Thresholds, WARN
from twin_shadow.shadow import compare_scans


def test_cusum_fires_once_per_excursion_and_rearms():
    cusum = Cusum(drift=0.5, alarm=4.0)
    assert [cusum.update(0.4) for _ in range(100)] == [0] * 100   # below the drift
    fired = [cusum.update(2.0) for _ in range(20)]
    assert fired.count(1) == 1 and fired.index(1) == 2           # 1.5 a sample: 3rd crosses 4
    for _ in range(20):
        cusum.update(0.0)
    assert [cusum.update(-3.0) for _ in range(2)] == [0, -1]


def test_levels_from_thresholds():
    assert level_of(0.09, 0.1) == OK
    assert level_of(-0.1, 0.1) == WARN
    assert level_of(0.25, 0.1) == ERROR


def test_a_threshold_must_be_positive():
    with pytest.raises(ValueError, match='wheel must be a positive number'):
        Thresholds(wheel=0.0)


def test_one_wheel_off_its_command_is_a_weak_motor_named_by_wheel():
    detector = ChangeDetector()
    events = [detector.wheels(k * 0.02, -6.0, 0.1) for k in range(10)]
    fired = [event for event in events if event]
    assert len(fired) == 1
    assert (fired[0].kind, fired[0].target) == ('weak_motor', 'left')
    assert detector.level() == ERROR


def test_both_wheels_off_is_the_robot_not_following_commands():
    detector = ChangeDetector()
    fired = [e for e in (detector.wheels(k * 0.02, -6.0, -6.0) for k in range(10)) if e]
    assert [(e.kind, e.target) for e in fired] == [('not_following_commands', 'robot')]


@pytest.mark.parametrize('speed_residual, wheel', [(0.03, 'right'), (-0.03, 'left')])
def test_slip_names_the_wheel_from_the_speed_residual(speed_residual, wheel):
    detector = ChangeDetector()
    fired = [e for e in (detector.turn(k * 0.005, 0.4, speed_residual, False)
                         for k in range(20)) if e]
    assert [(e.kind, e.target) for e in fired] == [('wheel_slip', wheel)]


def test_turning_at_rest_is_the_imu():
    detector = ChangeDetector()
    fired = [e for e in (detector.turn(k * 0.005, 0.4, 0.0, True) for k in range(20)) if e]
    assert [(e.kind, e.target) for e in fired] == [('imu_degraded', 'imu')]


def test_no_slip_while_a_wheel_is_off_its_command():
    detector = ChangeDetector()
    detector.divergence.left_wheel, detector.divergence.right_wheel = -1.5, 0.0
    assert not any(detector.turn(k * 0.005, 0.4, 0.03, False) for k in range(50))


def test_scan_events_obstacle_and_lidar():
    detector = ChangeDetector()
    fired = [e for e in (detector.scan(k * 0.2, 0.0, 0.3, 0.0) for k in range(5)) if e]
    assert [e.kind for e in fired] == ['obstacle_not_in_world']
    detector = ChangeDetector()
    fired = [e for e in (detector.scan(k * 0.2, 0.0, 0.0, 0.5) for k in range(5)) if e]
    assert [e.kind for e in fired] == ['lidar_degraded']


def test_compare_scans():
    twin = np.array([1.0, 2.0, np.inf, 3.0])
    real = np.array([1.1, 1.0, 0.5, np.inf])
    median, closer, lost = compare_scans(real, twin, obstacle=0.3)
    assert median == pytest.approx(0.55)   # |0.1| and |1.0|
    assert closer == 0.5 and lost == 0.25
    assert math.isnan(compare_scans(np.full(3, np.inf), np.full(3, np.inf), 0.3)[0])


def test_event_reads_as_one_line():
    detector = ChangeDetector()
    event = [e for e in (detector.wheels(1.0, -6.0, 0.0) for _ in range(5)) if e][0]
    assert '\n' not in str(event) and 'weak_motor' in str(event) and 'left' in str(event)


def test_a_persisting_fault_is_one_event_then_ended_after_quiet():
    detector = ChangeDetector(Thresholds(quiet=3.0))
    # A dead left wheel shows only while the robot drives: half of every second, for 8 s.
    for k in range(400):
        time = k * 0.02
        detector.wheels(time, -6.0 if time % 1.0 < 0.5 else 0.0, 0.0)
    assert [(e.kind, e.target) for e in detector.events] == [('weak_motor', 'left')]
    for k in range(400, 800):   # 8 s without residual: ended once, 3 s after the statistic
        detector.wheels(k * 0.02, 0.0, 0.0)   # is back at zero (0.32 s from its cap of 8)
    ended = detector.events[1:]
    assert [(e.kind, e.target) for e in ended] == [('weak_motor_ended', 'left')]
    assert 3.0 <= ended[0].time - 7.5 <= 3.0 + 0.34
    for k in range(800, 810):   # it comes back: a new episode
        detector.wheels(k * 0.02, -6.0, 0.0)
    assert [e.kind for e in detector.events] == ['weak_motor', 'weak_motor_ended',
                                                 'weak_motor']


def test_another_wheel_in_the_same_channel_is_a_new_event():
    detector = ChangeDetector()
    for k in range(20):
        detector.wheels(k * 0.02, -6.0, 0.0)
    for k in range(20, 60):
        detector.wheels(k * 0.02, 0.0, -6.0)
    assert [(e.kind, e.target) for e in detector.events] == [('weak_motor', 'left'),
                                                             ('weak_motor', 'right')]


def test_no_slip_while_a_weak_motor_episode_is_open():
    detector = ChangeDetector()
    for k in range(20):
        detector.wheels(k * 0.02, -6.0, 0.0)
    detector.wheels(0.4, 0.0, 0.0)   # the wheels agree for now: the motor is still weak
    assert not any(detector.turn(0.4 + k * 0.005, 0.4, 0.03, False) for k in range(50))
    assert [e.kind for e in detector.events] == ['weak_motor']
