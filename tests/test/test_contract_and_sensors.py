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

"""The interface contract checker against the twin, and the twin's sensors over DDS."""

import math
import subprocess
import sys

from rclpy.qos import qos_profile_sensor_data
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, LaserScan
from twin_bridge.testing import is_step_time, time_after_steps
import yaml

CONTRACT = {
    'published': {'scan': {'type': 'sensor_msgs/msg/LaserScan', 'min_rate': 4.0,
                           'frame_id': 'base_scan'},
                  'odom': {'type': 'nav_msgs/msg/Odometry', 'reliability': 'reliable',
                           'min_rate': 20.0, 'frame_id': 'odom',
                           'child_frame_id': 'base_footprint'}},
    'subscribed': {'cmd_vel': {'type': 'geometry_msgs/msg/Twist'}},
    'transforms': [['odom', 'base_footprint']],
}


def twin_check(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-m', 'twin_tools.check', '--duration', '4', *arguments],
        capture_output=True, text=True, timeout=120)


def test_twin_check_passes_on_the_twin_with_the_shipped_contract(start_bridge, world_file):
    start_bridge(world_file('arena'), real_time_factor=1.0)
    result = twin_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert ', 0 failed' in result.stdout


def test_twin_check_names_a_missing_topic_and_a_wrong_type(start_bridge, world_file, tmp_path):
    start_bridge(world_file('arena'), real_time_factor=1.0)
    contract = dict(CONTRACT, published=dict(
        CONTRACT['published'],
        bumper={'type': 'std_msgs/msg/Bool'},                   # nobody publishes it
        imu={'type': 'sensor_msgs/msg/LaserScan'}))             # the twin publishes Imu
    path = tmp_path / 'contract.yaml'
    path.write_text(yaml.safe_dump(contract))
    result = twin_check('--contract', str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any('/bumper: publisher' in line and 'no publisher' in line and
               line.endswith('FAIL') for line in lines), result.stdout
    assert any('/imu: type' in line and 'sensor_msgs/msg/Imu' in line and
               line.endswith('FAIL') for line in lines), result.stdout
    assert any('/scan: rate' in line and line.endswith('PASS') for line in lines)


def test_twin_check_refuses_a_broken_contract(tmp_path):
    path = tmp_path / 'contract.yaml'
    path.write_text('published:\n  scan: {type: sensor_msgs/msg/NoSuchMessage}\n')
    result = twin_check('--contract', str(path))
    assert result.returncode == 2
    assert "unknown message type 'sensor_msgs/msg/NoSuchMessage'" in result.stderr


def test_scan_imu_and_clock_are_plausible(start_bridge, listener, world_file):
    start_bridge(world_file('arena'), real_time_factor=2.0, clock_period=0.0)
    scans = listener.record(LaserScan, 'scan', qos_profile_sensor_data)
    imus = listener.record(Imu, 'imu', qos_profile_sensor_data)
    clocks = listener.record(Clock, '/clock', 100)
    listener.wait_matched('/clock')

    def enough():
        if len(clocks) < 2:
            return False
        elapsed = clocks[-1].clock.sec - clocks[0].clock.sec
        return scans and imus and elapsed >= 2
    listener.spin_until(enough, 60.0, 'two simulated seconds of scans, IMU and clock')
    ranges = scans[-1].ranges
    assert any(r == math.inf for r in ranges) and any(0.12 <= r <= 3.5 for r in ranges)
    assert not any(math.isnan(r) for r in ranges)
    gravity = sum(m.linear_acceleration.z for m in imus[-50:]) / len(imus[-50:])
    assert abs(gravity - 9.81) < 0.05
    # /clock every physics step (clock_period 0): every stamp is a step's time (the exact
    # 1/240 s per step, rounded to the ns), and a reader that keeps up sees nearly all.
    stamps = [c.clock.sec * 1_000_000_000 + c.clock.nanosec for c in clocks]
    assert all(b > a and is_step_time(b) for a, b in zip(stamps, stamps[1:]))
    assert sum(time_after_steps(a, 1) == b for a, b in zip(stamps, stamps[1:])) >= \
        0.9 * (len(stamps) - 1)
