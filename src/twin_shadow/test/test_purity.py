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

"""Only the node imports ROS: the detector, the shadow, the feed and the replay are pure."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / 'twin_shadow'
ROS_NODE = 'node.py'


def ros_imports(path: Path) -> list[str]:
    """Return the ROS client or message modules a file imports."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        names += [m for m in modules if m.startswith('rclpy') or m.split('.')[0].endswith(
            ('_msgs', '_srvs', '_interfaces'))]
    return names


def test_only_the_node_imports_ros():
    modules = [path for path in PACKAGE.glob('*.py') if path.name != ROS_NODE]
    assert len(modules) >= 5
    assert {path.name: ros_imports(path) for path in modules if ros_imports(path)} == {}
