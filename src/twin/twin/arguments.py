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
The bringup's arguments in one place: names, defaults, descriptions, and what they become.

``sim.launch.py`` declares them as launch arguments, ``twin run`` as options (the argument
``real_time_factor`` is the option ``--real-time-factor``), and both turn the choices into
the bridge's parameters with :func:`bridge_parameters`. Defaults of bridge settings are read
from the shipped parameter file, so they have one owner. Pure: no rclpy, no launch (the
nav2_common pattern), so launch files and tools share it.

Namespaces follow Nav2's multi-robot bringup: ``namespace:=tb0`` moves every topic, ``tf``
and ``tf_static`` included (``/tb0/tf``), while frame ids stay un-prefixed (``odom``,
``base_footprint``); rviz2 runs in the namespace with ``/tf`` remapped to ``tf``.
"""

from dataclasses import dataclass
import functools
import os
from pathlib import Path

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
import yaml

PACKAGE = 'twin'
CONTROLLERS = ('obstacle_stop', 'wall_follower', 'go_to_goal', 'policy')
ROBOT_STATE_CHOICES = ('auto', 'true', 'false')
TRUE, FALSE = 'true', 'false'


class BringupError(ValueError):
    """A choice that cannot be brought up; the message names the argument and what to do."""


def share() -> Path:
    """Return the bringup's installed share folder (launch, config, urdf, worlds)."""
    return Path(get_package_share_directory(PACKAGE))


def installed(package: str) -> bool:
    """Tell whether the ament index knows a package."""
    try:
        get_package_share_directory(package)
        return True
    except PackageNotFoundError:
        return False


def world_names() -> list[str]:
    """Return the names of the shipped worlds (the files in share/twin/worlds)."""
    return sorted(path.stem for path in (share() / 'worlds').glob('*.yaml'))


def default_robot() -> str:
    """Return the shipped robot description, a TurtleBot3 Burger-class robot."""
    return str(share() / 'urdf' / 'twin_burger.urdf.xacro')


def bridge_parameters_file() -> str:
    """Return the shipped parameter file of the bridge."""
    return str(share() / 'config' / 'twin_bridge.yaml')


def bridge_parameter_files(params_file: str) -> list[str]:
    """
    Return the bridge's parameter files in loading order: the shipped one, then the user's.

    :param params_file: a parameter file over the shipped one (a calibration profile); ''
    :raises BringupError: when ``params_file`` is not a file
    """
    if not params_file:
        return [bridge_parameters_file()]
    if not os.path.isfile(params_file):
        raise BringupError(f'params_file: {params_file!r} is not a file (a ROS 2 parameter '
                           'YAML is expected, e.g. the profile twin calibrate writes)')
    return [bridge_parameters_file(), os.path.abspath(params_file)]


def world_file(world: str) -> str:
    """
    Return the world file for a shipped world's name or a path ('' for a bare ground plane).

    :raises BringupError: when ``world`` is neither a shipped world nor an existing file
    """
    if not world:
        return ''
    named = share() / 'worlds' / f'{world}.yaml'
    if named.is_file():
        return str(named)
    if os.path.isfile(world):
        return os.path.abspath(world)
    raise BringupError(f'world: {world!r} is neither a shipped world '
                       f'({", ".join(world_names())}) nor a world file')


def controller_launch_file(controller: str) -> str:
    """
    Return the launch file of a controller: an example's name or a launch file path.

    :raises BringupError: when ``controller`` is neither an example nor an existing file
    """
    if not controller:
        return ''
    if controller in CONTROLLERS:
        return str(share() / 'launch' / 'controllers' / f'{controller}.launch.py')
    if os.path.isfile(controller):
        return os.path.abspath(controller)
    raise BringupError(f'controller: {controller!r} is neither an example controller '
                       f'({", ".join(CONTROLLERS)}) nor a launch file')


def robot_file(robot: str) -> str:
    """
    Return the robot description file to use ('' means the shipped robot).

    :raises BringupError: when the file does not exist
    """
    path = robot or default_robot()
    if not os.path.isfile(path):
        raise BringupError(f'robot: {path!r} is not a file (a URDF or xacro file is expected)')
    return os.path.abspath(path)


def turtlebot3_drivers() -> str:
    """Return turtlebot3_bringup's robot.launch.py, or '' when it is not installed."""
    if not installed('turtlebot3_bringup'):
        return ''
    return os.path.join(get_package_share_directory('turtlebot3_bringup'), 'launch',
                        'robot.launch.py')


