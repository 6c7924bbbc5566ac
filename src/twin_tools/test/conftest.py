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

"""Tests that start ROS 2 nodes keep DDS on this machine and on a domain of their own."""

from pathlib import Path

import pytest
from twin_bridge.testing import isolate_ros_graph, Listener

isolate_ros_graph()

WORKSPACE = Path(__file__).resolve().parents[3]


@pytest.fixture
def workspace() -> Path:
    """Return the workspace root (the bringup folders live there)."""
    return WORKSPACE


@pytest.fixture
def listener():
    """Give the test a node that records topics and waits on predicates."""
    test_node = Listener()
    yield test_node
    test_node.close()
