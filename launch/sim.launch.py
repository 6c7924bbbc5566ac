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
The twin: the bridge node in place of the robot's drivers, plus the shared bringup.

ros2 launch twin sim.launch.py [world:=arena] [rviz:=true] [real_time_factor:=5.0] ...
Headless by default; everything stops when the bridge exits.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction,
                            Shutdown)
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

# name, default, description: the bridge's choices a user makes at launch time.
ARGUMENTS = (
    ('world', 'arena', 'world name in share/twin/worlds (empty, arena, apartment) or a world '
                       'file path'),
    ('namespace', '', 'namespace of every node and topic; frame ids get it as a prefix'),
    ('x', '0.0', "start x in the world, m (all of x, y, yaw 0: the world file's start)"),
    ('y', '0.0', 'start y in the world, m'),
    ('yaw', '0.0', 'start heading in the world, rad'),
    ('real_time_factor', '1.0', 'simulated seconds per wall second; 0: as fast as possible'),
    ('gui', 'false', "open PyBullet's window (needs a display)"),
    ('seed', '0', 'seed of every random draw (sensor noise)'),
    ('enable_stamped_cmd_vel', 'false', 'cmd_vel is TwistStamped instead of Twist'),
    ('left_wheel_joint', 'wheel_left_joint', 'URDF joint of the left wheel'),
    ('right_wheel_joint', 'wheel_right_joint', 'URDF joint of the right wheel'),
)


def world_file(world: str, share: str) -> str:
    """Return a world file for a name in share/twin/worlds, or the path given."""
    named = os.path.join(share, 'worlds', f'{world}.yaml')
    return named if os.path.isfile(named) else world


def bridge(context):
    """Start the bridge with the shipped parameter file and the launch arguments."""
    share = get_package_share_directory('twin')
    value = {name: LaunchConfiguration(name).perform(context) for name, _, _ in ARGUMENTS}
    namespace = value['namespace'].strip('/')
    return [Node(
        package='twin_bridge', executable='twin_bridge', name='twin_bridge',
        namespace=namespace, output='screen', on_exit=Shutdown(reason='the twin bridge exited'),
        parameters=[os.path.join(share, 'config', 'twin_bridge.yaml'), {
            'robot_description_file': LaunchConfiguration('robot').perform(context),
            'world_file': world_file(value['world'], share),
            'spawn.x': float(value['x']), 'spawn.y': float(value['y']),
            'spawn.yaw': float(value['yaw']),
            'real_time_factor': float(value['real_time_factor']),
            'gui': value['gui'].lower() == 'true', 'seed': int(value['seed']),
            'enable_stamped_cmd_vel': value['enable_stamped_cmd_vel'].lower() == 'true',
            'wheels.left_joint': value['left_wheel_joint'],
            'wheels.right_joint': value['right_wheel_joint'],
            'frame_prefix': f'{namespace}/' if namespace else '',
        }])]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments, start the bridge, include the shared bringup with sim time."""
    share = get_package_share_directory('twin')
    return LaunchDescription([
        DeclareLaunchArgument('robot', default_value=f'{share}/urdf/twin_burger.urdf.xacro',
                              description='URDF or xacro file of the robot'),
        DeclareLaunchArgument('rviz', default_value='false',
                              description='start rviz2 with config/rviz/twin.rviz'),
        DeclareLaunchArgument('controller', default_value='',
                              description='a launch file to include that starts a controller'),
        *[DeclareLaunchArgument(name, default_value=default, description=description)
          for name, default, description in ARGUMENTS],
        OpaqueFunction(function=bridge),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, 'launch', 'bringup.launch.py')),
            launch_arguments={'robot': LaunchConfiguration('robot'),
                              'namespace': LaunchConfiguration('namespace'),
                              'use_sim_time': 'true',
                              'rviz': LaunchConfiguration('rviz'),
                              'controller': LaunchConfiguration('controller')}.items()),
    ])
