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

"""``twin run`` builds from the bringup arguments: the same names, defaults and parameters."""

import sys
import types

import pytest
from twin.arguments import arguments, bridge_parameters, defaults, SIM_ARGUMENTS
from twin_tools import run


def bridge_overrides(command: list[str]) -> dict[str, str]:
    """Return the ``-p name:=value`` overrides of a bridge command line."""
    return dict(command[i + 1].split(':=', 1) for i, arg in enumerate(command) if arg == '-p')


def test_run_options_are_the_launch_arguments_with_their_defaults_and_descriptions():
    actions = {action.dest: action for action in run.parser()._actions}
    for name in run.RUN_ARGUMENTS:
        assert name in SIM_ARGUMENTS, f'--{name} is no sim.launch.py argument'
        argument, action = arguments()[name], actions[name]
        assert action.option_strings == [argument.option]
        assert action.default == argument.parse(argument.default_text()), name
        assert action.help == argument.description


def test_default_run_starts_the_bridge_with_the_launch_files_parameters():
    options = run.parser().parse_args([])
    launched = bridge_parameters(defaults(), publish_robot_state=True)
    overrides = bridge_overrides(run.bridge_command(options))
    assert set(overrides) == set(launched)
    for name, value in launched.items():
        assert overrides[name] == run._parameter_text(value), name


def test_with_a_distribution_run_passes_every_choice_as_a_sim_launch_argument(monkeypatch):
    monkeypatch.setattr(run.shutil, 'which', lambda name: f'/opt/ros/jazzy/bin/{name}')
    monkeypatch.setitem(sys.modules, 'launch_ros', types.ModuleType('launch_ros'))
    options = run.parser().parse_args(['--world', 'room', '--controller', 'wall_follower'])
    command = run.launch_command(options)
    assert command[:4] == ['ros2', 'launch', 'twin', 'sim.launch.py']
    given = dict(argument.split(':=', 1) for argument in command[4:])
    assert set(given) <= set(SIM_ARGUMENTS)
    assert given == {**{name: defaults()[name] for name in run.RUN_ARGUMENTS},
                     'world': 'room', 'controller': 'wall_follower'}


def test_the_bridge_started_alone_publishes_the_robot_state_itself():
    command = run.bridge_command(run.parser().parse_args(['--record', '/tmp']))
    assert bridge_overrides(command)['publish_robot_state'] == "'true'"
    assert bridge_overrides(command)['ground_truth_frame'] == 'world'


def test_view_runs_beside_the_bridge_with_its_world_and_start(monkeypatch):
    monkeypatch.setattr(run, 'launch_command', lambda options: None)  # the pip path
    options = run.parser().parse_args(['--view', '--world', 'room', '--x', '1.5'])
    bridge, view = run.checked_commands(options)
    assert view[1:3] == ['-m', 'twin_view.view_node']
    assert bridge_overrides(view) == {name: bridge_overrides(bridge)[name] for name in
                                      ('world_file', 'spawn.x', 'spawn.y', 'spawn.yaw')}
    assert len(run.checked_commands(run.parser().parse_args([]))) == 1  # no view unasked


def test_parameter_values_keep_their_type_on_the_command_line():
    assert run._parameter_text('') == "''"
    assert run._parameter_text('true') == "'true'"
    assert run._parameter_text('wheel_left_joint') == 'wheel_left_joint'
    assert run._parameter_text(True) == 'true'
    assert run._parameter_text(1.0) == '1.0'


@pytest.mark.parametrize('arguments_, message', [
    (['--world', 'rooom'], "world: 'rooom' is neither a shipped world"),
    (['--gui'], 'gui: true, but there is no display'),
    (['--record', '/proc/twin'], '--record: cannot create /proc/twin'),
])
def test_a_bad_choice_is_one_line_before_anything_starts(arguments_, message, capsys,
                                                         monkeypatch):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    monkeypatch.setattr(run, 'start', lambda command: pytest.fail(f'started {command}'))
    assert run.main(arguments_) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f'twin run: {message}')


def test_ctrl_c_while_starting_stops_what_started_without_a_traceback(monkeypatch):
    started = []

    class Process:

        def poll(self):
            return None

        def send_signal(self, number):
            started.append(number)

        def wait(self, timeout=None):
            return -15

    def interrupted(processes, options):
        raise KeyboardInterrupt
    monkeypatch.setattr(run, 'start', lambda command: Process())
    monkeypatch.setattr(run, 'watch', interrupted)
    assert run.main(['--world', 'empty']) == 0
    assert started == [run.signal.SIGTERM]
