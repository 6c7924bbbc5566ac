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
Every parameter of the bridge, in one table, and the one mapping into configuration.

Each row of :data:`PARAMETERS` names a parameter and its *target*: a dotted path into the
core's :class:`~twin_sim.TwinConfig` (``twin.lidar.samples``) or a field of the bridge's own
:class:`BridgeSettings` (``bridge.cmd_vel_timeout``). The default, the type and the allowed
range or choices are the target field's (see :mod:`twin_sim.fields`): the core's dataclasses
are the authority, and their ``__post_init__`` checks every value whoever builds them.
The node declares from the table (with descriptions and ranges), the YAML in ``config/``
lists it and the package README documents it; tests hold the three to the table.

Adding a parameter:

1. give the target dataclass a field with its default, and its limits where it has any
   (``time_constant: float = ranged(0.0, 0.0, 10.0)`` in the core's config, or a field of
   :class:`BridgeSettings` for something only the bridge uses);
2. add one row here: ``_p('drive.time_constant', 'twin.drive.time_constant', 'what it
   does', 's')``;
3. list it in ``config/twin_bridge.yaml`` and the README's table (the tests say what is
   missing). Nothing else: declaring, checking and building the configuration follow.

No rclpy here.
"""

import dataclasses
from dataclasses import dataclass
import json
import math
from pathlib import Path
import re
import typing

from twin_sim import Pose, TwinConfig
from twin_sim.fields import (check_fields, field_choices, field_problem, field_range, one_of,
                             ranged)
from twin_sim.twin import MAX_ROBOTS
import yaml

OVER_LIMIT_POLICIES = ('saturate', 'reject')


@dataclass(frozen=True)
class BridgeSettings:
    """
    The bridge's own settings (everything that is not the core's), with their defaults.

    Units and meaning: the parameter table's descriptions.
    """

    robot_description_file: str = ''
    robot_description: str = ''
    world_file: str = ''
    spawn_x: float = ranged(0.0, -1e4, 1e4)
    spawn_y: float = ranged(0.0, -1e4, 1e4)
    spawn_yaw: float = ranged(0.0, -math.pi, math.pi)
    robots: tuple[str, ...] = ()
    robot_spawns: tuple[float, ...] = ()
    use_world_spawn: bool = True
    real_time_factor: float = ranged(1.0, 0.0, 1000.0)
    start_paused: bool = False
    lockstep_enabled: bool = False
    lockstep_period: float = ranged(0.1, 0.001, 10.0)
    lockstep_timeout: float = ranged(2.0, 0.01, 600.0)
    frame_prefix: str = ''
    odom_frame: str = 'odom'
    ground_truth_frame: str = 'odom'
    over_limit_policy: str = one_of('saturate', OVER_LIMIT_POLICIES)
    cmd_vel_timeout: float = ranged(0.5, 0.01, 60.0)
    enable_stamped_cmd_vel: bool = True
    cmd_vel_max_age: float = ranged(0.5, 0.0, 60.0)
    cmd_vel_future_tolerance: float = ranged(0.05, 0.0, 10.0)
    e_stop_topic: str = 'e_stop'
    e_stop_heartbeat_timeout: float = ranged(0.0, 0.0, 60.0)
    clock_period: float = ranged(0.01, 0.0, 1.0)   # docs/benchmarks.md says why 100 Hz
    publish_robot_state: str = one_of('auto', ('auto', 'true', 'false'))
    diagnostics_period: float = ranged(1.0, 0.1, 60.0)
    faults_file: str = ''
    variations_file: str = ''
    episode: int = ranged(0, 0, 2**31 - 1)
    map_frame: str = 'map'
    map_publish_grid: bool = False
    map_publish_transform: bool = False

    def __post_init__(self):
        """Refuse a setting out of its range or choices, as the core's configs do."""
        check_fields(self, 'bridge')

    def frame(self, name: str) -> str:
        """Return a frame id with the configured prefix."""
        return f'{self.frame_prefix}{name}'

    @property
    def spawn(self) -> Pose:
        """Return the start pose the parameters give (all 0: not given)."""
        return Pose(x=self.spawn_x, y=self.spawn_y, yaw=self.spawn_yaw)


