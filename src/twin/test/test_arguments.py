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

"""The bringup arguments (pure): names, defaults, resolution, errors that name the argument."""

from pathlib import Path

import pytest
from twin import arguments as bringup
from twin.arguments import (arguments, bridge_parameters, BringupError,
                            controller_launch_file, defaults, display_problem, shipped_parameter,
                            SIM_ARGUMENTS, starts_robot_state_publisher, world_file, world_names)
from twin.supervision import BridgeWatch


def test_the_world_list_comes_from_the_worlds_folder_and_includes_room(workspace):
    assert world_names() == sorted(p.stem for p in (workspace / 'worlds').glob('*.yaml'))
    assert 'room' in world_names()
    assert 'room' in arguments()['world'].description


def test_a_world_is_a_shipped_name_or_a_file_and_a_typo_lists_the_names(tmp_path):
    assert Path(world_file('room')).name == 'room.yaml'
    own = tmp_path / 'mine.yaml'
    own.write_text('obstacles: []\n')
    assert world_file(str(own)) == str(own)
    with pytest.raises(BringupError, match=r"world: 'rooom' is neither .*room"):
        world_file('rooom')


def test_a_params_file_loads_after_the_shipped_one_and_a_missing_one_is_named(tmp_path):
    profile = tmp_path / 'profile.yaml'
    profile.write_text('/**:\n  ros__parameters:\n    physical.left_wheel_radius: 0.034\n')
    assert bringup.bridge_parameter_files('') == [bringup.bridge_parameters_file()]
    assert bringup.bridge_parameter_files(str(profile)) == [bringup.bridge_parameters_file(),
                                                            str(profile)]
    with pytest.raises(BringupError, match=r"params_file: '/nowhere.yaml' is not a file"):
        bringup.bridge_parameter_files('/nowhere.yaml')


def test_controllers_by_name_ship_a_launch_file_and_a_bad_one_is_named():
    for name in bringup.CONTROLLERS:
        assert Path(controller_launch_file(name)).is_file(), name
    assert controller_launch_file('') == ''
    with pytest.raises(BringupError, match=r"controller: 'wall_folower' is neither .*"
                                           r'wall_follower'):
        controller_launch_file('wall_folower')


@pytest.mark.parametrize('name, text, expected', [
    ('real_time_factor', 'fast', "real_time_factor: 'fast' is not a number"),
    ('x', 'abc', "x: 'abc' is not a number"),
    ('seed', '1.5', "seed: '1.5' is not an integer"),
    ('gui', 'maybe', "gui: 'maybe' is not true or false"),
])
def test_a_value_of_the_wrong_type_names_the_argument(name, text, expected):
    with pytest.raises(BringupError) as error:
        bridge_parameters({name: text}, publish_robot_state=True)
    assert str(error.value) == expected


def test_defaults_of_bridge_settings_are_the_shipped_parameter_files():
    for name in SIM_ARGUMENTS:
        argument = arguments()[name]
        if argument.parameter:
            assert argument.parse(argument.default_text()) == \
                shipped_parameter(argument.parameter), name


def test_the_sim_launch_does_not_offer_use_sim_time():
    assert 'use_sim_time' not in SIM_ARGUMENTS   # the twin forces it true


def test_bridge_parameters_say_who_publishes_the_robot_state_and_keep_frames_unprefixed():
    parameters = bridge_parameters({'namespace': 'tb0', 'real_time_factor': '4'},
                                   publish_robot_state=True)
    assert parameters['publish_robot_state'] == 'true'
    assert parameters['frame_prefix'] == ''   # Nav2's convention: namespaced tf topics
    assert parameters['real_time_factor'] == 4.0
    assert Path(parameters['world_file']).name == 'arena.yaml'
    assert Path(parameters['robot_description_file']).name == 'twin_burger.urdf.xacro'
    assert bridge_parameters(defaults(), False)['publish_robot_state'] == 'false'


def test_with_several_robots_the_bridge_publishes_their_state_not_one_publisher(monkeypatch):
    # One robot_state_publisher at the bringup's namespace would read a joint_states no
    # robot publishes, and the bridge, told someone else publishes, would publish none.
    monkeypatch.setattr(bringup, 'installed', lambda package: True)
    assert not starts_robot_state_publisher('auto', several_robots=True)
    assert not starts_robot_state_publisher('false', several_robots=True)
    with pytest.raises(BringupError, match='several'):
        starts_robot_state_publisher('true', several_robots=True)


def test_robot_state_publisher_is_not_started_when_the_drivers_bring_one(monkeypatch):
    monkeypatch.setattr(bringup, 'installed', lambda package: True)
    assert starts_robot_state_publisher('auto')
    assert not starts_robot_state_publisher('auto', drivers_bring_one=True)
    assert starts_robot_state_publisher('true', drivers_bring_one=True)
    assert not starts_robot_state_publisher('false')
    monkeypatch.setattr(bringup, 'installed', lambda package: False)
    assert not starts_robot_state_publisher('auto')
    with pytest.raises(BringupError, match='robot_state: true, but robot_state_publisher'):
        starts_robot_state_publisher('true')
    with pytest.raises(BringupError, match="robot_state: 'sometimes' is not one of"):
        starts_robot_state_publisher('sometimes')


def test_gui_without_a_display_is_one_clear_line():
    assert 'no display' in display_problem(True, {})
    assert display_problem(True, {'DISPLAY': ':0'}) is None
    assert display_problem(True, {'WAYLAND_DISPLAY': 'wayland-0'}) is None
    assert display_problem(False, {}) is None


def test_a_bridge_failing_at_start_fails_the_launch_with_its_reason_once_all_ended():
    watch = BridgeWatch()
    watch.started(1)   # the bridge
    watch.started(2)   # robot_state_publisher
    watch.bridge_output('[INFO] loading\n'
                        '[FATAL] [1796039454.204195009] [twin_bridge]: cannot start: no x\n')
    assert watch.exited(1, 1, bridge=True, shutting_down=False) is None   # 2 still runs
    failure = watch.exited(2, 0, bridge=False, shutting_down=True)
    assert failure == 'the twin bridge failed (exit code 1): cannot start: no x'
    assert watch.exited(3, 0, bridge=False, shutting_down=True) is None   # said once


def test_a_bridge_stopped_by_ctrl_c_is_no_failure():
    watch = BridgeWatch()
    watch.started(1)
    assert watch.exited(1, -2, bridge=True, shutting_down=True) is None


def test_a_bridge_killed_by_a_signal_is_said_so_not_by_its_last_log_line():
    watch = BridgeWatch()
    watch.started(1)
    watch.bridge_output('[INFO] [1796039454.2] [twin_bridge]: wheel geometry: radius 0.033\n')
    assert watch.exited(1, -9, bridge=True, shutting_down=False) == \
        'the twin bridge failed (exit code -9): killed by SIGKILL'
