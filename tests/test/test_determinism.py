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

"""Same seed, same command schedule from another process: identical odometry, twice."""

from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from std_srvs.srv import Trigger
from twin_bridge.testing import diagnostics_count, expected_messages

STEP_S = 1.0 / 240.0
STEPS_PER_CALL = 12
CALLS_PER_COMMAND = 4           # 48 steps = 0.2 s of simulated time between commands
COMMANDS = [(0.2, 0.0), (0.15, 1.2), (0.0, -2.0), (0.22, 0.4), (0.1, 0.0), (-0.1, 0.5)] * 2


def run_once(start_bridge, start_node, listener, world_file, seed: int) -> list:
    twin = start_bridge(world_file('arena'), seed=seed, start_paused=True,
                        step_count=STEPS_PER_CALL, ground_truth_frame='odom',
                        **{'odometry.encoder_noise_std': 0.002, 'lidar.dropout_probability': 0.1})
    odom = listener.record(Odometry, 'odom', 100)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    listener.wait_matched('odom')
    period = STEP_S * STEPS_PER_CALL * CALLS_PER_COMMAND
    schedule = [v for i, (linear, angular) in enumerate(COMMANDS)
                for v in (round(i * period, 9), linear, angular)]
    player = start_node('twin_tests.command_player', use_sim_time=True, schedule=schedule)
    for index in range(len(COMMANDS)):
        listener.spin_until(
            lambda: diagnostics_count(diagnostics, 'cmd_vel_accepted') > index, 60.0,
            lambda: f'command {index} to reach the twin')
        for _ in range(CALLS_PER_COMMAND):
            assert listener.call(Trigger, 'sim/step', Trigger.Request()).success
    expected = expected_messages(50.0, len(COMMANDS) * CALLS_PER_COMMAND * STEPS_PER_CALL)
    listener.spin_until(lambda: len(odom) >= expected, 60.0,
                        lambda: f'{expected} odometry messages (have {len(odom)})')
    assert player.stop() == 0 and twin.stop() == 0
    return [(m.header.stamp.sec, m.header.stamp.nanosec, m.pose.pose.position.x,
             m.pose.pose.position.y, m.pose.pose.orientation.z, m.twist.twist.angular.z)
            for m in odom]


def test_same_seed_and_schedule_give_identical_odometry(start_bridge, start_node, listener,
                                                        world_file):
    first = run_once(start_bridge, start_node, listener, world_file, seed=21)
    listener.messages.clear()
    second = run_once(start_bridge, start_node, listener, world_file, seed=21)
    assert len(first) == len(second) > 100
    assert first == second
    assert abs(first[-1][2]) + abs(first[-1][3]) > 0.2   # it drove somewhere