# The configurations a target path starts from: defaults come from these.
TARGET_ROOTS = {'twin': TwinConfig(robot=''), 'bridge': BridgeSettings()}


def _target_field(target: str) -> tuple[dataclasses.Field, object]:
    """Return the field a target path names and its default; KeyError for a wrong path."""
    root, *path = target.split('.')
    owner = TARGET_ROOTS[root]
    for name in path[:-1]:
        owner = getattr(owner, name)
    fields = {field.name: field for field in dataclasses.fields(owner)}
    return fields[path[-1]], getattr(owner, path[-1])


@dataclass(frozen=True)
class Param:
    """
    One parameter: its name, where its value goes, and how it is documented.

    :param name: dotted name (``lidar.samples``), as in the YAML file
    :param target: ``twin.<path in TwinConfig>`` or ``bridge.<field of BridgeSettings>``
    :param description: what it does, for ``ros2 param describe`` and the README
    :param unit: unit, for documentation
    :param read_only: True when a change at run time makes no sense
    """

    name: str
    target: str
    description: str
    unit: str = ''
    read_only: bool = True

    @property
    def field(self) -> dataclasses.Field:
        """Return the configuration field this parameter sets."""
        return _target_field(self.target)[0]

    @property
    def default(self):
        """Return the value the target field has unless given (a list for a list parameter)."""
        default = _target_field(self.target)[1]
        return list(default) if isinstance(default, tuple) else default

    @property
    def low(self) -> float | None:
        """Return the smallest allowed value, or None."""
        bounds = field_range(self.field)
        return bounds[0] if bounds else None

    @property
    def high(self) -> float | None:
        """Return the largest allowed value, or None."""
        bounds = field_range(self.field)
        return bounds[1] if bounds else None

    @property
    def choices(self) -> tuple[str, ...]:
        """Return the allowed values of a string parameter, or () for any."""
        return field_choices(self.field)

    @property
    def array_of(self) -> type | None:
        """Return the item type of a list parameter, or None for a single value."""
        if typing.get_origin(self.field.type) is tuple:
            return typing.get_args(self.field.type)[0]
        return None


_p = Param

