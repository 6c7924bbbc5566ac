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

"""Simulated time over DDS: pause, step, reset, determinism, and the achieved factor."""

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
import pytest
from rosgraph_msgs.msg import Clock
from std_srvs.srv import SetBool, Trigger
from twin_bridge import conversions
from twin_bridge.testing import (diagnostics_count, diagnostics_value, expected_messages,
                                 time_after_steps)


def clock_ns(msg: Clock) -> int:
    return msg.clock.sec * 1_000_000_000 + msg.clock.nanosec


def stamp_ns(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


def test_pause_step_resume_and_reset_keep_clock_monotonic(start_bridge, listener):
    start_bridge(step_count=24, clock_period=0.0)   # /clock at every step
    clocks = listener.record(Clock, '/clock', 100)
    truth = listener.record(Odometry, 'ground_truth/odom')
    command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    listener.spin_until(lambda: len(clocks) > 10 and truth, 30.0, '/clock to run')

    response = listener.call(SetBool, 'sim/pause', SetBool.Request(data=True))
    paused_at = conversions.reply_sim_time_ns(response.message)
    assert listener.call(Trigger, 'sim/step', Trigger.Request()).success
    listener.spin_until(lambda: clock_ns(clocks[-1]) >= time_after_steps(paused_at, 24), 30.0,
                        'the 24 steps')
    # Frozen between calls (repeated, not advanced): exactly 24 steps on, each one published.
    assert max(clock_ns(c) for c in clocks) == paused_at + 100_000_000   # 24/240 s exactly
    stepped = sorted({clock_ns(c) for c in clocks if clock_ns(c) > paused_at})
    assert stepped == [time_after_steps(paused_at, k) for k in range(1, 25)]

    assert listener.call(SetBool, 'sim/pause', SetBool.Request(data=False)).success
    listener.spin_until(lambda: clock_ns(clocks[-1]) > paused_at + 10**9, 30.0,
                        '/clock to run again')

    def drive():
        command.publish(Twist())
        command.publish(_forward())
        return truth[-1].pose.pose.position.x > 0.1
    listener.spin_until(drive, 60.0, 'the robot to move 0.1 m')
    response = listener.call(Trigger, 'sim/reset', Trigger.Request())
    assert response.success
    reset_at = conversions.reply_sim_time_ns(response.message)
    listener.spin_until(lambda: stamp_ns(truth[-1]) > reset_at, 30.0, 'ground truth after reset')
    assert truth[-1].pose.pose.position.x == pytest.approx(0.0, abs=0.002)
    stamps = [clock_ns(c) for c in clocks]
    assert all(b >= a for a, b in zip(stamps, stamps[1:])), '/clock went backwards'


def _forward() -> Twist:
    msg = Twist()
    msg.linear.x = 0.2
    return msg


def lockstep_run(start_bridge, listener, seed: int) -> list:
    """Drive a fixed command sequence in lock step with the paused bridge; return odometry."""
    steps_per_call = 12
    noise = {'odometry.encoder_noise_std': 0.002, 'imu.gyro_bias_walk_std': 0.001}
    bridge = start_bridge(seed=seed, start_paused=True, step_count=steps_per_call,
                          cmd_vel_timeout=5.0, **noise)
    odom = listener.record(Odometry, 'odom')
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    listener.spin_until(lambda: command.get_subscription_count() > 0, 30.0, 'the bridge')
    listener.wait_matched('odom')  # the first message must not be sent before we listen

    total_steps = 0
    commands = [(0.2, 0.0), (0.1, 1.5), (0.0, -2.0), (0.22, 0.3)] * 3
    for index, (linear, angular) in enumerate(commands):
        msg = Twist()
        msg.linear.x, msg.angular.z = linear, angular
        command.publish(msg)
        listener.spin_until(lambda: diagnostics_count(diagnostics, 'cmd_vel_accepted') > index,
                            30.0, f'command {index} accepted')
        for _ in range(4):
            listener.call(Trigger, 'sim/step', Trigger.Request())
            total_steps += steps_per_call
    expected = expected_messages(50.0, total_steps)
    listener.spin_until(lambda: len(odom) >= expected, 60.0,
                        lambda: f'{expected} odometry messages (got {len(odom)})')
    assert bridge.stop() == 0
    return [(stamp_ns(m), m.pose.pose.position.x, m.pose.pose.position.y,
             m.pose.pose.orientation.z, m.twist.twist.linear.x) for m in odom]


def test_same_seed_same_commands_identical_odometry(start_bridge, listener):
    first = lockstep_run(start_bridge, listener, seed=11)
    listener.messages.clear()
    second = lockstep_run(start_bridge, listener, seed=11)
    assert first == second
    assert first[-1][1] > 0.1  # it did drive


def test_a_command_applies_at_the_next_step_and_its_latency_is_reported(start_bridge,
                                                                        listener):
    start_bridge(start_paused=True, step_count=1)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    listener.spin_until(lambda: command.get_subscription_count() > 0, 30.0, 'the bridge')
    pause = listener.call(SetBool, 'sim/pause', SetBool.Request(data=True))
    paused_at = conversions.reply_sim_time_ns(pause.message)
    command.publish(_forward())
    listener.spin_until(lambda: diagnostics_count(diagnostics, 'cmd_vel_accepted') > 0, 30.0,
                        'the command accepted')
    assert listener.call(Trigger, 'sim/step', Trigger.Request()).success

    def value(key: str) -> str | None:
        return diagnostics_value(diagnostics, key)
    listener.spin_until(lambda: value('cmd_vel_last_applied_sim_s') is not None, 30.0,
                        'the command latency in diagnostics')
    # Received while paused at paused_at; the one step taken from there applied it.
    assert round(float(value('cmd_vel_last_applied_sim_s')) * 1e9) == paused_at
    assert float(value('cmd_vel_latency_ms')) > 0.0
    assert (float(value('cmd_vel_last_applied_steady_s')) >
            float(value('cmd_vel_last_received_steady_s')))
    assert value('clock_jitter_p99_ms') == 'n/a'   # paused: no pacing to judge


def test_paced_running_reports_the_clock_jitter(start_bridge, listener):
    start_bridge(real_time_factor=1.0)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')

    def jitter() -> str:
        return diagnostics_value(diagnostics, 'clock_jitter_p99_ms') or 'n/a'
    listener.spin_until(lambda: len(diagnostics) > 3 and jitter() != 'n/a', 30.0,
                        'the /clock jitter in diagnostics')
    print(f'real_time_factor 1: /clock publication jitter p99 {jitter()} ms')
    assert float(jitter()) >= 0.0


def test_as_fast_as_possible_reports_the_achieved_factor(start_bridge, listener):
    start_bridge(real_time_factor=0.0)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')

    def achieved() -> float:
        return float(diagnostics_value(diagnostics, 'real_time_factor_achieved') or 0.0)

    listener.spin_until(lambda: len(diagnostics) > 5 and achieved() > 0.0, 60.0,
                        'the achieved real-time factor')
    print(f'real_time_factor 0: achieved factor {achieved():.1f} (full sensor suite)')
