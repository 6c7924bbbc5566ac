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
By default the drivers are turtlebot3_bringup's robot.launch.py, when that is installed; it
starts its own robot_state_publisher, so robot_state:=auto then starts none.
"""

import os

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import (AnyLaunchDescriptionSource,
                                               PythonLaunchDescriptionSource)
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from twin.arguments import (controller_launch_file, declared, HARDWARE_ARGUMENTS, robot_file,
                            share, starts_robot_state_publisher, turtlebot3_drivers,
                            world_file)


def bringup(context) -> list:
    """Resolve and check every argument, then include the drivers and the shared bringup."""
    value = {name: LaunchConfiguration(name).perform(context)
             for name in (*HARDWARE_ARGUMENTS, 'driver_launch')}
    drivers = value['driver_launch'] or turtlebot3_drivers()
    if not drivers:
        raise RuntimeError(
            'no robot drivers: turtlebot3_bringup is not installed (sudo apt install '
            'ros-jazzy-turtlebot3-bringup) and no driver_launch:=/path/to/drivers.launch.py '
            'was given')
    if not os.path.isfile(drivers):
        raise RuntimeError(f'driver_launch: file not found: {drivers}')
    robot_state_publisher = starts_robot_state_publisher(
        value['robot_state'], drivers_bring_one=drivers == turtlebot3_drivers())
    shadow = [Node(package='twin_shadow', executable='shadow_node', name='twin_shadow',
                   namespace=value['namespace'], output='screen',
                   parameters=[{'robot_description_file': robot_file(value['robot']),
                                'profile': value['profile'],
                                'world_file': world_file(value['shadow_world'])}])
              ] if value['shadow'].lower() == 'true' else []
    return [
        *shadow,
        IncludeLaunchDescription(AnyLaunchDescriptionSource(drivers)),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(str(share() / 'launch' / 'bringup.launch.py')),
            launch_arguments={
                'robot': robot_file(value['robot']), 'namespace': value['namespace'],
                'use_sim_time': 'false', 'rviz': value['rviz'],
                'controller': controller_launch_file(value['controller']),
                'robot_state': str(robot_state_publisher).lower()}.items()),
    ]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments; resolve them and start everything in one step."""
    return LaunchDescription([
        *[DeclareLaunchArgument(name, default_value=default, description=description)
          for name, default, description in declared(HARDWARE_ARGUMENTS)],
        DeclareLaunchArgument('driver_launch', default_value='',
                              description="the robot's driver launch file (default: "
                                          "turtlebot3_bringup's robot.launch.py)"),
        OpaqueFunction(function=bringup),
    ])
