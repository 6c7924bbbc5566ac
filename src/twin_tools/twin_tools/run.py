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
Bring up the twin headless and show a live status line; Ctrl-C or --duration stops it.

With a ROS 2 distribution (``ros2 launch`` available) this runs ``ros2 launch twin
sim.launch.py``. Without one, or with --param or --record, it starts the same nodes with the
same parameter file as processes: not a launch framework, just the bridge and whatever the
launch file would add. Both build from the bringup arguments (``twin.arguments``).
"""

import argparse
import difflib
import math
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time

from ament_index_python.packages import get_package_prefix
from geometry_msgs.msg import Twist, TwistStamped
from nav_msgs.msg import Odometry
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from twin.arguments import (arguments, bridge_parameter_files, bridge_parameters,
                            BringupError, CONTROLLERS, display_problem, view_parameters)
from twin_bridge.command_types import command_type, command_type_name
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_tools.graph import HelpFormatter, pybullet_banner_hidden
import yaml

NS_PER_S = 1_000_000_000
STATUS_PERIOD_S = 0.1   # a terminal's status line is redrawn at most 10 times a second
LOG_STATUS_PERIOD_S = 2.0   # a log (not a terminal) gets a status line every 2 s
WAITING_NOTICE_S = 3.0   # 'waiting for the twin' only once a start-up error had its chance
FACTOR_CHECK_S = 5.0   # wall seconds of running before the achieved factor is judged
# The bringup arguments `twin run` offers as options, in the order --help lists them.
RUN_ARGUMENTS = ('world', 'robot', 'real_time_factor', 'seed', 'gui', 'x', 'y', 'yaw', 'view')
METAVARS = {'world': 'NAME|FILE', 'robot': 'FILE', 'seed': 'N'}   # the rest are numbers: X
EXAMPLE = ('examples:\n  twin run --world room --controller wall_follower --duration 30 '
           '--record\n  twin run --param "robots:=[tb0, tb1]"\n'
           '  twin run --params-file config/my_robot.yaml   # a profile of twin calibrate')


def add_bringup_options(parser: argparse.ArgumentParser, names: tuple = RUN_ARGUMENTS) -> None:
    """Add the named bringup arguments as options, with their launch defaults and help."""
    for name in names:
        argument = arguments()[name]
        default = argument.parse(argument.default_text())
        if argument.kind is bool:
            parser.add_argument(argument.option, action='store_true', default=default,
                                help=argument.description)
        else:
            parser.add_argument(argument.option, type=argument.kind, default=default,
                                help=argument.description,
                                metavar=METAVARS.get(name, 'X'))


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the command line of ``twin run``; other options plug in with add_argument."""
    result = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0], epilog=EXAMPLE,
        formatter_class=HelpFormatter)
    add_bringup_options(result)
    result.add_argument('--duration', type=float, default=0.0,
                        help='stop once the twin has run this many wall seconds (from its '
                             'first /clock; start-up not counted); 0: run until Ctrl-C')
    result.add_argument('--param', action='append', default=[], metavar='NAME:=VALUE',
                        help='any other bridge parameter (src/twin_bridge/README.md), e.g. '
                             'wheels.left_joint:=left_wheel; repeatable')
    result.add_argument('--params-file', default='', metavar='FILE',
                        help='a bridge parameter file loaded over the defaults, e.g. the '
                             'profile twin calibrate writes; the other options win over it')
    result.add_argument('--controller', choices=CONTROLLERS,
                        help='also run this example controller (twin_examples) on sim time')
    result.add_argument('--record', nargs='?', const='artifacts', metavar='DIR',
                        help='record the contract topics to DIR/run-<time>/twin.mcap and '
                             'write report.png and report.txt there (DIR without a value: '
                             'artifacts)')
    return result


