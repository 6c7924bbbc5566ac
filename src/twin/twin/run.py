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
sim.launch.py``. Without one it starts the same nodes with the same parameter file as
processes: not a launch framework, just the bridge and whatever the launch file would add.
"""

import argparse
import math
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time

from ament_index_python.packages import get_package_prefix, get_package_share_directory
from geometry_msgs.msg import Twist, TwistStamped
from nav_msgs.msg import Odometry
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from twin.recording import Recorder
from twin.report import write_report
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
import yaml

NS_PER_S = 1_000_000_000
CONTROLLERS = ('obstacle_stop', 'wall_follower', 'go_to_goal')


def parse_args(args=None) -> argparse.Namespace:
    """Read the command line (the same choices as sim.launch.py's arguments)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--world', default='arena',
                        help='world name in share/twin/worlds (empty, arena, apartment) or a '
                             'world file path (default: arena)')
    parser.add_argument('--robot', default='',
                        help='URDF or xacro file of the robot (default: twin_burger)')
    parser.add_argument('--real-time-factor', type=float, default=1.0,
                        help='simulated seconds per wall second; 0: as fast as possible')
    parser.add_argument('--seed', type=int, default=0, help='seed of the sensor noise')
    parser.add_argument('--gui', action='store_true', help="open PyBullet's window")
    parser.add_argument('--duration', type=float, default=0.0,
                        help='stop after this many wall seconds (default: run until Ctrl-C)')
    parser.add_argument('--param', action='append', default=[], metavar='NAME:=VALUE',
                        help='any other bridge parameter, e.g. wheels.left_joint:=left_wheel')
    parser.add_argument('--controller', choices=CONTROLLERS,
                        help='also run this example controller (twin_examples) on sim time')
    parser.add_argument('--record', nargs='?', const='artifacts', metavar='DIR',
                        help='record the contract topics to DIR/run-<time>/twin.mcap and '
                             'write report.png and report.txt there (default DIR: artifacts)')
    return parser.parse_args(args)


def resolve_world(world: str, share: Path) -> str:
    """Return the world file for a name in share/twin/worlds or a path."""
    if not world:
        return ''
    candidate = share / 'worlds' / f'{world}.yaml'
    return str(candidate) if candidate.is_file() else world


def bridge_command(options: argparse.Namespace) -> list[str]:
    """Return the bridge's command line: the shipped parameter file, then the choices."""
    share = Path(get_package_share_directory('twin'))
    robot = options.robot or str(share / 'urdf' / 'twin_burger.urdf.xacro')
    executable = Path(get_package_prefix('twin_bridge'), 'lib', 'twin_bridge', 'twin_bridge')
    parameters = [f'robot_description_file:={robot}',
                  f'world_file:={resolve_world(options.world, share)}',
                  # A report draws the true path on the world's map: world coordinates.
                  *(['ground_truth_frame:=world'] if options.record else []),
                  f'real_time_factor:={float(options.real_time_factor)}',
                  f'seed:={options.seed}', f'gui:={str(options.gui).lower()}',
                  *options.param]
    return [str(executable), '--ros-args', '--params-file',
            str(share / 'config' / 'twin_bridge.yaml'),
            *[arg for parameter in parameters for arg in ('-p', parameter)]]


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
    robot = [f'robot:={options.robot}'] if options.robot else []
    return ['ros2', 'launch', 'twin', 'sim.launch.py', f'world:={options.world}',
            f'real_time_factor:={options.real_time_factor}', f'seed:={options.seed}',
            f'gui:={str(options.gui).lower()}', *robot]


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

    def __init__(self, node, robot: str = ''):
        """
        Subscribe to what the status line shows.

        :param robot: the robot to show, among several (its namespace); '' for a lone robot
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
        node.create_subscription(Twist, namespace + 'cmd_vel', self.on_command, reliable)

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


def controller_command(name: str, robot: str = '') -> list[str]:
    """Return the command line of an example controller on simulated time (of ``robot``)."""
    namespace = ['-r', f'__ns:=/{robot}'] if robot else []
    return [sys.executable, '-m', f'twin_examples.{name}', '--ros-args',
            '-p', 'use_sim_time:=true', *namespace]


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
    recorder.close()
    share = Path(get_package_share_directory('twin'))
    robot = options.robot or str(share / 'urdf' / 'twin_burger.urdf.xacro')
    try:
        png, txt = write_report(recorder.path, resolve_world(options.world, share) or None,
                                robot)
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
    status = Status(node, first_robot(options.param))
    recorder = start_recording(node, options)
    try:
        spin_until_signalled(node, status_ticker(status, processes, options.duration))
    except ExternalShutdownException:
        pass
    finally:
        print(('\n' if sys.stdout.isatty() else '') + status.line(), flush=True)
        finish_recording(recorder, options)
        node.destroy_node()
        rclpy.try_shutdown()


def stop(processes: list) -> int:
    """Stop the processes as Ctrl-C would; return the first non-zero exit code, else 0."""
    for process in reversed(processes):   # controllers first, the twin last
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=15))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait())
    return next((code for code in codes if code not in (0, -signal.SIGINT)), 0)


def main(args=None) -> int:
    """Start the twin, show its status, stop it cleanly."""
    options = parse_args(args)
    command = launch_command(options) or bridge_command(options)
    print(f'twin: {" ".join(command)}', flush=True)
    processes = [subprocess.Popen(command)]
    if options.controller:
        processes.append(subprocess.Popen(controller_command(options.controller,
                                                             first_robot(options.param))))
    try:
        watch(processes, options)
    finally:
        code = stop(processes)
    return code


if __name__ == '__main__':
    sys.exit(main())