# Defaults (in the target dataclasses): a TurtleBot3 Burger's drivers.
PARAMETERS = (
    _p('robot_description_file', 'bridge.robot_description_file',
       'URDF or xacro file of the robot (empty: use robot_description)'),
    _p('robot_description', 'bridge.robot_description',
       'URDF text of the robot, when no file is given'),
    _p('world_file', 'bridge.world_file',
       'world file (YAML, see worlds/README.md) or a Nav2 map YAML; empty: a bare ground plane'),
    _p('spawn.x', 'bridge.spawn_x', 'start position x in the world (overrides the world file)',
       'm'),
    _p('spawn.y', 'bridge.spawn_y', 'start position y in the world (overrides the world file)',
       'm'),
    _p('spawn.yaw', 'bridge.spawn_yaw', 'start heading in the world (overrides the world file)',
       'rad'),
    _p('robots', 'bridge.robots', 'names of several robots in one world, e.g. [tb0, tb1]: '
       'robot <name> has its topics under <name>/ and its frames prefixed <name>/; empty: '
       "one robot, in the node's namespace"),
    _p('robot_spawns', 'bridge.robot_spawns', 'with robots: x, y and yaw of each robot in '
       'turn, in the world (m, m, rad)'),
    _p('map.frame', 'bridge.map_frame', 'frame of a Nav2 map world: the world frame'),
    _p('map.publish_grid', 'bridge.map_publish_grid', 'with a Nav2 map world: publish its grid '
       'on map (latched) as map_server would; leave false when a map_server runs'),
    _p('map.publish_transform', 'bridge.map_publish_transform', 'with a Nav2 map world: '
       'publish a static map -> odom at the spawn pose; leave false when AMCL or SLAM runs'),
    _p('use_world_spawn', 'bridge.use_world_spawn', 'start where the world file says when it '
       'gives a spawn pose and spawn.* are all 0'),
    _p('physics.step', 'twin.physics.step', 'physics time step; /clock advances by it, '
       'to the ns without drift (240 steps of 1/240 s are exactly 1 s)', 's'),
    _p('physics.solver_iterations', 'twin.physics.solver_iterations',
       'constraint solver iterations per step'),
    _p('real_time_factor', 'bridge.real_time_factor', 'simulated seconds per wall second; 0 '
       'runs as fast as possible'),
    _p('start_paused', 'bridge.start_paused', 'start paused: time stands still until '
       'sim/pause is called with false, or sim/step'),
    _p('lockstep.enabled', 'bridge.lockstep_enabled', 'lock-step with the controller: '
       'advance one lockstep.period, publish /clock, then hold until cmd_vel answers (see '
       'Lock-step in the README); real_time_factor is not used'),
    _p('lockstep.period', 'bridge.lockstep_period', "the controller's control period in "
       'simulated time (whole physics steps): the twin waits for an answer after each', 's'),
    _p('lockstep.timeout', 'bridge.lockstep_timeout', 'wall time to wait for an answer before '
       'advancing anyway (counted as lockstep_timeouts: the run is not reproducible)', 's'),
    _p('seed', 'twin.seed', 'seed of every random draw (sensor noise, faults, variations)'),
    _p('faults_file', 'bridge.faults_file', 'fault file (YAML, docs/models.md): timed or '
       'random faults from every reset; empty: none'),
    _p('variations_file', 'bridge.variations_file', 'variation file (YAML, docs/models.md): '
       'distributions drawn per episode and applied at each reset; empty: none'),
    _p('episode', 'bridge.episode', 'episode the next sim/reset starts (its noise and '
       'variation draw depend on seed and episode alone); at start-up, the first episode',
       read_only=False),
    _p('gui', 'twin.physics.gui', "open PyBullet's window (needs a display)"),
    _p('frame_prefix', 'bridge.frame_prefix', "prefix of every frame id, e.g. 'robot1/'"),
    _p('odom_frame', 'bridge.odom_frame', 'frame of the odometry pose'),
    _p('base_frame', 'twin.base_link', 'URDF link that is the robot pose (REP-105)'),
    _p('ground_truth_frame', 'bridge.ground_truth_frame', 'frame of ground_truth/odom: the '
       'odom frame (the true pose relative to where the robot started, comparable with odom) '
       'or another name for world coordinates'),
    _p('wheels.left_joint', 'twin.drive.left_wheel_joint', 'URDF joint of the left wheel'),
    _p('wheels.right_joint', 'twin.drive.right_wheel_joint', 'URDF joint of the right wheel'),
    _p('wheels.radius', 'twin.drive.wheel_radius', 'nominal wheel radius: what the firmware '
       "assumes to turn cmd_vel into wheel speeds and wheel angles into odometry; 0: the URDF's",
       'm'),
    _p('wheels.separation', 'twin.drive.wheel_separation', 'nominal distance between the '
       "wheels, as the firmware assumes it (see wheels.radius); 0: the URDF's", 'm'),
    _p('wheels.max_torque', 'twin.drive.max_wheel_torque', 'torque limit of each wheel motor; '
       "0 uses the joint's effort limit", 'N m'),
    _p('drive.time_constant', 'twin.drive.time_constant', "each wheel speed's first-order "
       'response to its command (63 % after this long); 0: none', 's'),
    _p('drive.dead_time', 'twin.drive.dead_time', "from a wheel speed command to the motor's "
       'first response; 0: none', 's'),
    _p('physical.left_wheel_radius', 'twin.physical.left_wheel_radius', 'true radius of the '
       "simulated left wheel (the body, not the firmware's belief); 0: the URDF's", 'm'),
    _p('physical.right_wheel_radius', 'twin.physical.right_wheel_radius', 'true radius of the '
       "simulated right wheel; 0: the URDF's", 'm'),
    _p('physical.wheel_separation', 'twin.physical.wheel_separation', 'true distance between '
       "the simulated wheels' mid-planes; 0: the URDF's", 'm'),
    _p('limits.max_linear_velocity', 'twin.drive.limits.max_linear_velocity',
       'fastest forward or backward speed', 'm/s'),
    _p('limits.max_angular_velocity', 'twin.drive.limits.max_angular_velocity',
       'fastest turn rate', 'rad/s'),
    _p('limits.max_linear_acceleration', 'twin.drive.limits.max_linear_acceleration',
       'largest change of speed', 'm/s^2'),
    _p('limits.max_angular_acceleration', 'twin.drive.limits.max_angular_acceleration',
       'largest change of turn rate', 'rad/s^2'),
    _p('over_limit_policy', 'bridge.over_limit_policy', 'a command beyond the velocity limits '
       "is clamped ('saturate') or rejected whole ('reject')"),
    _p('cmd_vel_timeout', 'bridge.cmd_vel_timeout', 'stop (decelerating under the limits) '
       'when no valid command arrived for this long', 's'),
    _p('enable_stamped_cmd_vel', 'bridge.enable_stamped_cmd_vel', 'cmd_vel is '
       'geometry_msgs/TwistStamped, as on the Jazzy TurtleBot3 and Nav2; false: Twist (e.g. '
       'for teleop_twist_keyboard)'),
    _p('cmd_vel_max_age', 'bridge.cmd_vel_max_age', 'TwistStamped older than this (by its '
       'stamp) is rejected', 's'),
    _p('cmd_vel_future_tolerance', 'bridge.cmd_vel_future_tolerance', 'TwistStamped stamped '
       'further ahead than this is rejected', 's'),
    _p('e_stop_topic', 'bridge.e_stop_topic', 'std_msgs/Bool topic whose true latches a stop '
       'until the sim/reset_e_stop service; empty disables it'),
    _p('e_stop_heartbeat_timeout', 'bridge.e_stop_heartbeat_timeout', 'with a positive value, '
       'messages on e_stop_topic (either value) must arrive at least this often, or the robot '
       'is held stopped', 's'),
    _p('clock_period', 'bridge.clock_period', '/clock publication period in simulated time, '
       'at the first step on or after each multiple; 0 publishes every physics step', 's'),
    _p('publish_robot_state', 'bridge.publish_robot_state', 'publish robot_description, '
       "tf_static and the wheel transforms as robot_state_publisher would; 'auto': when it "
       'is not installed'),
    _p('diagnostics_period', 'bridge.diagnostics_period', 'diagnostics publication period '
       '(wall time)', 's'),
    _p('lidar.link', 'twin.lidar.link', 'URDF link (and frame) of the LIDAR'),
    _p('lidar.samples', 'twin.lidar.samples', 'beams per scan'),
    _p('lidar.angle_min', 'twin.lidar.angle_min', 'angle of the first beam', 'rad'),
    _p('lidar.angle_max', 'twin.lidar.angle_max', 'angle of the last beam', 'rad'),
    _p('lidar.range_min', 'twin.lidar.range_min', 'returns closer than this read -inf '
       '(REP-117)', 'm'),
    _p('lidar.range_max', 'twin.lidar.range_max', 'beams that hit nothing within this read '
       '+inf', 'm'),
    _p('lidar.rate', 'twin.lidar.rate', 'scans per second', 'Hz'),
    _p('lidar.range_noise_std', 'twin.lidar.range_noise_std', 'Gaussian noise of each range',
       'm'),
    _p('lidar.dropout_probability', 'twin.lidar.dropout_probability', 'chance that a beam '
       'returns nothing'),
    _p('lidar.angle_noise_std', 'twin.lidar.angle_noise_std', 'Gaussian error of each beam '
       'direction', 'rad'),
    _p('lidar.sweep', 'twin.lidar.sweep', 'beams are measured one after another as the head '
       'turns once per scan (LaserScan time_increment), as on a rotating LIDAR; false: all at '
       'the stamp'),
    _p('imu.link', 'twin.imu.link', 'URDF link (and frame) of the IMU'),
    _p('imu.rate', 'twin.imu.rate', 'samples per second', 'Hz'),
    _p('imu.gyro_noise_std', 'twin.imu.gyro_noise_std', 'white noise of angular velocity',
       'rad/s'),
    _p('imu.accel_noise_std', 'twin.imu.accel_noise_std', 'white noise of linear '
       'acceleration', 'm/s^2'),
    _p('imu.gyro_bias_walk_std', 'twin.imu.gyro_bias_walk_std', 'gyro bias random walk',
       'rad/s/sqrt(s)'),
    _p('imu.accel_bias_walk_std', 'twin.imu.accel_bias_walk_std', 'accelerometer bias random '
       'walk', 'm/s^2/sqrt(s)'),
    _p('imu.orientation_noise_std', 'twin.imu.orientation_noise_std', 'orientation '
       'uncertainty (covariance only; 0 claims an exact orientation)', 'rad'),
    _p('imu.gyro_bias_z', 'twin.imu.gyro_bias_z', 'constant gyro bias about z, added to '
       'every angular_velocity.z', 'rad/s'),
    _p('odometry.rate', 'twin.odometry.rate', 'odom, tf and joint_states messages per second',
       'Hz'),
    _p('odometry.encoder_ticks_per_revolution', 'twin.odometry.encoder_ticks_per_revolution',
       'encoder resolution; 0: exact angles'),
    _p('odometry.encoder_noise_std', 'twin.odometry.encoder_noise_std', 'Gaussian error of '
       'each encoder reading', 'rad'),
    _p('odometry.wheel_radius_error', 'twin.odometry.wheel_radius_error', 'relative error of '
       'the radius odometry assumes'),
    _p('odometry.wheel_separation_error', 'twin.odometry.wheel_separation_error', 'relative '
       'error of the separation odometry assumes'),
)

