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

"""The command path over DDS: closed loop, type mismatch, watchdog, bad values, e-stop."""

import math

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist, TwistStamped
from nav_msgs.msg import Odometry
import pytest
from rclpy.parameter import Parameter
from std_msgs.msg import Bool
from std_srvs.srv import Trigger
from twin_bridge.testing import diagnostics_value, Listener


def twist(linear: float = 0.0, angular: float = 0.0) -> Twist:
    msg = Twist()
    msg.linear.x, msg.angular.z = linear, angular
    return msg


def seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def wait_for_subscriber(listener, publisher) -> None:
    listener.spin_until(lambda: publisher.get_subscription_count() > 0, 30.0,
                        f'the bridge to subscribe to {publisher.topic_name}')


def travelled(truths: list) -> float:
    first, last = truths[0].pose.pose.position, truths[-1].pose.pose.position
    return math.hypot(last.x - first.x, last.y - first.y)


@pytest.mark.parametrize('stamped', [False, True])
def test_closed_loop_drives_one_metre(start_bridge, listener, stamped):
    start_bridge(enable_stamped_cmd_vel=stamped)
    listener.node.set_parameters([Parameter('use_sim_time', value=True)])
    odom = listener.record(Odometry, 'odom')
    publisher = listener.node.create_publisher(TwistStamped if stamped else Twist, 'cmd_vel', 1)
    wait_for_subscriber(listener, publisher)

    def command():
        if stamped:
            msg = TwistStamped(twist=twist(0.2))
            msg.header.stamp = listener.node.get_clock().now().to_msg()
            msg.header.frame_id = 'base_footprint'
        else:
            msg = twist(0.2)
        publisher.publish(msg)
        return odom and odom[-1].pose.pose.position.x > 1.0

    listener.spin_until(command, 60.0, 'odom x to pass 1.0 m')
    assert odom[-1].twist.twist.linear.x == pytest.approx(0.2, rel=0.05)


def test_a_publisher_of_the_other_type_is_named(start_bridge, listener):
    bridge = start_bridge(enable_stamped_cmd_vel=False)
    intruder = Listener('wrong_type_publisher')
    try:
        intruder.node.create_publisher(TwistStamped, 'cmd_vel', 1)
        listener.spin_until(
            lambda: 'wrong_type_publisher publishes geometry_msgs/msg/TwistStamped' in
            bridge.log(), 30.0, 'the bridge to warn about wrong_type_publisher')
    finally:
        intruder.close()


def test_one_message_moves_the_robot_for_at_most_the_timeout(start_bridge, listener):
    start_bridge(cmd_vel_timeout=0.5, real_time_factor=2.0)
    truth = listener.record(Odometry, 'ground_truth/odom')
    publisher = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    wait_for_subscriber(listener, publisher)
    listener.spin_until(lambda: truth, 30.0, 'ground truth')
    publisher.publish(twist(0.2))
    start = seconds(truth[-1].header.stamp)
    listener.spin_until(lambda: seconds(truth[-1].header.stamp) > start + 3.0, 60.0,
                        '3 s of simulated time')
    moving = [m for m in truth if abs(m.twist.twist.linear.x) > 0.005]
    assert moving, 'the robot never moved'
    duration = seconds(moving[-1].header.stamp) - seconds(moving[0].header.stamp)
    deceleration = 0.2 / 2.5
    assert duration <= 0.5 + deceleration + 0.05
    assert travelled(truth) <= 0.2 * 0.5 + 0.2 * deceleration / 2 + 0.01


def test_non_finite_commands_never_move_the_robot_nor_refresh_the_watchdog(
        start_bridge, listener):
    start_bridge(cmd_vel_timeout=0.5, real_time_factor=2.0)
    truth = listener.record(Odometry, 'ground_truth/odom')
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    publisher = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    wait_for_subscriber(listener, publisher)
    listener.spin_until(lambda: truth, 30.0, 'ground truth')
    bad = [twist(math.nan), twist(math.inf), twist(0.1, -math.inf), twist(-math.nan, 0.3)]
    for msg in bad * 5:
        publisher.publish(msg)
        listener.executor.spin_once(timeout_sec=0.01)
    listener.spin_until(lambda: (diagnostics_value(diagnostics, 'cmd_vel_rejected_non_finite')
                                 or '0') != '0', 30.0, 'the rejections in diagnostics')
    assert travelled(truth) < 0.001

    # A valid command, then only NaNs: they must not keep it alive.
    publisher.publish(twist(0.2))
    start = len(truth)
    listener.spin_until(lambda: len(truth) > start, 30.0, 'ground truth')

    def flood_nan():
        publisher.publish(twist(math.nan))
        return seconds(truth[-1].header.stamp) > seconds(truth[start].header.stamp) + 2.0

    listener.spin_until(flood_nan, 60.0, '2 s of simulated time')
    assert abs(truth[-1].twist.twist.linear.x) < 0.005


def test_e_stop_latches_until_the_reset_service(start_bridge, listener):
    start_bridge(real_time_factor=2.0)
    odom = listener.record(Odometry, 'odom')
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    e_stop = listener.node.create_publisher(Bool, 'e_stop', 10)
    wait_for_subscriber(listener, command)
    wait_for_subscriber(listener, e_stop)
    e_stop.publish(Bool(data=True))
    # The e-stop and cmd_vel are separate topics: nothing orders them, so wait for the latch.
    listener.spin_until(lambda: odom and diagnostics_value(diagnostics, 'e_stop') == 'true',
                        30.0, 'the e-stop to engage')

    def drive_for(sim_seconds: float):
        start = seconds(odom[-1].header.stamp)

        def step():
            command.publish(twist(0.2))
            return seconds(odom[-1].header.stamp) > start + sim_seconds
        listener.spin_until(step, 60.0, f'{sim_seconds} s of driving')
        return odom[-1].pose.pose.position.x

    assert drive_for(1.0) == pytest.approx(0.0, abs=0.001)
    e_stop.publish(Bool(data=False))   # false alone does not release it
    assert drive_for(1.0) == pytest.approx(0.0, abs=0.001)
    response = listener.call(Trigger, 'sim/reset_e_stop', Trigger.Request())
    assert response.success and response.message == 'e-stop released'
    assert drive_for(1.0) > 0.1
