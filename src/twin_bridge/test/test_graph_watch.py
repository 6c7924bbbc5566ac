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


"""GraphWatch: the endpoints are walked again only when the graph changed."""

from unittest import mock

import pytest
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import LaserScan

WALKS = ('get_publishers_info_by_topic', 'get_subscriptions_info_by_topic')


@pytest.fixture
def node(bridge_in_process):
    node = bridge_in_process(robots=['tb0', 'tb1'], robot_spawns=[0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    node.graph_watch.check()   # the first check walks
    return node


def endpoint_queries(node, check) -> int:
    """Return how many endpoint-info queries ``check()`` made."""
    with mock.patch.object(node, WALKS[0], wraps=getattr(node, WALKS[0])) as publishers, \
            mock.patch.object(node, WALKS[1], wraps=getattr(node, WALKS[1])) as subscriptions:
        check()
    return publishers.call_count + subscriptions.call_count


def test_nothing_is_walked_again_while_nothing_changed(node):
    assert endpoint_queries(node, node.graph_watch.check) == 0
    assert endpoint_queries(node, node.graph_watch.walk) > 0   # the walk does query


def test_a_new_endpoint_is_walked_and_named(node):
    other = rclpy.create_node('mismatched', context=node.context)
    try:   # scan is best effort: a reliable subscription never gets a message
        other.create_subscription(LaserScan, '/tb1/scan', lambda _: None,
                                  QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        with mock.patch.object(node.get_logger(), 'warn') as warn:
            node.graph_watch.check()
        warn.assert_called_once()
        assert warn.call_args.args[0].startswith(
            '/mismatched subscribes to /tb1/scan with a QoS incompatible with the twin')
    finally:
        other.destroy_node()


def test_an_unchanged_graph_is_walked_again_now_and_then(node):
    watch = node.graph_watch
    queries = [endpoint_queries(node, watch.check) for _ in range(watch.WALK_AT_LEAST_EVERY)]
    assert queries[:-1] == [0] * (watch.WALK_AT_LEAST_EVERY - 1) and queries[-1] > 0
