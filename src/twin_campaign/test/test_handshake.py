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

"""The start handshake on graphs made by hand: what it still waits for, and when it is done."""

from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from twin_campaign.episode import Endpoint, Graph, handshake_gap

RELIABLE = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
TWIN = 'twin_bridge'


def twin_up_graph(**changes) -> Graph:
    """Return a graph with the twin and an obstacle_stop-like controller, all matched."""
    twin = Endpoint(TWIN, '/', RELIABLE)
    sensor_twin = Endpoint(TWIN, '/', qos_profile_sensor_data)
    controller = Endpoint('obstacle_stop', '/', RELIABLE)
    sensor_controller = Endpoint('obstacle_stop', '/', qos_profile_sensor_data)
    publishers = {'/clock': [twin], '/scan': [sensor_twin], '/cmd_vel': [controller]}
    subscriptions = {'/clock': [controller], '/scan': [sensor_controller], '/cmd_vel': [twin]}
    for key, value in changes.items():
        kind, _, topic = key.partition('__')
        (publishers if kind == 'pub' else subscriptions)['/' + topic] = value
    return Graph(publishers, subscriptions)


def test_a_complete_graph_lets_the_episode_begin():
    assert handshake_gap(True, True, twin_up_graph()) == ''


def test_it_waits_for_the_twin():
    assert 'twin is not up' in handshake_gap(False, True, twin_up_graph())
    assert 'twin is not up' in handshake_gap(True, False, twin_up_graph())


def test_it_waits_for_a_controller_on_cmd_vel():
    assert 'no controller' in handshake_gap(True, True, twin_up_graph(pub__cmd_vel=[]))


def test_it_waits_for_the_twins_cmd_vel_subscription():
    assert "twin's /cmd_vel" in handshake_gap(True, True, twin_up_graph(sub__cmd_vel=[]))


def test_a_best_effort_controller_does_not_match_a_reliable_subscription():
    best_effort = Endpoint('obstacle_stop', '/', qos_profile_sensor_data)
    reliable = Endpoint(TWIN, '/', RELIABLE)
    graph = twin_up_graph(pub__cmd_vel=[best_effort], sub__cmd_vel=[reliable])
    assert "twin's /cmd_vel" in handshake_gap(True, True, graph)


def test_it_waits_for_the_controller_on_sim_time():
    assert 'use_sim_time' in handshake_gap(True, True, twin_up_graph(sub__clock=[]))


def test_a_reliable_scan_reader_does_not_match_the_best_effort_scan():
    reader = Endpoint('obstacle_stop', '/', RELIABLE)
    assert '/scan subscription' in handshake_gap(True, True, twin_up_graph(sub__scan=[reader]))
