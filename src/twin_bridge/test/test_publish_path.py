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

"""The publish path: streams built only while read, one finiteness check, wheel transforms."""

import math
from unittest import mock

import numpy as np
import pytest
from transforms3d.quaternions import axangle2quat, qmult
from twin_bridge.robot_state import axis_angle_quaternion, multiply_quaternions
from twin_bridge.testing import as_message
from twin_sim import ImuSample, OdometryEstimate, Readings, Scan

TOPICS = ('scan', 'imu', 'odom', 'tf', 'joint_states', 'ground_truth/odom')


@pytest.fixture
def node(bridge_in_process):
    return bridge_in_process(publish_robot_state='true')


def watch(node, subscribed: set) -> dict:
    """Fake subscribers on ``subscribed`` topics; return the messages published per topic."""
    drivers, published = node.drivers[0], {topic: [] for topic in TOPICS}
    for topic in TOPICS:
        publisher = drivers.real_publishers[topic]
        publisher.get_subscription_count = mock.Mock(return_value=int(topic in subscribed))
        publisher.publish = mock.Mock(side_effect=lambda msg, into=published[topic], kind=(
            publisher.msg_type): into.append(as_message(msg, kind)))
    return published


def test_the_executor_waits_on_no_qos_event_handlers(node):
    # rclpy would add two per endpoint, each rebuilt into the wait set before every wait.
    from rclpy.event_handler import EventHandler
    assert len(list(node.publishers)) >= 8 and len(list(node.subscriptions)) >= 2
    assert not [w for w in node.waitables if isinstance(w, EventHandler)]


def test_a_stream_nobody_reads_is_not_built(node):
    published = watch(node, {'odom'})
    truth = mock.Mock(wraps=node.drivers[0].robot.ground_truth)
    node.drivers[0].robot.ground_truth = truth
    for _ in range(240):
        node.advance()
    assert len(published['odom']) >= 50
    assert all(not published[topic] for topic in TOPICS if topic != 'odom')
    assert truth.call_count == 0   # ground truth is not even read


def test_every_stream_read_is_published(node):
    published = watch(node, set(TOPICS))
    for _ in range(240):
        node.advance()
    counts = {topic: len(messages) for topic, messages in published.items()}
    assert counts['scan'] >= 5 and counts['imu'] >= 200 and counts['odom'] >= 50
    assert counts['odom'] == counts['tf'] == counts['joint_states'] == \
        counts['ground_truth/odom']
    wheels = {t.child_frame_id for t in published['tf'][-1].transforms}
    assert wheels == {'base_footprint', 'wheel_left_link', 'wheel_right_link'}


def test_who_reads_a_stream_is_asked_now_and_then_not_for_every_message(node):
    published, drivers = watch(node, {'odom'}), node.drivers[0]
    node.advance()
    node.readers_known_until = math.inf   # as if no wall time passed from now on
    for _ in range(240):
        node.advance()
    assert len(published['odom']) >= 50
    assert all(drivers.real_publishers[topic].get_subscription_count.call_count <= 1
               for topic in TOPICS)
    drivers.real_publishers['imu'].get_subscription_count.return_value = 1   # a new reader
    for _ in range(24):
        node.advance()
    assert not published['imu']   # served once the readers are asked again
    node.readers_known_until = 0.0
    for _ in range(24):
        node.advance()
    assert len(published['imu']) >= 15


def imu_sample(value: float) -> ImuSample:
    return ImuSample(np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, 0.0, value]),
                     np.array([0.0, 0.0, 9.81]), 0.0, 0.0, 0.0)


@pytest.mark.parametrize('readings, finite', [
    (Readings(0, imu=imu_sample(0.1)), True),
    (Readings(0, imu=imu_sample(math.nan)), False),
    (Readings(0, imu=imu_sample(math.inf)), False),
    (Readings(0, odometry=OdometryEstimate(0.0, math.inf, 0.0, 0.0, 0.0)), False),
    (Readings(0, scan=Scan(np.array([1.0, math.inf, -math.inf]))), True),   # REP-117
    (Readings(0, scan=Scan(np.array([1.0, math.nan]))), False),
])
def test_one_check_finds_any_non_finite_number(node, readings, finite):
    assert node.drivers[0].finite(readings, None) is finite


def test_a_non_finite_ground_truth_or_command_is_found(node):
    drivers = node.drivers[0]
    truth = drivers.robot.ground_truth()
    assert drivers.finite(Readings(0), truth)
    truth.position[0] = math.nan
    assert not drivers.finite(Readings(0), truth)
    drivers.robot.applied_command = mock.Mock(return_value=(math.inf, 0.0))
    assert not drivers.finite(Readings(0), None)


@pytest.mark.parametrize('axis', [(0.0, 1.0, 0.0), (0.0, 0.0, -2.0), (0.3, -0.4, 0.5)])
def test_wheel_rotations_in_floats_are_transforms3d_s(axis):
    origin = (0.7071067811865476, 0.7071067811865476, 0.0, 0.0)   # a wheel's rpy (pi/2, 0, 0)
    for angle in (-7.0, -0.5, 0.0, 1e-9, 2.0, 40.0):
        expected = qmult(origin, axangle2quat(axis, angle))
        got = multiply_quaternions(origin, axis_angle_quaternion(axis, angle))
        assert got == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize('period, per_second', [(0.0, 240), (1 / 120, 120), (0.01, 100)])
def test_clock_period_gives_its_rate_on_the_steps_at_or_after_its_multiples(
        bridge_in_process, period, per_second):
    node = bridge_in_process(clock_period=period)
    stamps = []
    clock_type = node.clock_pub.msg_type
    node.clock_pub.publish = mock.Mock(side_effect=lambda raw: stamps.append(
        (msg := as_message(raw, clock_type)).clock.sec * 1_000_000_000 + msg.clock.nanosec))
    for _ in range(240):
        node.advance()
    assert len(stamps) == per_second
    if period:   # each the first step at or after a multiple of the period
        period_ns = round(period * 1e9)
        assert all(stamp - node.step_ns < (stamp // period_ns) * period_ns <= stamp
                   for stamp in stamps)
