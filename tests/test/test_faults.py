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

"""Fault injection with real processes: a controller dies, the twin dies and comes back."""

from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock
from twin_tests.messages import sim_seconds

TIMEOUT_S = 0.5
DECELERATION_S = 0.15 / 2.5        # obstacle_stop's speed over the acceleration limit


def clock_s(msg: Clock) -> float:
    return msg.clock.sec + msg.clock.nanosec * 1e-9


def test_killing_the_controller_mid_motion_stops_the_robot(
        start_bridge, controller, listener, world_file):
    start_bridge(world_file('empty'), real_time_factor=2.0, cmd_vel_timeout=TIMEOUT_S)
    truth = listener.record(Odometry, 'ground_truth/odom')
    clocks = listener.record(Clock, '/clock')
    listener.wait_matched('ground_truth/odom')
    driver = controller('obstacle_stop', speed=0.15)
    listener.spin_until(lambda: truth and truth[-1].twist.twist.linear.x > 0.14, 60.0,
                        'the robot to reach its speed')
    driver.kill()                                    # no goodbye, no zero command
    killed_at = clock_s(clocks[-1])
    listener.spin_until(lambda: sim_seconds(truth[-1]) > killed_at + 2.0, 60.0,
                        '2 s of simulated time after the kill')
    moving = [m for m in truth if abs(m.twist.twist.linear.x) > 0.005]
    # The last command arrived before the kill; allow the listener's view of /clock to lag
    # the bridge by one tenth of a second.
    assert sim_seconds(moving[-1]) <= killed_at + TIMEOUT_S + DECELERATION_S + 0.1
    assert abs(truth[-1].twist.twist.linear.x) < 0.005


def test_a_controller_recovers_when_the_twin_restarts(
        start_bridge, controller, listener, world_file):
    twin = start_bridge(world_file('empty'), real_time_factor=2.0)
    odom = listener.record(Odometry, 'odom')
    listener.wait_matched('odom')
    controller('obstacle_stop', speed=0.15)
    listener.spin_until(lambda: odom and odom[-1].pose.pose.position.x > 0.2, 60.0,
                        'the robot to drive')
    twin.kill()
    listener.messages.clear()
    again = listener.record(Odometry, 'odom')
    start_bridge(world_file('empty'), real_time_factor=2.0)   # a new twin, time from 0 again
    listener.spin_until(lambda: again and again[-1].pose.pose.position.x > 0.2, 90.0,
                        'the same controller to drive the new twin')