PARAMETERS_BY_NAME = {param.name: param for param in PARAMETERS}


def check_value(param: Param, value) -> str | None:
    """Return why ``value`` is not allowed for ``param``, or None when it is."""
    if param.array_of is not None:
        if not all(isinstance(item, param.array_of) for item in value):
            return f'must be a list of {param.array_of.__name__}'
        if param.array_of is float and not all(math.isfinite(item) for item in value):
            return 'must hold finite numbers'
        return None
    problem = field_problem(param.field, value)
    if problem and param.unit and param.low is not None and 'within' in problem:
        problem += f' {param.unit}'
    return problem


TYPE_NAMES = {bool: 'a boolean (true or false)', int: 'an integer', float: 'a number',
              str: 'a string'}


def checked_value(param: Param, given):
    """
    Return a given value in the parameter's type; raise ValueError naming what is wrong.

    An integer is taken for a number (YAML's ``real_time_factor: 1`` means 1.0), and a list
    of integers for a list of numbers; anything else of another type is refused.
    """
    value = given
    if isinstance(param.default, float) and type(given) is int:
        value = float(given)
    if param.array_of is not None:
        value = [] if given is None else given   # rcl reads a YAML `[]` as no value
        if isinstance(value, (list, tuple)) and param.array_of is float:
            value = [float(item) if type(item) is int else item for item in value]
        value = list(value) if isinstance(value, (list, tuple)) else value
    if type(value) is not type(param.default):
        expected = (f'a list of {param.array_of.__name__}' if param.array_of else
                    TYPE_NAMES[type(param.default)])
        raise ValueError(f'parameter {param.name} = {given!r}: expected {expected}, like '
                         f'{json.dumps(param.default)}')
    problem = check_value(param, value)
    if problem:
        raise ValueError(f'parameter {param.name} = {given!r}: {problem}')
    return value


