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

WORKSPACE = Path(__file__).resolve().parents[2]
ROBOT = WORKSPACE / 'urdf' / 'twin_burger.urdf.xacro'


@pytest.fixture
def world_file():
    """Return the path of a shipped world by name."""
    return lambda name: WORKSPACE / 'worlds' / f'{name}.yaml'


@pytest.fixture
def robot() -> Path:
    """Return the project's robot description."""
    return ROBOT


@pytest.fixture
def start(tmp_path):
    """Start nodes as processes; on teardown stop them and check they exited cleanly."""
    group = ProcessGroup(tmp_path)
    yield lambda module, **parameters: group.start(module, parameters)
    group.stop_all()


@pytest.fixture
def bridge(start, robot):
    """Start the twin: the bridge with fast sim time and ground truth in world coordinates."""
    def start_bridge(world: Path, **parameters):
        defaults = {'robot_description_file': str(robot), 'world_file': str(world),
                    'real_time_factor': 4.0, 'ground_truth_frame': 'world',
                    'diagnostics_period': 0.2}
        return start('twin_bridge.bridge_node', **{**defaults, **parameters})
    return start_bridge


@pytest.fixture
def controller(start):
    """Start an example controller on simulated time."""
    return lambda name, **parameters: start(f'twin_examples.{name}', use_sim_time=True,
                                            **parameters)


@pytest.fixture
def listener():
    """Give the test a node that records topics and waits on predicates."""
    test_node = Listener()
    yield test_node
    test_node.close()
