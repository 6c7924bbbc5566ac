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

"""Two processes over DDS: tf2_msgs/TFMessage and nav_msgs/Odometry cross the wire intact."""

import subprocess
import sys
import time

from nav_msgs.msg import Odometry
import pytest
import rclpy
from tf2_msgs.msg import TFMessage
from twin_tests.wire_talker import ODOM_X

# The type hash a real ROS 2 Jazzy tf2_msgs reports (`ros2 topic info -v /tf`): equal hashes
# are what lets the locally built tf2_msgs talk to a distribution's.
JAZZY_TF_MESSAGE_HASH = 'RIHS01_e369d0f05a23ae52508854b66f6aa0437f3449d652e8cbf22d5abe85d020f087'
DEADLINE_S = 30.0


@pytest.fixture
def talker():
    """Start the publisher as a separate process; stop it and check it exited cleanly."""
    process = subprocess.Popen([sys.executable, '-m', 'twin_tests.wire_talker',
                                '--seconds', str(DEADLINE_S + 10)])
    yield process
    process.terminate()
    assert process.wait(timeout=10) == 0, 'the talker did not stop cleanly'


@pytest.fixture
def node():
    """Give the test a node of its own."""
    context = rclpy.Context()
    rclpy.init(context=context)
    test_node = rclpy.create_node('wire_listener', context=context)
    yield test_node
    test_node.destroy_node()
    rclpy.shutdown(context=context)


def spin_until(node, predicate, timeout: float) -> bool:
    """Spin ``node`` until ``predicate()`` holds or ``timeout`` seconds pass."""
    executor = rclpy.executors.SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.1)
    executor.remove_node(node)
    return predicate()


def test_tf_and_odometry_cross_between_processes(talker, node):
    received = {}
    node.create_subscription(TFMessage, 'tf', lambda m: received.setdefault('tf', m), 10)
    node.create_subscription(Odometry, 'odom', lambda m: received.setdefault('odom', m), 10)

    assert spin_until(node, lambda: len(received) == 2, DEADLINE_S), \
        f'within {DEADLINE_S} s only received {sorted(received) or "nothing"}'
    transform = received['tf'].transforms[0]
    assert (transform.header.frame_id, transform.child_frame_id) == ('odom', 'base_footprint')
    assert transform.transform.translation.x == ODOM_X
    assert received['odom'].pose.pose.position.x == ODOM_X


def test_tf_message_type_hash_matches_ros2_jazzy(talker, node):
    assert spin_until(node, lambda: node.get_publishers_info_by_topic('/tf'), DEADLINE_S), \
        'the talker never appeared on /tf'
    info = node.get_publishers_info_by_topic('/tf')[0]
    assert str(info.topic_type_hash) == JAZZY_TF_MESSAGE_HASH
