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
same controller runs against the twin and against the robot. In a namespace, rviz2 runs in
it with /tf and /tf_static remapped to the namespace's tf topics (Nav2's convention).
"""

from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, GroupAction, IncludeLaunchDescription,
                            LogInfo, OpaqueFunction)
from launch.conditions import IfCondition
from launch.launch_description_sources import AnyLaunchDescriptionSource
from launch.substitutions import Command, LaunchConfiguration
from launch_ros.actions import Node, PushRosNamespace, SetParameter
from launch_ros.parameter_descriptions import ParameterValue
from twin.arguments import (BRINGUP_ARGUMENTS, controller_launch_file, declared, installed,
                            share, starts_robot_state_publisher)

TF_REMAPS = [('/tf', 'tf'), ('/tf_static', 'tf_static')]


def robot_state(context) -> list:
    """Start robot_state_publisher, or say who publishes the robot state instead."""
    if not starts_robot_state_publisher(LaunchConfiguration('robot_state').perform(context)):
        return [LogInfo(msg='robot_state_publisher is not started: robot_description and '
                            'tf_static come from the twin bridge, or from the robot drivers '
                            'on hardware')]
    return [Node(
        package='robot_state_publisher', executable='robot_state_publisher', output='screen',
        parameters=[{'robot_description': ParameterValue(
            Command(['xacro ', LaunchConfiguration('robot')]), value_type=str)}])]


def optional_controller(context) -> list:
    """Include the controller's launch file (an example's name or a path), if one was given."""
    controller = controller_launch_file(LaunchConfiguration('controller').perform(context))
    return [IncludeLaunchDescription(AnyLaunchDescriptionSource(controller))] if controller \
        else []


def rviz(context) -> list:
    """Start rviz2 with the twin's configuration, where rviz2 is installed."""
    if not installed('rviz2'):
        return [LogInfo(msg='rviz:=true, but rviz2 is not installed; skipping it')]
    config = str(share() / 'config' / 'rviz' / 'twin.rviz')
    return [Node(package='rviz2', executable='rviz2', arguments=['-d', config],
                 remappings=TF_REMAPS, output='screen')]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments and the robot-agnostic nodes."""
    return LaunchDescription([
        *[DeclareLaunchArgument(name, default_value=default, description=description)
          for name, default, description in declared(BRINGUP_ARGUMENTS)],
        GroupAction([
            PushRosNamespace(LaunchConfiguration('namespace')),
            SetParameter('use_sim_time', LaunchConfiguration('use_sim_time')),
            OpaqueFunction(function=robot_state),
            OpaqueFunction(function=optional_controller),
            GroupAction([OpaqueFunction(function=rviz)],
                        condition=IfCondition(LaunchConfiguration('rviz'))),
        ]),
    ])
