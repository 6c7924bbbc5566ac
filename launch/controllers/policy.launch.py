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
The example controller policy (twin_examples), as `controller:=policy` includes it.

In the shared bringup it inherits the namespace and use_sim_time; alone:
ros2 launch twin policy.launch.py use_sim_time:=true
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def generate_launch_description() -> LaunchDescription:
    """Start the controller node."""
    return LaunchDescription([
        DeclareLaunchArgument('use_sim_time', default_value='false',
                              description='true with the twin (it publishes /clock)'),
        DeclareLaunchArgument('enable_stamped_cmd_vel', default_value='true',
                              description='publish TwistStamped, as the Jazzy TurtleBot3; '
                                          'false: Twist (the bringup passes its own)'),
        Node(package='twin_examples', executable='policy', output='screen',
             parameters=[{
                 'use_sim_time': LaunchConfiguration('use_sim_time'),
                 'enable_stamped_cmd_vel': LaunchConfiguration('enable_stamped_cmd_vel')}]),
    ])
