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

from builtin_interfaces.msg import Time
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


@pytest.mark.parametrize('param, message', [
    ('seed=3', "--param 'seed=3': expected NAME:=VALUE; did you mean 'seed:=3'?"),
    ('cmd_vel_timout:=1.0', '--param cmd_vel_timout: the bridge has no such parameter; did '
                            "you mean 'cmd_vel_timeout'?"),
    ('real_time_factor:=fast', '--param: parameter real_time_factor'),
])
def test_a_bad_param_is_one_line_with_a_suggestion_before_anything_starts(
        param, message, capsys, monkeypatch):
    monkeypatch.setattr(run, 'start', lambda command: pytest.fail(f'started {command}'))
    assert run.main(['--param', param]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f'twin run: {message}')


@pytest.mark.parametrize('text, message', [
    ('twin_bridge:\n  ros__parameters:\n    physical:\n      left_wheel_radus: 0.034\n',
     '--params-file {}: physical.left_wheel_radus: the bridge has no such parameter; did you '
     "mean 'physical.left_wheel_radius'?"),
    ('twin_bridge:\n  ros__parameters:\n    drive:\n      dead_time: soon\n',
     '--params-file {}: parameter drive.dead_time'),
    (None, "params_file: '{}' is not a file"),
])
def test_a_bad_params_file_is_one_line_before_anything_starts(
        text, message, tmp_path, capsys, monkeypatch):
    profile = tmp_path / 'my_robot.yaml'
    if text is not None:
        profile.write_text(text)
    monkeypatch.setattr(run, 'start', lambda command: pytest.fail(f'started {command}'))
    assert run.main(['--params-file', str(profile)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f'twin run: {message.format(profile)}')


def test_a_params_file_loads_after_the_shipped_one_and_the_options_win(tmp_path, monkeypatch):
    profile = tmp_path / 'my_robot.yaml'
    profile.write_text('twin_bridge:\n  ros__parameters:\n    seed: 9\n    drive:\n'
                       '      time_constant: 0.1\n')
    options = run.parser().parse_args(['--params-file', str(profile), '--seed', '4'])
    command = run.bridge_command(options)
    files = [command[i + 1] for i, arg in enumerate(command) if arg == '--params-file']
    assert files[1:] == [str(profile)]
    values = run.bridge_parameter_values(options)
    assert values['drive.time_constant'] == 0.1 and values['seed'] == 4
    monkeypatch.setattr(run.shutil, 'which', lambda name: f'/opt/ros/jazzy/bin/{name}')
    monkeypatch.setitem(sys.modules, 'launch_ros', types.ModuleType('launch_ros'))
    assert f'params_file:={profile}' in run.launch_command(options)


def test_the_status_follows_the_params_stamped_commands_and_every_robot():
    options = run.parser().parse_args(['--param', 'enable_stamped_cmd_vel:=true',
                                       '--param', 'robots:=[tb0, tb1]'])
    values = run.bridge_parameter_values(options)
    assert values['enable_stamped_cmd_vel'] is True and values['robots'] == ['tb0', 'tb1']


class FakeNode:
    """Takes subscriptions and remembers their types and topics."""

    def __init__(self):
        self.subscriptions = {}

    def create_subscription(self, kind, topic, callback, qos):
        self.subscriptions[topic] = (kind, callback)


def odometry(x: float, yaw: float, frame: str = 'odom') -> run.Odometry:
    msg = run.Odometry()
    msg.header.frame_id = frame
    msg.pose.pose.position.x = x
    msg.pose.pose.orientation.z, msg.pose.pose.orientation.w = (
        run.math.sin(yaw / 2), run.math.cos(yaw / 2))
    return msg


def test_the_status_line_shows_every_robot_its_frame_and_a_wrapped_yaw():
    node = FakeNode()
    status = run.Status(node, ['tb0', 'tb1'], stamped=True)
    assert node.subscriptions['tb0/cmd_vel'][0] is run.TwistStamped
    status.on_clock(run.Clock())
    node.subscriptions['tb0/ground_truth/odom'][1](odometry(1.0, run.math.radians(188.7)))
    node.subscriptions['tb1/ground_truth/odom'][1](odometry(2.0, 0.0, 'world'))
    line = status.line()
    assert 'tb0 x  +1.000 y  +0.000 yaw -171.3 deg (odom)' in line
    assert 'tb1 x  +2.000 y  +0.000 yaw   +0.0 deg (world)' in line


class Clock:
    """A monotonic clock the test advances."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Process:

    def __init__(self, code=None):
        self.code = code

    def poll(self):
        return self.code


def ticker(monkeypatch, capsys, processes, tty=True, **options):
    clock = Clock()
    monkeypatch.setattr(run.time, 'monotonic', clock)
    monkeypatch.setattr(run.sys.stdout, 'isatty', lambda: tty)
    status = run.Status(FakeNode())
    settings = run.parser().parse_args([])
    for name, value in options.items():
        setattr(settings, name, value)
    return clock, status, run.status_ticker(status, processes, settings)


def test_a_terminals_status_line_is_redrawn_at_most_ten_times_a_second(monkeypatch, capsys):
    clock, status, tick = ticker(monkeypatch, capsys, [Process()])
    for _ in range(1000):   # a second of callbacks, a millisecond apart
        clock.now += 0.001
        status.on_clock(run.Clock())
        tick()
    assert 1 <= capsys.readouterr().out.count('\r') <= 10


def test_no_waiting_line_after_the_twin_failed_to_start(monkeypatch, capsys):
    clock, status, tick = ticker(monkeypatch, capsys, [Process(1)])
    clock.now += 1.0
    assert tick() is True   # the bridge ended: stop
    assert 'waiting' not in capsys.readouterr().out


def test_a_real_time_factor_not_reached_is_told_once(monkeypatch, capsys):
    clock, status, tick = ticker(monkeypatch, capsys, [Process()], tty=False,
                                 real_time_factor=5.0)
    for second in range(12):   # 4 simulated seconds per wall second
        status.on_clock(run.Clock(clock=Time(sec=4 * second)))
        tick()
        clock.now += 1.0
    out = capsys.readouterr().out
    assert out.count('asked for real-time factor 5, achieving 4.0') == 1


def test_the_duration_counts_from_the_twins_first_clock_not_from_a_slow_start(
        monkeypatch, capsys):
    clock, status, tick = ticker(monkeypatch, capsys, [Process()], duration=3.0)
    clock.now += 10.0   # a busy machine: the twin takes 10 s to come up
    assert tick() is False
    status.on_clock(run.Clock())
    clock.now += 2.9
    assert tick() is False
    clock.now += 0.2
    assert tick() is True
