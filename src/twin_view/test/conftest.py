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

"""The live tests run a bridge and the view on a ROS graph of their own, on 127.0.0.1."""

from pathlib import Path
import socket

import pytest
from twin_bridge.testing import isolate_ros_graph, Listener, ProcessGroup

isolate_ros_graph()

ROOT = Path(__file__).resolve().parents[3]
ROBOT_XACRO = ROOT / 'urdf' / 'twin_burger.urdf.xacro'
WORLD = ROOT / 'worlds' / 'arena.yaml'
# As twin_bridge's tests: fast but not flat out, the machine is shared.
BRIDGE_PARAMETERS = {'robot_description_file': str(ROBOT_XACRO), 'world_file': str(WORLD),
                     'real_time_factor': 4.0, 'diagnostics_period': 0.2,
                     'publish_robot_state': 'true'}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_twin_and_view(tmp_path):
    """Start the view and a bridge in the arena (with overrides); return the view's URL."""
    group = ProcessGroup(tmp_path)

    def start(**bridge_overrides) -> str:
        port = free_port()
        # The view first, so it is stopped first: a client of the bridge goes before the bridge.
        group.start('twin_view.view_node', {'host': '127.0.0.1', 'port': port,
                                            'world_file': str(WORLD)})
        group.start('twin_bridge.bridge_node', {**BRIDGE_PARAMETERS, **bridge_overrides})
        return f'ws://127.0.0.1:{port}'
    yield start
    group.stop_all()


@pytest.fixture
def view_alone(tmp_path):
    """Start the view with no twin; return its URL."""
    group, port = ProcessGroup(tmp_path), free_port()
    group.start('twin_view.view_node', {'host': '127.0.0.1', 'port': port,
                                        'world_file': str(WORLD)})
    yield f'ws://127.0.0.1:{port}'
    group.stop_all()


@pytest.fixture
def twin_and_view(start_twin_and_view):
    """Start the view and a bridge in the arena; return the view's URL."""
    return start_twin_and_view()


@pytest.fixture
def listener():
    """Give the test a node that records topics and waits on predicates."""
    test_node = Listener()
    yield test_node
    test_node.close()