def launch_values(options: argparse.Namespace) -> dict[str, str]:
    """Return the chosen bringup arguments as launch spells them (text)."""
    values = {}
    for name in RUN_ARGUMENTS:
        value = getattr(options, name)
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def bridge_command(options: argparse.Namespace) -> list[str]:
    """
    Return the bridge's command line: the shipped parameter file, then the choices.

    The bridge runs alone here, so it publishes the robot state itself.
    """
    parameters = bridge_parameters(launch_values(options), publish_robot_state=True)
    if options.record:   # a report draws the true path on the world's map: world coordinates
        parameters['ground_truth_frame'] = 'world'
    executable = Path(get_package_prefix('twin_bridge'), 'lib', 'twin_bridge', 'twin_bridge')
    overrides = [f'{name}:={_parameter_text(value)}' for name, value in parameters.items()]
    files = [arg for path in bridge_parameter_files(options.params_file)
             for arg in ('--params-file', path)]
    return [str(executable), '--ros-args', *files,
            *[arg for parameter in [*overrides, *options.param] for arg in ('-p', parameter)]]


def _parameter_text(value) -> str:
    """Return a parameter value as ``-p name:=value`` spells it (YAML: '' and 'true' quoted)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and (not value or yaml.safe_load(value) != value):
        return f"'{value}'"
    return repr(value) if isinstance(value, float) else str(value)


def launch_command(options: argparse.Namespace) -> list[str] | None:
    """Return ``ros2 launch twin sim.launch.py ...`` where a distribution provides it."""
    if shutil.which('ros2') is None:
        return None
    try:
        import launch_ros  # noqa: F401  (only tells whether launch is installed)
    except ImportError:
        return None
    if options.param or options.record:
        return None  # bridge parameters beyond the launch arguments: start it directly
    controller = [f'controller:={options.controller}'] if options.controller else []
    params_file = ([f'params_file:={bridge_parameter_files(options.params_file)[-1]}']
                   if options.params_file else [])
    return ['ros2', 'launch', 'twin', 'sim.launch.py',
            *[f'{name}:={value}' for name, value in launch_values(options).items()],
            *params_file, *controller]


def bridge_parameter_values(options: argparse.Namespace) -> dict:
    """
    Return the bridge parameters the run sets, all checked.

    The ``--params-file``'s first, then the bringup's, then each ``--param``.

    :raises BringupError: for a parameter file or ``--param`` that is unreadable,
        malformed, unknown or of a wrong value
    """
    values = {**_file_values(options.params_file),
              **bridge_parameters(launch_values(options), publish_robot_state=True)}
    for text in options.param:
        name, value = _checked_parameter(text)
        if value is not None:
            values[name] = value
    return values


def _file_values(path: str) -> dict:
    """Return the checked values of a ``--params-file`` for the bridge; {} for none."""
    if not path:
        return {}
    bridge_parameter_files(path)   # the file must exist
    with pybullet_banner_hidden():
        from twin_bridge.parameters import given_parameters
    try:
        given = given_parameters(['--params-file', path])
    except ValueError as error:
        raise BringupError(f'--params-file: {error}') from None
    where = f'--params-file {path}'
    checked = {name: _checked_value(name, value, where, f'{where}: {name}')
               for name, value in given.items()}
    return {name: value for name, value in checked.items() if value is not None}


def _checked_value(name: str, value, where: str, named: str):
    """
    Return a bridge parameter's value checked against the bridge's table.

    None for a parameter the bridge declares for run time (``step_count``): not the run's
    configuration.

    :param where: the option, as errors name it (``--param``, ``--params-file FILE``)
    :param named: the option and parameter, as an unknown name's error names them
    :raises BringupError: for an unknown name or a wrong value
    """
    with pybullet_banner_hidden():   # the bridge, starting next, says it once
        from twin_bridge.parameters import checked_value, PARAMETERS_BY_NAME, RUNTIME_PARAMETERS
    if name in RUNTIME_PARAMETERS:
        return None
    if name not in PARAMETERS_BY_NAME:
        raise BringupError(f'{named}: the bridge has no such parameter'
                           f'{_suggestion(name, PARAMETERS_BY_NAME)} '
                           '(src/twin_bridge/README.md lists them)')
    try:
        return checked_value(PARAMETERS_BY_NAME[name], value)
    except ValueError as error:
        raise BringupError(f'{where}: {error}') from None


def _suggestion(name: str, known) -> str:
    """Return "; did you mean 'NAME'?" for the closest known name, or ''."""
    close = difflib.get_close_matches(name, known, n=1)
    return f'; did you mean {close[0]!r}?' if close else ''


def _checked_parameter(text: str) -> tuple[str, object]:
    """
    Return (name, value) of one ``--param NAME:=VALUE``, checked against the bridge's table.

    The value is None for a parameter the bridge declares for run time (``step_count``).
    """
    name, separator, value_text = text.partition(':=')
    name = name.strip()
    if not separator:
        hint = f"; did you mean '{text.replace('=', ':=', 1)}'?" if '=' in text else ''
        raise BringupError(f'--param {text!r}: expected NAME:=VALUE{hint}')
    return name, _checked_value(name, _yaml_value(value_text), '--param', f'--param {name}')


def _yaml_value(text: str):
    """Return a parameter value as rcl reads ``-p name:=TEXT``: YAML, else the text."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def first_robot(parameters: list[str]) -> str:
    """Return the first name of a ``robots:=[...]`` bridge parameter, or '' for none."""
    for parameter in parameters:
        name, _, value = parameter.partition(':=')
        if name.strip() == 'robots':
            names = yaml.safe_load(value) or []
            return str(names[0]) if names else ''
    return ''


