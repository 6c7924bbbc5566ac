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
The example controller obstacle_stop (twin_examples), as `controller:=obstacle_stop` includes it.

In the shared bringup it inherits the namespace and use_sim_time; alone:
ros2 launch twin obstacle_stop.launch.py use_sim_time:=true
"""

from pathlib import Path

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource

EXAMPLE_CONTROLLER = Path(__file__).with_name('example_controller.launch.py')


def generate_launch_description() -> LaunchDescription:
    """Include the one example-controller launch file with this controller's name."""
    return LaunchDescription([IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(EXAMPLE_CONTROLLER)),
        launch_arguments={'example': 'obstacle_stop'}.items())])
