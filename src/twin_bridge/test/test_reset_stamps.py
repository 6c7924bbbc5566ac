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

"""
Time has one owner (issue 13 item 20), tested in process.

After sim/reset, every stamp on scan, imu, odom, tf and joint_states lies between the
reset's time and the latest /clock (the core's clock is not rewound).
"""

from unittest import mock

import pytest
from std_srvs.srv import Trigger
from twin_bridge.testing import as_message

NS_PER_S = 1_000_000_000


def stamp_ns(stamp) -> int:
    return stamp.sec * NS_PER_S + stamp.nanosec


def header_stamps(msg) -> list[int]:
    """Return every header stamp of a message (a TFMessage has one per transform)."""
    if hasattr(msg, 'transforms'):
        return [stamp_ns(t.header.stamp) for t in msg.transforms]
    return [stamp_ns(msg.header.stamp)]


@pytest.fixture
def node(bridge_in_process):
    return bridge_in_process(publish_robot_state='true')   # wheel transforms on tf too


def test_after_a_reset_every_stamp_lies_between_the_reset_and_the_clock(node):
    drivers = node.drivers[0]
    stamps = {name: [] for name in ('scan', 'imu', 'odom', 'tf', 'joint_states')}
    clocks = []
    for name in stamps:   # messages are refilled and reused: read the stamps as published
        publisher = getattr(drivers, {'joint_states': 'joints'}.get(name, name) + '_pub')
        publisher.publish = mock.Mock(
            side_effect=lambda msg, into=stamps[name], kind=publisher.msg_type: into.extend(
                header_stamps(as_message(msg, kind))))
        publisher.get_subscription_count = mock.Mock(return_value=1)   # built when read
    clock_type = node.clock_pub.msg_type
    node.clock_pub.publish = mock.Mock(
        side_effect=lambda msg: clocks.append(stamp_ns(as_message(msg, clock_type).clock)))

    for _ in range(3 * 240):   # 3 s of simulated time
        node.advance()
    response = node.on_reset(Trigger.Request(), Trigger.Response())
    assert response.success
    reset_ns = node.sim_ns
    assert reset_ns >= 3 * NS_PER_S   # time went on, not back to 0
    for published in stamps.values():
        published.clear()
    for _ in range(240):      # 1 s after the reset
        node.advance()

    latest_clock = clocks[-1]
    assert all(b >= a for a, b in zip(clocks, clocks[1:])), '/clock went backwards'
    for name, published in stamps.items():
        assert published, f'nothing on {name} after the reset'
        outside = [s for s in published if not reset_ns <= s <= latest_clock]
        assert not outside, (f'{name}: {len(outside)} stamps outside [{reset_ns}, '
                             f'{latest_clock}], e.g. {outside[0]}')