def display_problem(gui: bool, environ: dict) -> str | None:
    """Return why PyBullet's window cannot open (no display), or None when it can."""
    if gui and not (environ.get('DISPLAY') or environ.get('WAYLAND_DISPLAY')):
        return ('gui: true, but there is no display (DISPLAY and WAYLAND_DISPLAY are unset); '
                'run headless (gui false) or from a desktop session')
    return None


def starts_robot_state_publisher(choice: str, drivers_bring_one: bool = False,
                                 several_robots: bool = False) -> bool:
    """
    Decide, once, whether the bringup starts robot_state_publisher.

    :param choice: ``true``, ``false`` or ``auto`` (start it when it is installed and the
        drivers do not bring their own)
    :param drivers_bring_one: the robot's driver launch already starts one (TurtleBot3's)
    :param several_robots: the twin has several robots, each under its name: the bridge
        publishes each one's description and TF; one robot_state_publisher would serve none
    :raises BringupError: for another choice, or ``true`` where it is not installed or
        with several robots
    """
    choice = choice.lower()
    if choice not in ROBOT_STATE_CHOICES:
        raise BringupError(f'robot_state: {choice!r} is not one of '
                           f'{", ".join(ROBOT_STATE_CHOICES)}')
    if several_robots and choice == TRUE:
        raise BringupError('robot_state: true starts one robot_state_publisher, for one '
                           'robot; with several (robots: in params_file) the bridge publishes '
                           "each robot's description and TF: use auto or false")
    if choice == 'auto':
        brought = drivers_bring_one or several_robots   # by the drivers, or the bridge
        return installed('robot_state_publisher') and not brought
    if choice == TRUE and not installed('robot_state_publisher'):
        raise BringupError('robot_state: true, but robot_state_publisher is not installed '
                           '(sudo apt install ros-jazzy-robot-state-publisher), or use auto')
    return choice == TRUE


@functools.cache
def _shipped_file() -> dict:
    with open(bridge_parameters_file()) as file:
        return yaml.safe_load(file)['/**']['ros__parameters']


def shipped_parameter(name: str):
    """Return a bridge parameter's value in the shipped file, by dotted name (``spawn.x``)."""
    value = _shipped_file()
    for part in name.split('.'):
        value = value[part]
    return value


