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

"""The parameter table, its one mapping into the core, and the checks of given values."""

import ast
import dataclasses
from pathlib import Path

import pytest
from twin_bridge import parameters
from twin_bridge.declaration import descriptor, ros_arguments
from twin_bridge.parameters import (bridge_settings, BridgeSettings, checked_values,
                                    given_parameters, PARAMETERS, robot_spawns, twin_config)
from twin_sim import DescriptionError, LidarConfig, Pose, Twin, TwinConfig
import yaml

PACKAGE = Path(parameters.__file__).parent
DEFAULTS = {param.name: param.default for param in PARAMETERS}


def core_leaves(config, prefix=''):
    """Yield the dotted path of every non-dataclass field of a configuration."""
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            yield from core_leaves(value, f'{prefix}{field.name}.')
        else:
            yield prefix + field.name


def test_every_target_names_a_field_and_every_field_has_a_parameter():
    core = set(core_leaves(TwinConfig(robot='')))
    bridge = {field.name for field in dataclasses.fields(BridgeSettings)}
    targets = [param.target for param in PARAMETERS]
    assert len(targets) == len(set(targets)), 'two parameters set one field'
    twin_targets = {t[len('twin.'):] for t in targets if t.startswith('twin.')}
    bridge_targets = {t[len('bridge.'):] for t in targets if t.startswith('bridge.')}
    assert len(twin_targets) + len(bridge_targets) == len(targets)
    # robot and spawn come from the bridge's own parameters; gravity is the planet's; faults
    # and variations from the files faults_file and variations_file name.
    assert core - twin_targets == {'robot', 'spawn.x', 'spawn.y', 'spawn.z', 'spawn.yaw',
                                   'spawn.pitch', 'spawn.roll', 'physics.gravity', 'faults',
                                   'variations'}
    assert twin_targets <= core
    assert bridge_targets == bridge


def test_defaults_built_through_the_table_are_the_cores_own():
    settings = bridge_settings({**DEFAULTS, 'robot_description': '<robot/>'})
    assert settings == BridgeSettings(robot_description='<robot/>')
    config = twin_config(DEFAULTS, settings, Pose())
    assert config == TwinConfig(robot='<robot/>')


def test_every_parameter_reaches_its_field():
    values = {**DEFAULTS, 'robot_description': '<robot/>', 'lidar.samples': 720,
              'limits.max_angular_velocity': 1.5, 'wheels.radius': 0.05, 'gui': True,
              'base_frame': 'base_link', 'seed': 7}
    config = twin_config(values, bridge_settings(values), Pose())
    assert (config.lidar.samples, config.drive.limits.max_angular_velocity,
            config.drive.wheel_radius, config.physics.gui, config.base_link, config.seed) == \
        (720, 1.5, 0.05, True, 'base_link', 7)


def test_descriptor_ranges_are_the_core_fields_ranges():
    samples = descriptor(parameters.PARAMETERS_BY_NAME['lidar.samples'])
    assert (samples.integer_range[0].from_value, samples.integer_range[0].to_value) == \
        (1, 100_000)
    step = descriptor(parameters.PARAMETERS_BY_NAME['physics.step'])
    assert step.floating_point_range[0].to_value == pytest.approx(0.05)


def test_the_core_refuses_what_the_table_refuses():
    with pytest.raises(ValueError, match='lidar samples must be within'):
        LidarConfig(samples=0)
    with pytest.raises(ValueError, match='angle_min .* must not exceed angle_max'):
        LidarConfig(angle_min=1.0, angle_max=-1.0)
    with pytest.raises(ValueError, match='bridge over_limit_policy must be one of'):
        BridgeSettings(over_limit_policy='yolo')


@pytest.mark.parametrize('given, message', [
    ({'lidar.samples': -3}, 'parameter lidar.samples = -3: must be within [1, 100000]'),
    ({'real_time_factor': 'fast'}, "parameter real_time_factor = 'fast': expected a number"),
    ({'over_limit_policy': 'yolo'}, 'must be one of saturate, reject'),
    ({'lidar_samples': 360}, 'unknown parameter(s) lidar_samples'),
    ({'robots': [1, 2]}, 'parameter robots = [1, 2]: must be a list of str'),
    ({'cmd_vel_timeout': 'abc'}, "parameter cmd_vel_timeout = 'abc': expected a number"),
    ({'gui': 'maybe'}, "parameter gui = 'maybe': expected a boolean (true or false), like "
     'false'),
    ({'lidar.samples': 'many'}, "parameter lidar.samples = 'many': expected an integer, like "
     '360'),
    ({'real_time_factor': [1.0, 2.0]}, 'parameter real_time_factor = [1.0, 2.0]: expected a '
     'number'),
    ({'gui': 1}, 'parameter gui = 1: expected a boolean'),
])
def test_a_bad_value_is_refused_naming_the_parameter_the_value_and_the_type(given, message):
    with pytest.raises(ValueError) as error:
        checked_values(given)
    assert message in str(error.value)


def test_integers_are_taken_for_numbers():
    assert checked_values({'real_time_factor': 2, 'robot_spawns': [1, 2, 0.5]}) == \
        {'real_time_factor': 2.0, 'robot_spawns': [1.0, 2.0, 0.5]}
    assert type(checked_values({'real_time_factor': 2})['real_time_factor']) is float


