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
Every node the launch files start is installed where ``ros2 launch`` looks for it.

launch_ros runs ``Node(package=P, executable=E)`` as ``<prefix of P>/lib/P/E``; an
ament_python package puts its console scripts there only with a ``setup.cfg`` saying so.
This holds without ``launch`` installed: the launch files are read, not run.
"""

import ast
from pathlib import Path

from ament_index_python.packages import get_package_prefix, PackageNotFoundError
import pytest
from twin.arguments import CONTROLLERS

LAUNCH = Path(__file__).resolve().parents[3] / 'launch'
OURS = 'twin'   # our packages' names start with it; the others come from a distribution


def started_nodes() -> list[tuple[str, str, str]]:
    """Return (launch file, package, executable) of every Node with literal names."""
    found = []
    for source in sorted(LAUNCH.rglob('*.launch.py')):
        for call in ast.walk(ast.parse(source.read_text())):
            if isinstance(call, ast.Call) and getattr(call.func, 'id', '') == 'Node':
                named = {k.arg: k.value for k in call.keywords}
                package = named['package'].value
                executable = named['executable']
                names = [executable.value] if isinstance(executable, ast.Constant) else \
                    list(CONTROLLERS)   # example_controller.launch.py: one of the examples
                found += [(source.name, package, name) for name in names]
    return found


def test_the_launch_files_start_our_nodes():
    packages = {package for _, package, _ in started_nodes()}
    assert {'twin_bridge', 'twin_examples', 'twin_shadow', 'twin_view'} <= packages


@pytest.mark.parametrize('source, package, executable',
                         [n for n in started_nodes() if n[1].startswith(OURS)])
def test_every_node_a_launch_file_starts_is_installed_for_ros2_launch(source, package,
                                                                       executable):
    try:
        prefix = get_package_prefix(package)
    except PackageNotFoundError:
        pytest.fail(f'{source} starts {package}, which is not installed')
    path = Path(prefix, 'lib', package, executable)
    assert path.is_file(), f'{source} starts {package} {executable}, but {path} is missing ' \
                           f'(does {package} have a setup.cfg installing its scripts there?)'
