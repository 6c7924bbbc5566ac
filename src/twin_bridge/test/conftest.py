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

"""Every test here talks over DDS: keep it on this machine and on a domain of its own."""

from pathlib import Path

import pytest
from twin_bridge.testing import isolate_ros_graph, Listener, ProcessGroup

isolate_ros_graph()

ROBOT_XACRO = Path(__file__).resolve().parents[3] / 'urdf' / 'twin_burger.urdf.xacro'
WORLDS = Path(__file__).resolve().parents[3] / 'worlds'
# Fast but not flat out: two test packages may share the machine's two cores.
TEST_PARAMETERS = {'robot_description_file': str(ROBOT_XACRO), 'real_time_factor': 4.0,
                   'diagnostics_period': 0.2}


@pytest.fixture
def start_bridge(tmp_path):
    """Start bridges with test parameters plus overrides; on teardown, check clean exits."""
    group = ProcessGroup(tmp_path)
    yield lambda ros_args=(), **overrides: group.start(
        'twin_bridge.bridge_node', {**TEST_PARAMETERS, **overrides}, ros_args)
    group.stop_all()


@pytest.fixture
def robot_xacro() -> Path:
    """Return the project's robot description."""
    return ROBOT_XACRO


@pytest.fixture
def test_parameters() -> dict:
    """Return the parameters every test bridge starts with."""
    return dict(TEST_PARAMETERS)


@pytest.fixture
def worlds() -> Path:
    """Return the folder of the project's world files."""
    return WORLDS


@pytest.fixture
def listener():
    """Give the test a node that records topics and waits on predicates."""
    test_node = Listener()
    yield test_node
    test_node.close()