@pytest.mark.parametrize('robots, spawns, message', [
    (['tb0', 'tb1'], [0.0, 0.0, 0.0],
     'robot_spawns has 3 values, but robots names 2: give x, y, yaw for each, 6 values'),
    (['tb0', 'tb 1'], [0.0] * 6, "robots: 'tb 1' is not a usable namespace"),
    (['tb0', 'tb0'], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0], 'robots: names must differ'),
])
def test_robot_lists_that_do_not_add_up_are_refused(robots, spawns, message):
    settings = BridgeSettings(robots=tuple(robots), robot_spawns=tuple(spawns))
    with pytest.raises(ValueError) as error:
        robot_spawns(settings, Pose())
    assert message in str(error.value)


def test_a_wheel_joint_the_robot_lacks_is_named(robot_xacro):
    values = {**DEFAULTS, 'robot_description_file': str(robot_xacro),
              'wheels.left_joint': 'left'}
    config = twin_config(values, bridge_settings(values), Pose())
    with pytest.raises(DescriptionError, match="no joint named 'left' for a wheel"):
        Twin(config)


def test_a_later_value_of_another_type_is_kept_for_the_check(tmp_path):
    # rcl keeps the shipped file's value and drops this one without a word.
    shipped = tmp_path / 'shipped.yaml'
    shipped.write_text(yaml.safe_dump({'/**': {'ros__parameters': {
        'cmd_vel_timeout': 0.5, 'lidar': {'samples': 360}}}}))
    mine = tmp_path / 'mine.yaml'
    mine.write_text(yaml.safe_dump({'twin_bridge': {'ros__parameters': {'gui': 'maybe'}},
                                    'other_node': {'ros__parameters': {'x': 1}}}))
    args = ['--params-file', str(shipped), '--params-file', str(mine),
            '-p', 'cmd_vel_timeout:=abc', '--param', 'real_time_factor:=[1.0, 2.0]']
    assert given_parameters(args) == {'cmd_vel_timeout': 'abc', 'lidar.samples': 360,
                                      'gui': 'maybe', 'real_time_factor': [1.0, 2.0]}


def test_parameter_files_apply_by_node_name_and_namespace(tmp_path):
    path = tmp_path / 'p.yaml'
    path.write_text(yaml.safe_dump({'/sim/twin_bridge': {'ros__parameters': {'seed': 1}},
                                    '/*/other': {'ros__parameters': {'seed': 2}},
                                    '/*/bridge': {'ros__parameters': {'gui': True}}}))
    assert given_parameters(['--params-file', str(path), '-r', '__ns:=/sim']) == {'seed': 1}
    assert given_parameters(['--params-file', str(path), '-r', '__ns:=/sim',
                             '-r', '__node:=bridge']) == {'gui': True}
    assert given_parameters(['--params-file', str(path)]) == {}


@pytest.mark.parametrize('namespace', ['/', '/tb0', '/fleet/tb1'])
def test_a_node_key_under_any_namespace_reaches_the_node_in_every_namespace(tmp_path,
                                                                            namespace):
    path = tmp_path / 'profile.yaml'
    path.write_text(yaml.safe_dump({'/**/twin_bridge': {'ros__parameters': {'seed': 3}},
                                    '/**/other': {'ros__parameters': {'seed': 4}}}))
    assert given_parameters(['--params-file', str(path), '-r', f'__ns:={namespace}']) == \
        {'seed': 3}


def test_an_unreadable_parameter_file_is_named(tmp_path):
    with pytest.raises(ValueError, match='nowhere.yaml: cannot read the parameter file'):
        given_parameters(['--params-file', str(tmp_path / 'nowhere.yaml')])


def test_ros_arguments_are_those_of_every_ros_args_section():
    assert ros_arguments(['prog', 'x', '--ros-args', '-p', 'a:=1', '--', 'y', '--ros-args',
                          '-r', '__ns:=/n']) == ['-p', 'a:=1', '-r', '__ns:=/n']


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_bridge_reaches_physics_only_through_the_core():
    offenders = {path.name: sorted(name for name in imported_modules(path)
                                   if name.split('.')[0] == 'pybullet' or '._' in name or
                                   name.startswith('_'))
                 for path in PACKAGE.glob('*.py')}
    assert not {name: mods for name, mods in offenders.items() if mods}, \
        'twin_bridge imports pybullet or a private module'


def test_the_bridge_reads_no_private_attribute_of_rclpy():
    for path in PACKAGE.glob('*.py'):
        assert '_parameter_overrides' not in path.read_text(), path.name


def test_every_parameter_has_a_value_for_the_parameter_tools(bridge_in_process):
    # ros2 param dump and rqt ask for every listed name in one get_parameters call; one
    # without a value (a list declared by type alone) empties the whole answer.
    node = bridge_in_process()
    names = list(node.get_parameters_by_prefix(''))
    assert {'robots', 'robot_spawns'} <= set(names)
    values = {p.name: p.value for p in node.get_parameters(names)}
    assert (values['robots'], values['robot_spawns']) == ([], [])


def test_what_ros2_param_dump_writes_the_bridge_takes_back(bridge_in_process):
    # Dump, edit, load with params_file:=: every parameter the node has is one it accepts,
    # rclpy's own (use_sim_time, start_type_description_service) included.
    node = bridge_in_process()
    dumped = {name: param.value for name, param in node.get_parameters_by_prefix('').items()}
    assert 'start_type_description_service' in dumped
    assert checked_values(dumped).keys() <= dumped.keys()
