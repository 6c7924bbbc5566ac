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
from twin.arguments import (arguments, bridge_parameters, bridge_parameters_file,
                            BringupError, CONTROLLERS, display_problem, view_parameters)
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_tools.recorder import Recorder
import yaml

NS_PER_S = 1_000_000_000
# The bringup arguments `twin run` offers as options, in the order --help lists them.
RUN_ARGUMENTS = ('world', 'robot', 'real_time_factor', 'seed', 'gui', 'x', 'y', 'yaw', 'view')
METAVARS = {'world': 'NAME|FILE', 'robot': 'FILE', 'seed': 'N'}   # the rest are numbers: X
EXAMPLE = ('examples:\n  twin run --world room --controller wall_follower --duration 30 '
           '--record\n  twin run --param "robots:=[tb0, tb1]"')


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
                        help='stop after this many wall seconds; 0: run until Ctrl-C')
    result.add_argument('--param', action='append', default=[], metavar='NAME:=VALUE',
                        help='any other bridge parameter (src/twin_bridge/README.md), e.g. '
                             'wheels.left_joint:=left_wheel; repeatable')
    result.add_argument('--controller', choices=CONTROLLERS,
                        help='also run this example controller (twin_examples) on sim time')
    result.add_argument('--record', nargs='?', const='artifacts', metavar='DIR',
                        help='record the contract topics to DIR/run-<time>/twin.mcap and '
                             'write report.png and report.txt there (DIR without a value: '
                             'artifacts)')
    return result


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter,
                    argparse.RawDescriptionHelpFormatter):
    """Show every option's default and keep the examples' lines as written."""


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
    return [str(executable), '--ros-args', '--params-file', bridge_parameters_file(),
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
    return ['ros2', 'launch', 'twin', 'sim.launch.py',
            *[f'{name}:={value}' for name, value in launch_values(options).items()],
            *controller]


def stamped_commands(parameters: list[str]) -> bool:
    """Return whether cmd_vel is TwistStamped: the last ``enable_stamped_cmd_vel:=`` given."""
    argument = arguments()['enable_stamped_cmd_vel']
    text = argument.default_text()
    for parameter in parameters:
        name, _, value = parameter.partition(':=')
        if name.strip() == argument.name:
            text = value
    return argument.parse(text)


def first_robot(parameters: list[str]) -> str:
    """Return the first name of a ``robots:=[...]`` bridge parameter, or '' for none."""
    for parameter in parameters:
        name, _, value = parameter.partition(':=')
        if name.strip() == 'robots':
            names = yaml.safe_load(value) or []
            return str(names[0]) if names else ''
    return ''


class Status:
    """Follow /clock, odom and cmd_vel; render one status line."""

    def __init__(self, node, robot: str = '', stamped: bool = True):
        """
        Subscribe to what the status line shows.

        :param robot: the robot to show, among several (its namespace); '' for a lone robot
        :param stamped: cmd_vel is TwistStamped (else Twist), as the bridge expects
        """
        self.robot = robot
        namespace = f'{robot}/' if robot else ''
        self.first = self.latest = None   # (sim ns, wall s)
        self.pose = None
        self.last_command_ns = None
        reliable = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        node.create_subscription(Clock, '/clock', self.on_clock, reliable)
        # The pose a person wants to see is where the robot is in the world: ground truth.
        node.create_subscription(Odometry, namespace + 'ground_truth/odom', self.on_pose,
                                 reliable)
        node.create_subscription(TwistStamped if stamped else Twist, namespace + 'cmd_vel',
                                 self.on_command, reliable)

    def on_clock(self, msg: Clock) -> None:
        """Remember the sim time and when it arrived."""
        self.latest = (msg.clock.sec * NS_PER_S + msg.clock.nanosec, time.monotonic())
        self.first = self.first or self.latest

    def on_pose(self, msg: Odometry) -> None:
        """Remember the robot's pose in the world."""
        pose = msg.pose.pose
        self.pose = (pose.position.x, pose.position.y,
                     2.0 * math.atan2(pose.orientation.z, pose.orientation.w))

    def on_command(self, msg: Twist | TwistStamped) -> None:
        """Remember when the last command was seen (in sim time)."""
        if self.latest:
            self.last_command_ns = self.latest[0]

    def line(self) -> str:
        """Return the status line."""
        if self.latest is None:
            return 'waiting for the twin (/clock) ...'
        sim_ns, wall = self.latest
        elapsed_wall = wall - self.first[1]
        factor = (sim_ns - self.first[0]) / NS_PER_S / elapsed_wall if elapsed_wall > 0 else 0
        pose = ('x {:+7.3f} y {:+7.3f} yaw {:+6.1f} deg'.format(
            self.pose[0], self.pose[1], math.degrees(self.pose[2])) if self.pose else 'no pose')
        if self.robot:
            pose = f'{self.robot}: {pose}'
        age = (f'{(sim_ns - self.last_command_ns) / NS_PER_S:6.2f} s'
               if self.last_command_ns is not None else '  none')
        return (f'sim {sim_ns / NS_PER_S:9.2f} s | factor {factor:5.2f} | {pose} | '
                f'cmd_vel age {age}')


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


def start_recording(node, options) -> Recorder | None:
    """Start recording into a fresh run folder when --record was given."""
    if not options.record:
        return None
    folder = Path(options.record) / time.strftime('run-%Y%m%d-%H%M%S')
    recorder = Recorder(node, folder / 'twin.mcap')
    print(f'twin: recording to {recorder.path}', flush=True)
    return recorder


def finish_recording(recorder: Recorder | None, options) -> None:
    """Close the recording and write its report next to it."""
    if recorder is None:
        return
    # Imported here: the report needs matplotlib and PyBullet, which `twin run --help` and a
    # run without --record should not wait for.
    from twin_analysis.report import write_report
    values = bridge_parameters(launch_values(options), publish_robot_state=True)
    recorder.close(world_file=values['world_file'],
                   robot_file=values['robot_description_file'])
    try:
        png, txt = write_report(recorder.path)
    except ValueError as error:
        print(f'twin: no report: {error}', file=sys.stderr)
        return
    print(txt.read_text(), end='')
    print(f'twin: recording {recorder.path}\ntwin: report {png}', flush=True)


def status_ticker(status: Status, processes: list, duration: float):
    """Return a check, called between callbacks, that prints the status and says when to stop."""
    interactive = sys.stdout.isatty()
    started = last_print = time.monotonic()

    def tick() -> bool:
        nonlocal last_print
        now = time.monotonic()
        if interactive:
            print(f'\r{status.line()}\033[K', end='', flush=True)
        elif now - last_print >= 2.0:   # a log, not a terminal: a line every 2 s
            print(status.line(), flush=True)
            last_print = now
        ended = any(p.poll() is not None for p in processes)
        return ended or bool(duration and now - started >= duration)
    return tick


def watch(processes: list, options) -> None:
    """Show the status line until Ctrl-C/SIGTERM, the duration, or a process ending."""
    init_without_signal_handlers()
    node = rclpy.create_node('twin_status')
    status = Status(node, first_robot(options.param), stamped_commands(options.param))
    recorder = start_recording(node, options)
    try:
        spin_until_signalled(node, status_ticker(status, processes, options.duration))
    except ExternalShutdownException:
        pass
    finally:
        if status.latest is not None:   # after a failed start the bridge said why; no more
            print(('\n' if sys.stdout.isatty() else '') + status.line(), flush=True)
        finish_recording(recorder, options)
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
    stamped = stamped_commands(options.param)
    launch = launch_command(options)
    if launch:
        bridge_parameters(launch_values(options), publish_robot_state=False)   # check early
        return [launch]
    commands = [bridge_command(options)]
    if options.view:
        commands.append(view_command(options))
    if options.controller:
        commands.append(controller_command(options.controller, first_robot(options.param),
                                           stamped))
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