def wrapped(angle: float) -> float:
    """Return ``angle`` in (-pi, pi], rad."""
    return math.remainder(angle, math.tau)


class Status:
    """Follow /clock, and each robot's true pose and cmd_vel; render one status line."""

    def __init__(self, node, robots: list[str] = ('',), stamped: bool = False):
        """
        Subscribe to what the status line shows.

        :param robots: the robots' names (namespaces); ``['']`` for a lone robot
        :param stamped: cmd_vel carries TwistStamped (``enable_stamped_cmd_vel``)
        """
        self.robots = list(robots) or ['']
        self.first = self.latest = None   # (sim ns, wall s)
        self.poses = {}   # robot: (frame, x, y, yaw)
        self.last_command_ns = None
        reliable = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        node.create_subscription(Clock, '/clock', self.on_clock, reliable)
        for robot in self.robots:
            namespace = f'{robot}/' if robot else ''
            # What a person wants to see is where the robot truly is: ground truth.
            node.create_subscription(Odometry, namespace + 'ground_truth/odom',
                                     lambda msg, r=robot: self.on_pose(r, msg), reliable)
            node.create_subscription(command_type(stamped), namespace + 'cmd_vel',
                                     self.on_command, reliable)

    def on_clock(self, msg: Clock) -> None:
        """Remember the sim time and when it arrived."""
        self.latest = (msg.clock.sec * NS_PER_S + msg.clock.nanosec, time.monotonic())
        self.first = self.first or self.latest

    def on_pose(self, robot: str, msg: Odometry) -> None:
        """Remember a robot's true pose, in the frame ground truth is published in."""
        pose = msg.pose.pose
        self.poses[robot] = (msg.header.frame_id, pose.position.x, pose.position.y,
                             wrapped(2.0 * math.atan2(pose.orientation.z, pose.orientation.w)))

    def on_command(self, msg: Twist | TwistStamped) -> None:
        """Remember when the last command was seen (in sim time)."""
        if self.latest:
            self.last_command_ns = self.latest[0]

    def factor(self) -> tuple[float, float]:
        """Return (achieved real-time factor, wall seconds it is measured over)."""
        sim_ns, wall = self.latest
        elapsed_wall = wall - self.first[1]
        if elapsed_wall <= 0:
            return 0.0, 0.0
        return (sim_ns - self.first[0]) / NS_PER_S / elapsed_wall, elapsed_wall

    def pose_text(self, robot: str) -> str:
        """Return one robot's pose for the line."""
        name = f'{robot} ' if robot else ''
        if robot not in self.poses:
            return f'{name}no pose'
        frame, x, y, yaw = self.poses[robot]
        return f'{name}x {x:+7.3f} y {y:+7.3f} yaw {math.degrees(yaw):+6.1f} deg ({frame})'

    def line(self) -> str:
        """Return the status line."""
        if self.latest is None:
            return 'waiting for the twin (/clock) ...'
        sim_ns = self.latest[0]
        age = (f'{(sim_ns - self.last_command_ns) / NS_PER_S:6.2f} s'
               if self.last_command_ns is not None else '  none')
        poses = ' | '.join(self.pose_text(robot) for robot in self.robots)
        return (f'sim {sim_ns / NS_PER_S:9.2f} s | factor {self.factor()[0]:5.2f} | {poses} | '
                f'cmd_vel age {age}')

    def shortfall(self, asked: float) -> str | None:
        """Return a notice when the achieved factor stays well below ``asked``, else None."""
        if not asked or self.latest is None:
            return None
        achieved, over = self.factor()
        if over < FACTOR_CHECK_S or achieved >= 0.9 * asked:
            return None
        return (f'twin: asked for real-time factor {asked:g}, achieving {achieved:.1f}: this '
                'machine steps no faster (twin bench measures it); the run stays correct, '
                'only slower')


