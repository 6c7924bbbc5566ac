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

ros2 launch twin sim.launch.py [world:=arena] [rviz:=true] [real_time_factor:=5.0]
    [params_file:=PROFILE.yaml] ...
Headless by default. Every argument is resolved and checked before anything starts; when
the bridge exits everything stops, and when it fails the launch exits 1 with its reason last.
"""

import os

from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, GroupAction, IncludeLaunchDescription,
                            LogInfo, OpaqueFunction, RegisterEventHandler,
                            SetLaunchConfiguration, Shutdown)
from launch.event_handlers import OnProcessExit, OnProcessIO, OnProcessStart
from launch.launch_description_sources import (AnyLaunchDescriptionSource,
                                               PythonLaunchDescriptionSource)
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node, PushRosNamespace, SetParameter
from twin.arguments import (bridge_parameter_files, bridge_parameters, controller_launch_file,
                            declared, display_problem, parsed, share, SIM_ARGUMENTS,
                            starts_robot_state_publisher, view_parameters)
from twin.supervision import BridgeWatch


def supervised(bridge: Node) -> list:
    """Return handlers that stop the launch when the bridge ends, failing when it failed."""
    watch = BridgeWatch()

    def on_exit(event, context):
        failure = watch.exited(event.pid, event.returncode, event.action is bridge,
                               context.is_shutdown)
        if failure:
            raise RuntimeError(failure)   # launch logs it last and exits 1
        if event.action is bridge and not context.is_shutdown:
            return [Shutdown(reason='the twin bridge exited')]
        return None
    return [
        RegisterEventHandler(OnProcessStart(on_start=lambda event, _: watch.started(event.pid))),
        RegisterEventHandler(OnProcessIO(
            target_action=bridge,
            on_stderr=lambda event: watch.bridge_output(event.text.decode(errors='replace')))),
        RegisterEventHandler(OnProcessExit(on_exit=on_exit)),
    ]


def first_robot(files: list[str], namespace: str) -> str:
    """Return the first robot the parameter files give the bridge (robots:=[...]), or ''."""
    if len(files) == 1:
        return ''   # the shipped file alone: one robot
    # Read as the bridge reads them; only here: it loads the core (and PyBullet).
    from twin_bridge.parameters import given_parameters
    arguments = ['-r', f'__ns:=/{namespace}']
    for path in files:
        arguments += ['--params-file', path]
    robots = given_parameters(arguments).get('robots') or []
    return str(robots[0]) if robots else ''


def on_first_robot(robot: str, driven: str, controller: str) -> list:
    """
    Start the controller in the first robot's namespace, as ``twin run`` does.

    With several robots each has its topics under its name; in the bringup's namespace the
    controller would command a cmd_vel no robot reads.
    """
    return [LogInfo(msg=f'the controller drives {robot}, the first of the robots'),
            GroupAction([PushRosNamespace(driven),
                         SetParameter('use_sim_time', True),   # as the bringup's
                         SetLaunchConfiguration('use_sim_time', 'true'),
                         IncludeLaunchDescription(AnyLaunchDescriptionSource(controller))])
            ] if robot and controller else []


def bringup(context) -> list:
    """Resolve and check every argument, then start the bridge and the shared bringup."""
    value = {name: LaunchConfiguration(name).perform(context) for name in SIM_ARGUMENTS}
    files = bridge_parameter_files(value['params_file'])
    namespace = value['namespace'].strip('/')
    robot = first_robot(files, namespace)   # '' unless several robots: then each its own
    robot_state_publisher = starts_robot_state_publisher(value['robot_state'],
                                                         several_robots=bool(robot))
    parameters = bridge_parameters(value, publish_robot_state=not robot_state_publisher)
    controller = controller_launch_file(value['controller'])
    problem = display_problem(parameters['gui'], os.environ)
    if problem:
        raise RuntimeError(problem)
    driven = f'{namespace}/{robot}'.strip('/')   # the robot the view and controller see
    bridge = Node(package='twin_bridge', executable='twin_bridge', name='twin_bridge',
                  namespace=namespace, output='screen',
                  parameters=[*files, parameters])
    view = [Node(package='twin_view', executable='view', name='view', namespace=driven,
                 output='screen', parameters=[view_parameters(parameters)])
            ] if parsed({'view': value['view']})['view'] else []
    shared = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(share() / 'launch' / 'bringup.launch.py')),
        launch_arguments={
            'robot': parameters['robot_description_file'], 'namespace': namespace,
            'use_sim_time': 'true', 'rviz': value['rviz'],
            'controller': '' if robot else controller,
            'robot_state': str(robot_state_publisher).lower()}.items())
    return [bridge, *supervised(bridge), *view, *on_first_robot(robot, driven, controller),
            shared]


def generate_launch_description() -> LaunchDescription:
    """Declare the arguments; resolve them and start everything in one step."""
    return LaunchDescription([
        *[DeclareLaunchArgument(name, default_value=default, description=description)
          for name, default, description in declared(SIM_ARGUMENTS)],
        OpaqueFunction(function=bringup),
    ])
