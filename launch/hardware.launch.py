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
The physical robot: its drivers, plus the same shared bringup (and controller) as the twin.

ros2 launch twin hardware.launch.py [driver_launch:=/path/to/drivers.launch.py] ...
By default the drivers are turtlebot3_bringup's robot.launch.py, when that is installed.
"""

import os

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import (AnyLaunchDescriptionSource,
                                               PythonLaunchDescriptionSource)
from launch.substitutions import LaunchConfiguration


def turtlebot3_drivers() -> str | None:
    """Return turtlebot3_bringup's robot.launch.py, or None when it is not installed."""
    try:
        share = get_package_share_directory('turtlebot3_bringup')
    except PackageNotFoundError:
        return None
    return os.path.join(share, 'launch', 'robot.launch.py')


def drivers(context):
    """Include the robot's driver launch file; fail clearly when there is none."""
    given = LaunchConfiguration('driver_launch').perform(context)
    path = given or turtlebot3_drivers()
    if not path:
        raise RuntimeError(
            'no robot drivers: turtlebot3_bringup is not installed (sudo apt install '
            'ros-jazzy-turtlebot3-bringup) and no driver_launch:=/path/to/drivers.launch.py '
            'was given')
    if not os.path.isfile(path):
        raise RuntimeError(f'driver_launch file not found: {path}')
    return [IncludeLaunchDescription(AnyLaunchDescriptionSource(path))]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments, include the drivers and the shared bringup with wall time."""
    share = get_package_share_directory('twin')
    return LaunchDescription([
        DeclareLaunchArgument('robot', default_value=f'{share}/urdf/twin_burger.urdf.xacro',
                              description='URDF or xacro file of the robot'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of every node and topic'),
        DeclareLaunchArgument('rviz', default_value='false',
                              description='start rviz2 with config/rviz/twin.rviz'),
        DeclareLaunchArgument('controller', default_value='',
                              description='a launch file to include that starts a controller'),
        DeclareLaunchArgument('driver_launch', default_value='',
                              description="the robot's driver launch file (default: "
                                          "turtlebot3_bringup's robot.launch.py)"),
        OpaqueFunction(function=drivers),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, 'launch', 'bringup.launch.py')),
            launch_arguments={'robot': LaunchConfiguration('robot'),
                              'namespace': LaunchConfiguration('namespace'),
                              'use_sim_time': 'false',
                              'rviz': LaunchConfiguration('rviz'),
                              'controller': LaunchConfiguration('controller')}.items()),
    ])