def view_command(options: argparse.Namespace) -> list[str]:
    """Return the live view's command line (twin_view): the bridge's world, its first robot."""
    parameters = view_parameters(bridge_parameters(launch_values(options), True))
    robot = first_robot(options.param)
    namespace = ['-r', f'__ns:=/{robot}'] if robot else []
    return [sys.executable, '-m', 'twin_view.view_node', '--ros-args', *namespace,
            *[arg for name, value in parameters.items()
              for arg in ('-p', f'{name}:={_parameter_text(value)}')]]


def controller_command(name: str, robot: str = '', stamped: bool = True) -> list[str]:
    """
    Return the command line of an example controller on simulated time (of ``robot``).

    :param stamped: publish TwistStamped (else Twist), as the bridge expects
    """
    namespace = ['-r', f'__ns:=/{robot}'] if robot else []
    return [sys.executable, '-m', f'twin_examples.{name}', '--ros-args',
            '-p', 'use_sim_time:=true', '-p', f'enable_stamped_cmd_vel:={str(stamped).lower()}',
            *namespace]


def start_recording(node, options, values: dict):
    """
    Start recording into a fresh run folder when --record was given; return the Recorder.

    :param values: the bridge parameters the run sets (:func:`bridge_parameter_values`)
    """
    if not options.record:
        return None
    from twin_tools.recorder import Recorder   # MCAP libraries: only for a recording
    folder = Path(options.record) / time.strftime('run-%Y%m%d-%H%M%S')
    recorder = Recorder(node, folder / 'twin.mcap', command_type=(
        command_type_name(values['enable_stamped_cmd_vel'])))
    print(f'twin: recording to {recorder.path}', flush=True)
    return recorder


def finish_recording(recorder, values: dict) -> None:
    """
    Close the recording and write its report next to it.

    :param values: the bridge parameters the run sets (:func:`bridge_parameter_values`)
    """
    if recorder is None:
        return
    # Imported here: the report needs matplotlib and PyBullet, which `twin run --help` and a
    # run without --record should not wait for.
    from twin_analysis.report import write_report
    recorder.close(world_file=values['world_file'],
                   robot_file=values['robot_description_file'])
    try:
        png, txt = write_report(recorder.path)
    except ValueError as error:
        print(f'twin: no report: {error}', file=sys.stderr)
        return
    print(txt.read_text(), end='')
    print(f'twin: recording {recorder.path}\ntwin: report {png}', flush=True)


