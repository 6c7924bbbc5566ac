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
One example controller of twin_examples, by name: what every controllers/NAME.launch.py includes.

In the shared bringup it inherits the namespace and use_sim_time; alone:
ros2 launch twin example_controller.launch.py example:=wall_follower use_sim_time:=true
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from twin.arguments import CONTROLLERS


def generate_launch_description() -> LaunchDescription:
    """Start the example controller's node."""
    return LaunchDescription([
        DeclareLaunchArgument('example', choices=list(CONTROLLERS),
                              description='the example controller (a twin_examples executable); '
                                          'each controllers/NAME.launch.py sets its own'),
        DeclareLaunchArgument('use_sim_time', default_value='false',
                              description='true with the twin (it publishes /clock)'),
        DeclareLaunchArgument('enable_stamped_cmd_vel', default_value='true',
                              description='publish TwistStamped, as the Jazzy TurtleBot3; '
                                          'false: Twist (the bringup passes its own)'),
        Node(package='twin_examples', executable=LaunchConfiguration('example'),
             output='screen',
             parameters=[{
                 'use_sim_time': LaunchConfiguration('use_sim_time'),
                 'enable_stamped_cmd_vel': LaunchConfiguration('enable_stamped_cmd_vel')}]),
    ])
