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
The pytest fixtures of every test package that runs the twin over DDS (a pytest plugin).

A test package loads them with one line in its ``conftest.py``::

    pytest_plugins = ['twin_bridge.fixtures']

Loading isolates the ROS graph (:func:`~twin_bridge.testing.isolate_ros_graph`) before any
test creates a node. A package varies the bridge's defaults by overriding the
``test_parameters`` fixture, e.g. ``{**defaults, 'ground_truth_frame': 'world'}``.
"""

from pathlib import Path

import pytest
from twin_bridge.testing import isolate_ros_graph, Listener, ProcessGroup

isolate_ros_graph()

ROBOT = Path('urdf') / 'twin_burger.urdf.xacro'


def find_workspace(start: Path) -> Path:
    """Return the source workspace above ``start`` (the folder holding urdf/ and worlds/)."""
    for folder in [start, *start.parents]:
        if (folder / ROBOT).is_file() and (folder / 'worlds').is_dir():
            return folder
    raise FileNotFoundError(f'no twin workspace (urdf/, worlds/) above {start}')


@pytest.fixture
def workspace(request) -> Path:
    """Return the workspace root, where urdf/, worlds/ and config/ live."""
    return find_workspace(Path(request.config.rootpath).resolve())


@pytest.fixture
def robot_xacro(workspace) -> Path:
    """Return the project's robot description."""
    return workspace / ROBOT


@pytest.fixture
def worlds(workspace) -> Path:
    """Return the folder of the project's world files."""
    return workspace / 'worlds'


@pytest.fixture
def world_file(worlds):
    """Return a function giving the path of a shipped world by name ('arena')."""
    return lambda name: worlds / f'{name}.yaml'


@pytest.fixture
def test_parameters(robot_xacro) -> dict:
    """Return the parameters every test bridge starts with (override to change them)."""
    # Fast but not flat out: two test packages may share the machine's two cores. The tests
    # publish plain Twist (the shipped default is TwistStamped, as on the Jazzy TurtleBot3).
    return {'robot_description_file': str(robot_xacro), 'real_time_factor': 4.0,
            'diagnostics_period': 0.2, 'enable_stamped_cmd_vel': False}


@pytest.fixture
def start_node(tmp_path):
    """Start nodes as processes; on teardown stop them and check they exited cleanly."""
    group = ProcessGroup(tmp_path)
    yield lambda module, ros_args=(), **parameters: group.start(module, parameters, ros_args)
    group.stop_all()


@pytest.fixture
def start_bridge(start_node, test_parameters):
    """Start bridges with the test parameters, a world file if given, and overrides."""
    def start(world: Path | None = None, ros_args=(), **overrides):
        world_parameter = {} if world is None else {'world_file': str(world)}
        return start_node('twin_bridge.bridge_node', ros_args,
                          **{**test_parameters, **world_parameter, **overrides})
    return start


@pytest.fixture
def bridge_in_process(robot_xacro):
    """
    Build bridge nodes in this process, each in its own context, stepped by the test itself.

    They run as fast as possible on the project's robot; keyword arguments override that.
    On teardown each is shut down and destroyed, and its context shut down.
    """
    import rclpy
    from twin_bridge.bridge_node import BridgeNode
    made = []

    def build(**parameters) -> BridgeNode:
        context = rclpy.Context()
        rclpy.init(context=context)
        node = BridgeNode({'robot_description_file': str(robot_xacro), 'real_time_factor': 0.0,
                           **parameters}, context=context)
        made.append((node, context))
        return node

    yield build
    for node, context in made:
        node.shut_down()
        node.destroy_node()
        rclpy.shutdown(context=context)


@pytest.fixture
def listener():
    """Give the test a node that records topics and waits on predicates."""
    test_node = Listener()
    yield test_node
    test_node.close()
