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
The robot-agnostic part of every bringup: robot state, an optional controller, optional rviz2.

Included by sim.launch.py (with use_sim_time true) and hardware.launch.py (false), so the
same controller runs against the twin and against the robot.
"""

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, GroupAction, IncludeLaunchDescription,
                            LogInfo, OpaqueFunction)
from launch.conditions import IfCondition
from launch.launch_description_sources import AnyLaunchDescriptionSource
from launch.substitutions import Command, LaunchConfiguration
from launch_ros.actions import Node, PushRosNamespace, SetParameter
from launch_ros.parameter_descriptions import ParameterValue


def installed(package: str) -> bool:
    """Tell whether the ament index knows a package."""
    try:
        get_package_share_directory(package)
        return True
    except PackageNotFoundError:
        return False


def robot_state(context):
    """Start robot_state_publisher, or say who publishes the robot state instead."""
    if not installed('robot_state_publisher'):
        return [LogInfo(msg='robot_state_publisher is not installed: robot_description and '
                            'tf_static come from the twin bridge (publish_robot_state), or '
                            'must come from the robot drivers on hardware')]
    namespace = LaunchConfiguration('namespace').perform(context)
    return [Node(
        package='robot_state_publisher', executable='robot_state_publisher', output='screen',
        parameters=[{
            'robot_description': ParameterValue(
                Command(['xacro ', LaunchConfiguration('robot')]), value_type=str),
            'frame_prefix': f'{namespace}/' if namespace else '',
        }])]


def optional_controller(context):
    """Include the controller launch file, if one was given."""
    controller = LaunchConfiguration('controller').perform(context)
    if not controller:
        return []
    return [IncludeLaunchDescription(AnyLaunchDescriptionSource(controller))]


def rviz(context):
    """Start rviz2 with the twin's configuration, where rviz2 is installed."""
    if not installed('rviz2'):
        return [LogInfo(msg='rviz:=true, but rviz2 is not installed; skipping it')]
    config = f'{get_package_share_directory("twin")}/config/rviz/twin.rviz'
    return [Node(package='rviz2', executable='rviz2', arguments=['-d', config],
                 output='screen')]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments and the robot-agnostic nodes."""
    share = get_package_share_directory('twin')
    return LaunchDescription([
        DeclareLaunchArgument('robot', default_value=f'{share}/urdf/twin_burger.urdf.xacro',
                              description='URDF or xacro file of the robot'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of every node and topic'),
        DeclareLaunchArgument('use_sim_time', default_value='false',
                              description='true with the twin (it publishes /clock)'),
        DeclareLaunchArgument('rviz', default_value='false',
                              description='start rviz2 with config/rviz/twin.rviz'),
        DeclareLaunchArgument('controller', default_value='',
                              description='a launch file to include that starts a controller '
                                          '(empty: none)'),
        GroupAction([
            PushRosNamespace(LaunchConfiguration('namespace')),
            SetParameter('use_sim_time', LaunchConfiguration('use_sim_time')),
            OpaqueFunction(function=robot_state),
            OpaqueFunction(function=optional_controller),
            GroupAction([OpaqueFunction(function=rviz)],
                        condition=IfCondition(LaunchConfiguration('rviz'))),
        ]),
    ])
