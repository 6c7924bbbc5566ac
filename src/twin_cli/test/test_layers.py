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
The dependency direction of the workspace, checked on every package's source with ``ast``.

Pure packages import no ROS client library or message package; a package imports only
packages of a lower layer (and itself). A new package is one line in LAYERS.
"""

import ast
from pathlib import Path

import pytest

WORKSPACE = Path(__file__).resolve().parents[3]
PURE, ROS = 'pure', 'ros'
# package: (layer, kind). Lower layers never import higher ones.
LAYERS = {
    'twin_sim': (0, PURE),        # the core
    'twin_analysis': (1, PURE),   # recordings, metrics, reports
    'twin': (1, PURE),            # the bringup arguments (its launch files are checked below)
    'twin_calibration': (2, PURE),  # fitting the twin to a recording; validation
    'twin_bridge': (2, ROS),      # the ROS nodes
    'twin_gym': (1, PURE),        # learning: Gymnasium environments, the numpy policy
    'twin_examples': (2, ROS),
    'twin_tools': (3, ROS),       # orchestration: run, check, bench, soak
    'twin_shadow': (3, ROS),      # shadow mode: pure but for its node (its own test says so)
    'twin_view': (3, ROS),        # the live view beside the bridge (runs as the bridge does)
    'twin_campaign': (4, ROS),    # orchestration of many episodes (on twin_tools' run)
    'twin_cli': (5, ROS),         # the command line
}
# Launch files are orchestration: they may use the bringup, never the tools.
LAUNCH_LAYER = 3
ROS_PREFIXES = ('rclpy', 'rcl_', 'rcl.', 'rmw', 'rosidl', 'launch', 'ros2', 'tf2_ros',
                'message_filters', 'builtin_interfaces')
ROS_SUFFIXES = ('_msgs', '_srvs', '_interfaces')


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of every module a file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split('.')[0])
    return names


def is_ros(module: str) -> bool:
    """Tell whether a module is a ROS client library, launch, or a message package."""
    return module.startswith(ROS_PREFIXES) or module.endswith(ROS_SUFFIXES)


def package_sources(package: str) -> list[Path]:
    """Return the Python files of a package's module (not its tests or setup.py)."""
    return sorted((WORKSPACE / 'src' / package / package).rglob('*.py'))


def violations(source: Path, layer: int, kind: str, own: str = '') -> list[str]:
    """Return what source (of a package at layer) must not import, explained."""
    found = []
    for module in sorted(imported_modules(source)):
        if kind == PURE and is_ros(module):
            found.append(f'{source.name} imports {module}, but its package is pure')
        if module in LAYERS and module != own and LAYERS[module][0] >= layer:
            found.append(f'{source.name} (layer {layer}) imports {module} (layer '
                         f'{LAYERS[module][0]}): imports go down the layers only')
    return found


def test_every_package_has_a_layer():
    packages = {path.parent.name for path in (WORKSPACE / 'src').glob('*/package.xml')}
    assert packages <= set(LAYERS), f'add {sorted(packages - set(LAYERS))} to LAYERS'


@pytest.mark.parametrize('package', sorted(LAYERS))
def test_imports_go_down_the_layers(package):
    layer, kind = LAYERS[package]
    sources = package_sources(package)
    assert sources, f'no sources found for {package}'
    assert [v for source in sources for v in violations(source, layer, kind, package)] == []


def test_launch_files_use_the_bringup_and_never_the_tools():
    sources = sorted((WORKSPACE / 'launch').rglob('*.launch.py'))
    assert sources
    assert [v for source in sources for v in violations(source, LAUNCH_LAYER, ROS)] == []


def test_the_guard_catches_a_pure_package_importing_rclpy_and_an_upward_import(tmp_path):
    source = tmp_path / 'bad.py'
    source.write_text('import rclpy\n'
                      'from sensor_msgs.msg import Imu\n'
                      'from twin_tools import run\n')
    assert len(violations(source, LAYERS['twin_analysis'][0], PURE, 'twin_analysis')) == 3
    assert violations(source, LAYERS['twin_cli'][0], ROS, 'twin_cli') == []
