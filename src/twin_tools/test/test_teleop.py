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

"""The keyboard's rules (teleop_twist_keyboard's keys) and the rate line, without ROS."""

import pytest
from twin_tools.drive import Teleop
from twin_tools.topic import plain, Rate


def test_keys_move_as_teleop_twist_keyboard_at_half_the_limits():
    teleop = Teleop(0.22, 2.84)
    teleop.press('i')
    assert teleop.command() == pytest.approx((0.11, 0.0))
    teleop.press('m')
    assert teleop.command() == pytest.approx((-0.11, -1.42))
    teleop.press('u')
    assert teleop.command() == pytest.approx((0.11, 1.42))
    teleop.press('k')
    assert teleop.command() == (0.0, 0.0)
    teleop.press('J')   # a holonomic key of teleop_twist_keyboard: a diff drive stops
    assert teleop.command() == (0.0, 0.0)


def test_speeds_change_by_ten_percent_and_never_pass_the_robots_limits():
    teleop = Teleop(0.22, 2.84)
    assert teleop.press('x') is True
    assert teleop.linear == pytest.approx(0.099) and teleop.angular == pytest.approx(1.42)
    for _ in range(30):
        teleop.press('q')
    assert (teleop.linear, teleop.angular) == (0.22, 2.84)
    teleop.press('c')
    assert teleop.angular == pytest.approx(2.556) and teleop.linear == 0.22


def test_the_rate_is_taken_over_the_latest_intervals():
    rate = Rate(window=3)
    assert rate.line() is None
    for now in (0.0, 1.0, 1.2, 1.4, 1.6):
        rate.arrived(now)
    assert rate.line().startswith('average rate: 5.000 Hz')
    assert rate.line().endswith('window 3')


def test_a_message_prints_as_plain_data():
    from sensor_msgs.msg import LaserScan
    scan = LaserScan(ranges=[1.0, 2.0])
    scan.header.frame_id = 'base_scan'
    data = plain(scan)
    assert data['header']['frame_id'] == 'base_scan' and data['ranges'] == [1.0, 2.0]