def _text(value) -> str:
    """Return a parameter value as a launch argument spells it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Argument:
    """
    One bringup argument: a launch argument and, where ``twin run`` offers it, an option.

    :param parameter: the bridge parameter it sets; its default is the shipped file's
    """

    name: str
    description: str
    kind: type = str
    default: str = ''
    parameter: str = ''

    @property
    def option(self) -> str:
        """Return the command-line spelling, e.g. ``--real-time-factor``."""
        return '--' + self.name.replace('_', '-')

    def default_text(self) -> str:
        """Return the default as a launch argument spells it."""
        if self.parameter:
            return _text(shipped_parameter(self.parameter))
        return self.default

    def parse(self, text: str):
        """
        Return the value of ``text`` as this argument's type.

        :raises BringupError: naming the argument, e.g. "real_time_factor: 'fast' is not a
            number"
        """
        text = text.strip()
        if self.kind is bool:
            if text.lower() not in (TRUE, FALSE):
                raise BringupError(f'{self.name}: {text!r} is not true or false')
            return text.lower() == TRUE
        if self.kind is str:
            return text
        try:
            return self.kind(text)
        except ValueError:
            expected = 'a number' if self.kind is float else 'an integer'
            raise BringupError(f'{self.name}: {text!r} is not {expected}') from None


@functools.cache
def arguments() -> dict[str, Argument]:
    """Return every bringup argument by name (launch files pick theirs by name)."""
    return {argument.name: argument for argument in (
        Argument('world', f'a shipped world ({", ".join(world_names())}) or a world file path',
                 default='arena'),
        Argument('robot', 'URDF or xacro file of the robot', default=default_robot()),
        Argument('namespace', 'namespace of every node and topic, tf and tf_static included; '
                              "frame ids stay un-prefixed (Nav2's multi-robot convention)"),
        Argument('x', "start x in the world, m (x, y, yaw all 0: the world file's start)",
                 float, parameter='spawn.x'),
        Argument('y', 'start y in the world, m', float, parameter='spawn.y'),
        Argument('yaw', 'start heading in the world, rad', float, parameter='spawn.yaw'),
        Argument('real_time_factor', 'simulated seconds per wall second; 0: as fast as possible',
                 float, parameter='real_time_factor'),
        Argument('gui', "open PyBullet's window (needs a display)", bool, parameter='gui'),
        Argument('seed', 'seed of every random draw: same seed + same commands = same run', int,
                 parameter='seed'),
        Argument('params_file', 'bridge parameter file loaded over config/twin_bridge.yaml, '
                                'e.g. the profile twin calibrate writes; the other arguments '
                                'win over it; empty: none'),
        Argument('enable_stamped_cmd_vel', 'cmd_vel is TwistStamped (Jazzy TurtleBot3); '
                                           'false: Twist', bool,
                 parameter='enable_stamped_cmd_vel'),
        Argument('left_wheel_joint', 'URDF joint of the left wheel',
                 parameter='wheels.left_joint'),
        Argument('right_wheel_joint', 'URDF joint of the right wheel',
                 parameter='wheels.right_joint'),
        Argument('use_sim_time', 'true with the twin (it publishes /clock)', bool,
                 default=FALSE),
        Argument('rviz', 'start rviz2 with config/rviz/twin.rviz, in the namespace', bool,
                 default=FALSE),
        Argument('controller', 'an example controller to run (' + ', '.join(CONTROLLERS) +
                 ') or a launch file that starts one; empty: none'),
        Argument('robot_state', 'start robot_state_publisher: auto (when installed and the '
                                'drivers bring none), true or false; in the twin, the bridge '
                                'publishes the robot state when it does not run',
                 default='auto'),
        Argument('shadow', 'run the shadow twin beside the robot (twin_shadow: its predicted '
                           'odom and scan, divergence and events under shadow/)', bool,
                 default=FALSE),
        Argument('profile', "the robot's profile (a bridge parameter file) for the shadow "
                            'twin; empty: the shipped defaults'),
        Argument('shadow_world', "the robot's surroundings for the shadow twin: a shipped "
                                 "world's name or a world file; empty: the shadow does not "
                                 'compare scans'),
        Argument('view', 'serve a live Foxglove view on ws://127.0.0.1:8765 (twin_view)', bool,
                 default=FALSE),
    )}


SIM_ARGUMENTS = ('world', 'robot', 'namespace', 'x', 'y', 'yaw', 'real_time_factor', 'gui',
                 'seed', 'params_file', 'enable_stamped_cmd_vel', 'left_wheel_joint',
                 'right_wheel_joint', 'rviz', 'controller', 'robot_state', 'view')
BRINGUP_ARGUMENTS = ('robot', 'namespace', 'use_sim_time', 'rviz', 'controller', 'robot_state')
HARDWARE_ARGUMENTS = ('robot', 'namespace', 'rviz', 'controller', 'robot_state', 'shadow',
                      'profile', 'shadow_world')


def declared(names: tuple) -> list[tuple[str, str, str]]:
    """Return (name, default, description) of the named arguments, for launch files."""
    return [(name, arguments()[name].default_text(), arguments()[name].description)
            for name in names]


def defaults(names: tuple = SIM_ARGUMENTS) -> dict[str, str]:
    """Return the default of each named argument as text."""
    return {name: arguments()[name].default_text() for name in names}


def parsed(values: dict[str, str]) -> dict:
    """
    Return every argument's value in its type.

    :raises BringupError: for the first value that is not of its argument's type
    """
    return {name: arguments()[name].parse(text) for name, text in values.items()}


def bridge_parameters(values: dict[str, str], publish_robot_state: bool) -> dict:
    """
    Return the bridge's parameters for the sim arguments' values (text, as launch has them).

    Everything is resolved and checked here, before anything starts.

    :param publish_robot_state: whether the bridge publishes the robot state (decided by
        whoever starts the processes: true when no robot_state_publisher runs)
    :raises BringupError: naming the argument whose value cannot be used
    """
    value = parsed({**defaults(), **values})
    parameters = {
        'robot_description_file': robot_file(value['robot']),
        'world_file': world_file(value['world']),
        'publish_robot_state': TRUE if publish_robot_state else FALSE,
        'frame_prefix': '',   # Nav2's convention: namespaced topics, un-prefixed frames
    }
    for name in SIM_ARGUMENTS:
        argument = arguments()[name]
        if argument.parameter:
            parameters[argument.parameter] = value[name]
    return parameters


def view_parameters(bridge: dict) -> dict:
    """Return the live view's parameters for the bridge's: the same world and start pose."""
    return {name: bridge[name] for name in ('world_file', 'spawn.x', 'spawn.y', 'spawn.yaw')}
