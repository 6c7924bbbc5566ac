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

"""``twin drive``, ``twin sim`` and ``twin topic`` against a running twin, as a user types them."""

import os
import select
import shutil
import signal
import subprocess

from nav_msgs.msg import Odometry
import pytest
from rosgraph_msgs.msg import Clock
from twin_bridge.conversions import reply_sim_time_ns


def twin(*arguments: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run the ``twin`` command on PATH to its end."""
    return subprocess.run([shutil.which('twin'), *arguments], capture_output=True, text=True,
                          timeout=timeout)


def test_twin_sim_step_240_advances_the_clock_by_exactly_one_second_while_paused(
        start_bridge, listener):
    start_bridge()
    clock = listener.record(Clock, '/clock')
    paused = twin('sim', 'pause')
    assert paused.returncode == 0, paused.stderr
    before = reply_sim_time_ns(paused.stdout)
    stepped = twin('sim', 'step', '240')
    assert stepped.returncode == 0, stepped.stderr
    after = reply_sim_time_ns(stepped.stdout)   # the reply says the time the steps reached
    assert after - before == 10**9   # 240 steps of 1/240 s: one simulated second, exactly
    assert reply_sim_time_ns(twin('sim', 'pause').stdout) == after
    listener.spin_until(
        lambda: clock and clock[-1].clock.sec * 10**9 + clock[-1].clock.nanosec == after,
        30.0, '/clock to show the stepped time')
    resumed = twin('sim', 'resume')
    assert resumed.returncode == 0 and 'running' in resumed.stdout


def test_twin_sim_says_why_the_twin_refused(start_bridge):
    start_bridge()
    refused = twin('sim', 'step', '5')
    assert refused.returncode == 1
    assert refused.stderr.strip() == 'twin sim: sim/step refused: not paused: call sim/pause first'


def test_twin_sim_without_a_twin_is_one_line_saying_what_to_start():
    result = twin('sim', '--timeout', '0.5', 'reset')
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith('twin sim: no service /sim/reset') and 'twin run' in line


def test_twin_topic_lists_echoes_and_measures_the_scan(start_bridge):
    start_bridge()
    rate = twin('topic', 'hz', 'scan', '--count', '2')
    assert rate.returncode == 0, rate.stderr
    assert 'average rate: ' in rate.stdout   # the value is a benchmark (README), not a test
    simulated = twin('topic', 'hz', 'scan', '--count', '2', '--sim-time')
    last = simulated.stdout.splitlines()[-1]
    assert float(last.split()[2]) == pytest.approx(5.0, rel=0.1), last   # per simulated s
    listed = twin('topic', 'list')
    assert any(line.split() == ['/scan', 'sensor_msgs/msg/LaserScan']
               for line in listed.stdout.splitlines()), listed.stdout
    echoed = twin('topic', 'echo', 'odom', '--count', '1')
    assert echoed.returncode == 0, echoed.stderr
    assert 'child_frame_id: base_footprint' in echoed.stdout


@pytest.mark.parametrize('command_type', ['Twist', 'TwistStamped'])
def test_twin_drive_moves_the_robot_with_keys_from_a_terminal(command_type, start_bridge,
                                                              world_file, listener):
    start_bridge(world_file('empty'), enable_stamped_cmd_vel=command_type == 'TwistStamped')
    truth = listener.record(Odometry, 'ground_truth/odom')
    terminal, tty = os.openpty()
    drive = subprocess.Popen([shutil.which('twin'), 'drive'], stdin=tty, stdout=tty,
                             stderr=tty)
    os.close(tty)
    shown = []

    def screen() -> str:
        while select.select([terminal], [], [], 0)[0]:
            try:
                shown.append(os.read(terminal, 4096).decode(errors='replace'))
            except OSError:   # the drive ended and closed its side
                break
        return ''.join(shown)
    try:
        listener.spin_until(lambda: f'driving /cmd_vel ({command_type})' in screen() or
                            drive.poll() is not None, 60.0, 'twin drive to start')
        assert drive.poll() is None, screen()
        os.write(terminal, b'i')
        listener.spin_until(lambda: truth and truth[-1].pose.pose.position.x > 0.1, 60.0,
                            lambda: f'the robot to drive forward; twin drive shows:\n{screen()}')
        os.write(terminal, b'k')
    finally:
        drive.send_signal(signal.SIGINT)
        code = drive.wait(timeout=30)
        screen()
        os.close(terminal)
    assert code == 0, ''.join(shown)
    assert abs(truth[-1].pose.pose.position.y) < 0.05   # 'i' is straight ahead