def checked_values(given: dict) -> dict:
    """
    Return every given parameter value checked and typed (see :func:`checked_value`).

    :param given: values by dotted name, as parameter files and ``--param`` give them
    :raises ValueError: an unknown name, or a value of the wrong type or out of range
    """
    unknown = sorted(set(given) - set(PARAMETERS_BY_NAME) - RUNTIME_PARAMETERS)
    if unknown:
        raise ValueError(f'unknown parameter(s) {", ".join(unknown)}; see the twin_bridge '
                         'README for the parameters it takes')
    return {name: checked_value(PARAMETERS_BY_NAME[name], value)
            for name, value in given.items() if name in PARAMETERS_BY_NAME}


# Parameters the node declares itself (not configuration): accepted, checked by rclpy.
# rclpy declares use_sim_time and start_type_description_service on every node, so a file
# ``ros2 param dump`` wrote holds them.
RUNTIME_PARAMETERS = {'use_sim_time', 'start_type_description_service', 'step_count'}


def given_parameters(ros_args: list[str], node_name: str = 'twin_bridge') -> dict:
    """
    Return the parameter values ``--ros-args`` give this node, later ones winning.

    Read as rcl reads them (``--params-file`` files and ``-p NAME:=VALUE``, each value as
    YAML), but keeping a value of another type than an earlier one, which rcl drops without
    a word: the bridge must see it to refuse it.

    :param ros_args: the arguments after ``--ros-args``
    :param node_name: the node's name, unless ``-r __node:=NAME`` renames it
    :raises ValueError: an unreadable parameter file or a malformed ``-p``
    """
    namespace = '/'
    for flag, value in _flag_values(ros_args, ('-r', '--remap')):
        key, _, new = value.partition(':=')
        if key == '__node':
            node_name = new
        elif key == '__ns':
            namespace = new
    full_name = f'{namespace.rstrip("/")}/{node_name}'
    given = {}
    for flag, value in _flag_values(ros_args, ('--params-file', '-p', '--param')):
        if flag == '--params-file':
            given.update(_file_parameters(Path(value), full_name))
        else:
            name, separator, text = value.partition(':=')
            if not separator:
                raise ValueError(f'--param {value!r}: expected NAME:=VALUE')
            given[name] = _yaml_value(text)
    return given