def status_ticker(status: Status, processes: list, options: argparse.Namespace):
    """Return a check, called between callbacks, that prints the status and says when to stop."""
    interactive = sys.stdout.isatty()
    period = STATUS_PERIOD_S if interactive else LOG_STATUS_PERIOD_S
    started = last_print = time.monotonic()
    told_shortfall = False

    def tick() -> bool:
        nonlocal last_print, told_shortfall
        now = time.monotonic()
        ended = any(p.poll() is not None for p in processes)
        waiting = status.latest is None
        if now - last_print >= period and not ended and not (
                waiting and now - started < WAITING_NOTICE_S):
            print(f'\r{status.line()}\033[K' if interactive else status.line(),
                  end='' if interactive else '\n', flush=True)
            last_print = now
        notice = None if told_shortfall else status.shortfall(options.real_time_factor)
        if notice:
            print(('\n' if interactive else '') + notice, flush=True)
            told_shortfall = True
        # The duration is of the twin running: a start slowed by a busy machine is not in it.
        running = now - status.first[1] if status.first else 0.0
        return ended or bool(options.duration and running >= options.duration)
    return tick


def watch(processes: list, options) -> None:
    """Show the status line until Ctrl-C/SIGTERM, the duration, or a process ending."""
    init_without_signal_handlers()
    node = rclpy.create_node('twin_status')
    values = bridge_parameter_values(options)
    status = Status(node, values.get('robots') or [''], values['enable_stamped_cmd_vel'])
    recorder = start_recording(node, options, values)
    try:
        spin_until_signalled(node, status_ticker(status, processes, options))
    except ExternalShutdownException:
        pass
    finally:
        if status.latest is not None:   # after a failed start the bridge said why; no more
            print(('\n' if sys.stdout.isatty() else '') + status.line(), flush=True)
        finish_recording(recorder, values)
        node.destroy_node()
        rclpy.try_shutdown()


def start(command: list[str]) -> subprocess.Popen:
    """
    Start a process in a process group of its own.

    Ctrl-C at the terminal then reaches only this command, which stops the processes with
    SIGTERM: a process still importing dies quietly instead of printing a KeyboardInterrupt.
    """
    return subprocess.Popen(command, process_group=0)


def stop(processes: list) -> int:
    """Stop the processes (SIGTERM); return the first non-zero exit code, else 0."""
    for process in reversed(processes):   # controllers first, the twin last
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=15))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait())
    stopped = (0, -signal.SIGINT, -signal.SIGTERM)
    return next((code for code in codes if code not in stopped), 0)


def checked_commands(options: argparse.Namespace) -> list[list[str]]:
    """
    Return the command lines to start, after checking every choice.

    :raises BringupError: naming the option whose value cannot be used
    """
    problem = display_problem(options.gui, os.environ)
    if problem:
        raise BringupError(problem)
    if options.record:
        _check_writable(Path(options.record))
    values = bridge_parameter_values(options)   # every --param, before anything starts
    launch = launch_command(options)
    if launch:
        bridge_parameters(launch_values(options), publish_robot_state=False)   # check early
        return [launch]
    commands = [bridge_command(options)]
    if options.view:
        commands.append(view_command(options))
    if options.controller:
        commands.append(controller_command(options.controller, first_robot(options.param),
                                           values['enable_stamped_cmd_vel']))
    return commands


def _check_writable(folder: Path) -> None:
    """Raise BringupError unless ``folder`` exists or can be made, and can be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BringupError(f'--record: cannot create {folder}: {error.strerror}') from None
    if not os.access(folder, os.W_OK):
        raise BringupError(f'--record: {folder} is not writable')


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Start the twin, show its status, stop it cleanly (``twin run``)."""
    options = parser(prog).parse_args(args)
    try:
        commands = checked_commands(options)
    except BringupError as error:
        print(f'twin run: {error}', file=sys.stderr)
        return 2
    processes = []
    try:
        for command in commands:
            print(f'twin: {" ".join(command)}', flush=True)
            processes.append(start(command))
        watch(processes, options)
    except KeyboardInterrupt:   # Ctrl-C before the status line took over the signals
        pass
    finally:
        code = stop(processes)
    return code


if __name__ == '__main__':
    sys.exit(main())
