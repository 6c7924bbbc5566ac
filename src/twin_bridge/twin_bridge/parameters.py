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
Every parameter of the bridge, in one table, and its translation into core configuration.

The table is the single source: the node declares from it (with descriptions and ranges),
the YAML in ``config/`` lists it, and the package README documents it. No rclpy here.
"""

from dataclasses import dataclass
import math
import re

from twin_sim import (DriveConfig, DriveLimits, ImuConfig, LidarConfig, OdometryConfig,
                      PhysicsConfig, Pose, TwinConfig)
from twin_sim.twin import MAX_ROBOTS

OVER_LIMIT_POLICIES = ('saturate', 'reject')


@dataclass(frozen=True)
class Param:
    """
    One parameter.

    :param name: dotted name (``lidar.samples``), as in the YAML file
    :param default: default value; its type is the parameter's type
    :param description: what it does, for ``ros2 param describe`` and the README
    :param unit: unit, for documentation
    :param low: smallest allowed value (numbers)
    :param high: largest allowed value (numbers)
    :param choices: allowed values (strings)
    :param read_only: True when a change at run time makes no sense
    :param array_of: for a list parameter (default ``[]``), the type of its items
    """

    name: str
    default: object
    description: str
    unit: str = ''
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    read_only: bool = True
    array_of: type | None = None


def _p(name, default, description, unit='', low=None, high=None, choices=(), read_only=True,
       array_of=None):
    return Param(name, default, description, unit, low, high, choices, read_only, array_of)


# Defaults: a TurtleBot3 Burger's drivers (topics, frames, rates, limits).
PARAMETERS = (
    _p('robot_description_file', '', 'URDF or xacro file of the robot (empty: use '
       'robot_description)'),
    _p('robot_description', '', 'URDF text of the robot, when no file is given'),
    _p('world_file', '', 'world file (YAML, see worlds/README.md); empty: a bare ground plane'),
    _p('spawn.x', 0.0, 'start position x in the world (overrides the world file)', 'm',
       -1e4, 1e4),
    _p('spawn.y', 0.0, 'start position y in the world (overrides the world file)', 'm',
       -1e4, 1e4),
    _p('spawn.yaw', 0.0, 'start heading in the world (overrides the world file)', 'rad',
       -math.pi, math.pi),
    _p('robots', [], 'names of several robots in one world, e.g. [tb0, tb1]: robot <name> '
       'has its topics under <name>/ and its frames prefixed <name>/; empty: one robot, in '
       "the node's namespace", array_of=str),
    _p('robot_spawns', [], 'with robots: x, y and yaw of each robot in turn, in the world '
       '(m, m, rad)', array_of=float),
    _p('use_world_spawn', True, 'start where the world file says when it gives a spawn pose '
       'and spawn.* are all 0'),
    _p('physics.step', 1.0 / 240.0, 'physics time step; /clock advances by exactly this', 's',
       1e-4, 0.05),
    _p('physics.solver_iterations', 50, 'constraint solver iterations per step', '', 1, 1000),
    _p('real_time_factor', 1.0, 'simulated seconds per wall second; 0 runs as fast as possible',
       '', 0.0, 1000.0),
    _p('start_paused', False, 'start paused: time stands still until sim/pause is called '
       'with false, or sim/step'),
    _p('seed', 0, 'seed of every random draw (sensor noise, faults, variations)', '', 0,
       2**31 - 1),
    _p('faults_file', '', 'fault file (YAML, docs/models.md): timed or random faults from '
       'every reset; empty: none'),
    _p('variations_file', '', 'variation file (YAML, docs/models.md): distributions drawn '
       'per episode and applied at each reset; empty: none'),
    _p('episode', 0, 'episode the next sim/reset starts (its noise and variation draw '
       'depend on seed and episode alone); at start-up, the first episode', '', 0,
       2**31 - 1, read_only=False),
    _p('gui', False, "open PyBullet's window (needs a display)"),
    _p('frame_prefix', '', "prefix of every frame id, e.g. 'robot1/'"),
    _p('odom_frame', 'odom', 'frame of the odometry pose'),
    _p('base_frame', 'base_footprint', 'URDF link that is the robot pose (REP-105)'),
    _p('ground_truth_frame', 'odom', 'frame of ground_truth/odom: the odom frame (the true pose '
       'relative to where the robot started, comparable with odom) or another name for world '
       'coordinates'),
    _p('wheels.left_joint', 'wheel_left_joint', 'URDF joint of the left wheel'),
    _p('wheels.right_joint', 'wheel_right_joint', 'URDF joint of the right wheel'),
    _p('wheels.radius', 0.0, 'wheel radius; 0 measures it from the URDF', 'm', 0.0, 1.0),
    _p('wheels.separation', 0.0, 'distance between the wheels; 0 measures it from the URDF',
       'm', 0.0, 5.0),
    _p('wheels.max_torque', 0.0, "torque limit of each wheel motor; 0 uses the joint's effort "
       'limit', 'N m', 0.0, 1000.0),
    _p('limits.max_linear_velocity', 0.22, 'fastest forward or backward speed', 'm/s',
       0.0, 100.0),
    _p('limits.max_angular_velocity', 2.84, 'fastest turn rate', 'rad/s', 0.0, 100.0),
    _p('limits.max_linear_acceleration', 2.5, 'largest change of speed', 'm/s^2', 0.0, 1000.0),
    _p('limits.max_angular_acceleration', 3.2, 'largest change of turn rate', 'rad/s^2',
       0.0, 1000.0),
    _p('over_limit_policy', 'saturate', 'a command beyond the velocity limits is clamped '
       "('saturate') or rejected whole ('reject')", choices=OVER_LIMIT_POLICIES),
    _p('cmd_vel_timeout', 0.5, 'stop (decelerating under the limits) when no valid command '
       'arrived for this long', 's', 0.01, 60.0),
    _p('enable_stamped_cmd_vel', False, 'cmd_vel is geometry_msgs/TwistStamped instead of '
       'Twist (as in TurtleBot3 and Nav2)'),
    _p('cmd_vel_max_age', 0.5, 'TwistStamped older than this (by its stamp) is rejected', 's',
       0.0, 60.0),
    _p('cmd_vel_future_tolerance', 0.05, 'TwistStamped stamped further ahead than this is '
       'rejected', 's', 0.0, 10.0),
    _p('e_stop_topic', 'e_stop', 'std_msgs/Bool topic whose true latches a stop until the '
       'sim/reset_e_stop service; empty disables it'),
    _p('e_stop_heartbeat_timeout', 0.0, 'with a positive value, messages on e_stop_topic '
       '(either value) must arrive at least this often, or the robot is held stopped', 's',
       0.0, 60.0),
    _p('clock_period', 0.0, '/clock publication period in simulated time; 0 publishes every '
       'physics step', 's', 0.0, 1.0),
    _p('publish_robot_state', 'auto', 'publish robot_description, tf_static and the wheel '
       "transforms as robot_state_publisher would; 'auto': when it is not installed",
       choices=('auto', 'true', 'false')),
    _p('diagnostics_period', 1.0, 'diagnostics publication period (wall time)', 's', 0.1, 60.0),
    _p('lidar.link', 'base_scan', 'URDF link (and frame) of the LIDAR'),
    _p('lidar.samples', 360, 'beams per scan', '', 1, 100000),
    _p('lidar.angle_min', 0.0, 'angle of the first beam', 'rad', -2 * math.pi, 2 * math.pi),
    _p('lidar.angle_max', 2.0 * math.pi * 359.0 / 360.0, 'angle of the last beam', 'rad',
       -2 * math.pi, 2 * math.pi),
    _p('lidar.range_min', 0.12, 'returns closer than this read -inf (REP-117)', 'm', 0.0, 100.0),
    _p('lidar.range_max', 3.5, 'beams that hit nothing within this read +inf', 'm',
       0.01, 1000.0),
    _p('lidar.rate', 5.0, 'scans per second', 'Hz', 0.1, 1000.0),
    _p('lidar.range_noise_std', 0.01, 'Gaussian noise of each range', 'm', 0.0, 10.0),
    _p('lidar.dropout_probability', 0.0, 'chance that a beam returns nothing', '', 0.0, 1.0),
    _p('lidar.angle_noise_std', 0.0, 'Gaussian error of each beam direction', 'rad', 0.0, 1.0),
    _p('lidar.sweep', True, 'beams are measured one after another as the head turns once per '
       'scan (LaserScan time_increment), as on a rotating LIDAR; false: all at the stamp'),
    _p('imu.link', 'imu_link', 'URDF link (and frame) of the IMU'),
    _p('imu.rate', 200.0, 'samples per second', 'Hz', 0.1, 10000.0),
    _p('imu.gyro_noise_std', 0.002, 'white noise of angular velocity', 'rad/s', 0.0, 10.0),
    _p('imu.accel_noise_std', 0.017, 'white noise of linear acceleration', 'm/s^2', 0.0, 100.0),
    _p('imu.gyro_bias_walk_std', 0.0, 'gyro bias random walk', 'rad/s/sqrt(s)', 0.0, 10.0),
    _p('imu.accel_bias_walk_std', 0.0, 'accelerometer bias random walk', 'm/s^2/sqrt(s)',
       0.0, 100.0),
    _p('imu.orientation_noise_std', 0.0, 'orientation uncertainty (covariance only)', 'rad',
       0.0, 10.0),
    _p('odometry.rate', 50.0, 'odom, tf and joint_states messages per second', 'Hz',
       0.1, 10000.0),
    _p('odometry.encoder_ticks_per_revolution', 4096, 'encoder resolution; 0: exact angles',
       '', 0, 10**7),
    _p('odometry.encoder_noise_std', 0.0, 'Gaussian error of each encoder reading', 'rad',
       0.0, 10.0),
    _p('odometry.wheel_radius_error', 0.0, 'relative error of the radius odometry assumes', '',
       -0.5, 0.5),
    _p('odometry.wheel_separation_error', 0.0, 'relative error of the separation odometry '
       'assumes', '', -0.5, 0.5),
)

PARAMETERS_BY_NAME = {param.name: param for param in PARAMETERS}


@dataclass(frozen=True)
class BridgeSettings:
    """The bridge's own settings (everything that is not the core's)."""

    real_time_factor: float
    frame_prefix: str
    odom_frame: str
    base_frame: str
    ground_truth_frame: str
    scan_frame: str
    imu_frame: str
    over_limit_policy: str
    cmd_vel_timeout: float
    enable_stamped_cmd_vel: bool
    cmd_vel_max_age: float
    cmd_vel_future_tolerance: float
    e_stop_topic: str
    e_stop_heartbeat_timeout: float
    clock_period: float
    publish_robot_state: str
    diagnostics_period: float
    world_file: str

    def frame(self, name: str) -> str:
        """Return a frame id with the configured prefix."""
        return f'{self.frame_prefix}{name}'


def check_value(param: Param, value) -> str | None:
    """Return why ``value`` is not allowed for ``param``, or None when it is."""
    if param.array_of is not None:
        if not all(isinstance(item, param.array_of) for item in value):
            return f'must be a list of {param.array_of.__name__}'
        if param.array_of is float and not all(math.isfinite(item) for item in value):
            return 'must hold finite numbers'
        return None
    if param.choices and value not in param.choices:
        return f'must be one of {", ".join(param.choices)}'
    if param.low is not None and isinstance(value, (int, float)) and \
            not param.low <= value <= param.high:
        return f'must be within [{param.low}, {param.high}] {param.unit}'.rstrip()
    if isinstance(value, float) and not math.isfinite(value):
        return 'must be a finite number'
    return None


ROBOT_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*')


def robot_spawns(values: dict, spawn: Pose) -> list[tuple[str, Pose]]:
    """
    Return each robot's name and start pose; raise ValueError naming what is wrong.

    Without ``robots``, one robot named '' (the node's own namespace) starts at ``spawn``.
    """
    names, poses = values['robots'], values['robot_spawns']
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


def robot_source(values: dict) -> str:
    """Return the robot description source (a path or URDF text); raise ValueError if none."""
    source = values['robot_description_file'] or values['robot_description']
    if not source:
        raise ValueError('no robot: set robot_description_file (a URDF or xacro path) or '
                         'robot_description (URDF text)')
    return source


def twin_config(values: dict, spawn: Pose) -> TwinConfig:
    """Build the core configuration from parameter values (dotted names)."""
    v = values
    return TwinConfig(
        robot=robot_source(v),
        spawn=spawn,
        base_link=v['base_frame'],
        seed=v['seed'],
        physics=PhysicsConfig(step=v['physics.step'], gui=v['gui'],
                              solver_iterations=v['physics.solver_iterations']),
        drive=DriveConfig(
            left_wheel_joint=v['wheels.left_joint'], right_wheel_joint=v['wheels.right_joint'],
            wheel_radius=v['wheels.radius'], wheel_separation=v['wheels.separation'],
            max_wheel_torque=v['wheels.max_torque'],
            limits=DriveLimits(v['limits.max_linear_velocity'], v['limits.max_angular_velocity'],
                               v['limits.max_linear_acceleration'],
                               v['limits.max_angular_acceleration'])),
        lidar=LidarConfig(**_group(v, 'lidar')),
        imu=ImuConfig(**_group(v, 'imu')),
        odometry=OdometryConfig(**_group(v, 'odometry')))


def bridge_settings(values: dict) -> BridgeSettings:
    """Build the bridge's own settings from parameter values."""
    v = values
    return BridgeSettings(
        real_time_factor=v['real_time_factor'], frame_prefix=v['frame_prefix'],
        odom_frame=v['odom_frame'], base_frame=v['base_frame'],
        ground_truth_frame=v['ground_truth_frame'], scan_frame=v['lidar.link'],
        imu_frame=v['imu.link'], over_limit_policy=v['over_limit_policy'],
        cmd_vel_timeout=v['cmd_vel_timeout'], enable_stamped_cmd_vel=v['enable_stamped_cmd_vel'],
        cmd_vel_max_age=v['cmd_vel_max_age'],
        cmd_vel_future_tolerance=v['cmd_vel_future_tolerance'],
        e_stop_topic=v['e_stop_topic'], clock_period=v['clock_period'],
        e_stop_heartbeat_timeout=v['e_stop_heartbeat_timeout'],
        publish_robot_state=v['publish_robot_state'],
        diagnostics_period=v['diagnostics_period'], world_file=v['world_file'])


def _group(values: dict, prefix: str) -> dict:
    """Return the parameters under ``prefix.`` with the prefix removed."""
    return {name[len(prefix) + 1:]: value for name, value in values.items()
            if name.startswith(prefix + '.')}
