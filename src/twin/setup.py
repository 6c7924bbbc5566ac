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

from pathlib import Path

from setuptools import find_packages, setup

package_name = 'twin'
# The bringup folders live at the workspace root (the design card's layout); install them
# into share/twin so `ros2 launch twin sim.launch.py` and the runner find them.
WORKSPACE = Path('..', '..')
SHARED_FOLDERS = ('launch', 'config', 'urdf', 'worlds')


def share_tree(folder: str) -> list:
    """Return data_files entries installing WORKSPACE/folder/** into share/twin/folder/**."""
    entries = {}
    for path in sorted((WORKSPACE / folder).rglob('*')):
        if path.is_file() and '__pycache__' not in path.parts:
            target = Path('share', package_name, path.parent.relative_to(WORKSPACE))
            entries.setdefault(str(target), []).append(str(path))
    return list(entries.items())


setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        *(entry for folder in SHARED_FOLDERS for entry in share_tree(folder)),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='twin developers',
    maintainer_email='twin@example.com',
    description='Bringup of the twin: launch files, parameters, robots, worlds.',
    license='Apache-2.0',
    tests_require=['pytest'],
)