def _flag_values(ros_args: list[str], flags: tuple[str, ...]):
    """Yield (flag, value) for each of ``flags`` in ``ros_args``, in order."""
    for flag, value in zip(ros_args, ros_args[1:]):
        if flag in flags:
            yield flag, value


def _yaml_value(text: str):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _file_parameters(path: Path, full_name: str) -> dict:
    """Return the parameters a parameter file gives the node ``full_name``, by dotted name."""
    try:
        tree = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f', line {mark.line + 1}' if mark else ''
        raise ValueError(f'{path}{where}: cannot read the parameter file: '
                         f'{error.problem or error.context}') from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f'{path}: cannot read the parameter file: '
                         f'{str(error).splitlines()[0]}') from None
    given = {}
    for key, section in (tree or {}).items():
        if node_key_matches(str(key), full_name) and isinstance(section, dict):
            given.update(_flatten(section.get('ros__parameters') or {}))
    return given


def node_key_matches(key: str, full_name: str) -> bool:
    """
    Tell whether a parameter file's node key applies to the node ``full_name``, as in rcl.

    ``/**`` stands for any namespace, the root included (``/**/twin_bridge`` is the node in
    every namespace), ``**`` for any text, ``*`` for one name.
    """
    key = key if key.startswith('/') else '/' + key
    wildcards = {'/**': '(?:/.*)?', '**': '.*', '*': '[^/]*'}
    pattern = ''.join(wildcards.get(token, re.escape(token))
                      for token in re.split(r'(/\*\*|\*\*|\*)', key))
    return re.fullmatch(pattern, full_name) is not None


