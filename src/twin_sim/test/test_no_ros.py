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

"""The core stays free of ROS: no module of twin_sim imports rclpy or a ROS message."""

import ast
from pathlib import Path

import twin_sim

FORBIDDEN = {'rclpy', 'launch', 'launch_ros', 'std_msgs', 'geometry_msgs', 'sensor_msgs',
             'nav_msgs', 'rosgraph_msgs', 'tf2_msgs', 'builtin_interfaces'}


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split('.')[0])
    return names


def test_no_module_imports_ros():
    package_dir = Path(twin_sim.__file__).parent
    offenders = {path.name: sorted(imported_top_level_modules(path) & FORBIDDEN)
                 for path in package_dir.glob('*.py')}
    assert not {name: mods for name, mods in offenders.items() if mods}