def _flatten(tree: dict, prefix: str = '') -> dict:
    values = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            values.update(_flatten(value, f'{prefix}{key}.'))
        else:
            values[f'{prefix}{key}'] = value
    return values


ROBOT_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*')


def start_pose(given: Pose, world_spawn: Pose | None, use_world_spawn: bool = True) -> Pose:
    """
    Return where a lone robot starts: the world file's spawn, unless spawn.* is given.

    :param given: the spawn.* parameters' pose (all 0: not given, as BridgeSettings.spawn)
    :param world_spawn: the world file's spawn, or None (no world file, or none in it)
    :param use_world_spawn: False: the world file's spawn is never taken
    """
    if use_world_spawn and world_spawn and given == Pose():
        return world_spawn
    return given


def robot_spawns(settings: BridgeSettings, spawn: Pose) -> list[tuple[str, Pose]]:
    """
    Return each robot's name and start pose; raise ValueError naming what is wrong.

    Without ``robots``, one robot named '' (the node's own namespace) starts at ``spawn``.
    """
    names, poses = list(settings.robots), list(settings.robot_spawns)
    if not names:
        if poses:
            raise ValueError('robot_spawns is set but robots is empty: name the robots '
                             '(robots: [tb0, ...]) or use spawn.x/y/yaw for one robot')
        return [('', spawn)]
    bad = [name for name in names if not ROBOT_NAME.fullmatch(name)]
    if bad:
        raise ValueError(f'robots: {bad[0]!r} is not a usable namespace (a letter, then '
                         'letters, digits or _)')
    if len(set(names)) != len(names):
        raise ValueError(f'robots: names must differ, got {names}')
    if len(names) > MAX_ROBOTS:
        raise ValueError(f'robots: at most {MAX_ROBOTS} robots in one twin, got {len(names)}')
    if len(poses) != 3 * len(names):
        raise ValueError(f'robot_spawns has {len(poses)} values, but robots names '
                         f'{len(names)}: give x, y, yaw for each, {3 * len(names)} values')
    return [(name, Pose(x=poses[3 * k], y=poses[3 * k + 1], yaw=poses[3 * k + 2]))
            for k, name in enumerate(names)]


def robot_source(settings: BridgeSettings) -> str:
    """Return the robot description source (a path or URDF text); raise ValueError if none."""
    source = settings.robot_description_file or settings.robot_description
    if not source:
        raise ValueError('no robot: set robot_description_file (a URDF or xacro path) or '
                         'robot_description (URDF text)')
    return source


def bridge_settings(values: dict) -> BridgeSettings:
    """Build the bridge's own settings from parameter values (by dotted name)."""
    return BridgeSettings(**{
        param.target.partition('.')[2]: tuple(values[param.name]) if param.array_of else
        values[param.name] for param in PARAMETERS if param.target.startswith('bridge.')})


def twin_config(values: dict, settings: BridgeSettings, spawn: Pose) -> TwinConfig:
    """
    Build the core configuration from parameter values; the core checks it.

    :raises ValueError: a value or a combination the core refuses
    """
    assignments = {param.target.partition('.')[2]: values[param.name]
                   for param in PARAMETERS if param.target.startswith('twin.')}
    return _assigned(TwinConfig(robot=robot_source(settings), spawn=spawn), assignments)


def _assigned(config, assignments: dict):
    """Return ``config`` with values set by dotted paths, nested dataclasses rebuilt."""
    own, nested = {}, {}
    for path, value in assignments.items():
        head, _, rest = path.partition('.')
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            own[head] = value
    for head, inner in nested.items():
        own[head] = _assigned(getattr(config, head), inner)
    return dataclasses.replace(config, **own)
