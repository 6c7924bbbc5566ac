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
Benchmark (a command, not a test): the twin's speed with and without an unwatched view.

The bridge runs flat out (``real_time_factor`` 0), alone and with the view beside it (no
client connected), in alternating rounds; the achieved factor is read from the bridge's own
``/diagnostics`` (no ``/clock`` subscriber, which would itself load the bridge). Prints one
line per round and the medians; exits 1 when the view costs more than ``--limit`` percent.

    python -m twin_view.benchmark urdf/twin_burger.urdf.xacro worlds/arena.yaml
"""

import argparse
import os
from pathlib import Path
import signal
import statistics
import subprocess
import sys
import time

from diagnostic_msgs.msg import DiagnosticArray
import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy

WARM_UP_REPORTS = 3  # diagnostics windows skipped while the world loads and caches warm


class Diagnostics:
    """A node that collects the bridge's achieved real-time factor, one value a report."""

    def __init__(self):
        self.node = rclpy.create_node('view_benchmark')
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self.factors = []
        self.node.create_subscription(
            DiagnosticArray, '/diagnostics', self._on_diagnostics,
            QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE))

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        self.factors += [float(item.value) for status in array.status for item in status.values
                         if item.key == 'real_time_factor_achieved']

    def spin_until(self, predicate, timeout: float, what: str) -> None:
        """Spin until ``predicate()``; raise RuntimeError naming ``what`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise RuntimeError(f'no {what} within {timeout:.0f} s')
            self.executor.spin_once(timeout_sec=0.1)


def start(module: str, parameters: dict) -> subprocess.Popen:
    """Start ``python -m module`` with ``name:=value`` parameters, its output discarded."""
    arguments = [arg for name, value in parameters.items() for arg in ('-p', f'{name}:={value}')]
    return subprocess.Popen([sys.executable, '-m', module, '--ros-args', *arguments,
                             '--log-level', 'warn'], stdout=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    """Stop a node as Ctrl-C would."""
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


def achieved_factor(diagnostics: Diagnostics, robot: str, world: str, with_view: bool,
                    reports: int) -> float:
    """Run the bridge (and the view) for ``reports`` diagnostics windows; return the median."""
    processes = [start('twin_bridge.bridge_node', {
        'robot_description_file': robot, 'world_file': world, 'real_time_factor': 0.0})]
    if with_view:
        processes.append(start('twin_view.view_node', {'port': 0, 'world_file': world}))
    try:
        # Measure from when both are up: starting the view costs, running it should not.
        diagnostics.spin_until(lambda: diagnostics.factors and (
            not with_view or 'view' in diagnostics.node.get_node_names()), 60.0,
            'bridge diagnostics and view node')
        diagnostics.factors.clear()
        diagnostics.spin_until(lambda: len(diagnostics.factors) >= WARM_UP_REPORTS + reports,
                               30.0 + 2 * reports, 'diagnostics')
        return statistics.median(diagnostics.factors[WARM_UP_REPORTS:])
    finally:
        for process in reversed(processes):
            stop(process)


def main(args=None) -> int:
    """Run the rounds; print them, the medians and the difference."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('robot', type=Path, help='URDF or xacro file of the robot')
    parser.add_argument('world', type=Path, help='world file')
    parser.add_argument('--rounds', type=int, default=3, help='rounds of each (default 3)')
    parser.add_argument('--reports', type=int, default=20,
                        help='diagnostics reports (about 1 s each) measured per run')
    parser.add_argument('--limit', type=float, default=3.0,
                        help='largest slowdown accepted, percent (default 3)')
    options = parser.parse_args(args)
    for path in (options.robot, options.world):
        if not path.is_file():
            print(f'view benchmark: {path}: no such file', file=sys.stderr)
            return 1
    # Keep the benchmark's graph on this machine (set ROS_DOMAIN_ID to keep it apart too).
    os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    rclpy.init()
    diagnostics = Diagnostics()
    results = {False: [], True: []}
    try:
        for round_number in range(1, options.rounds + 1):
            for with_view in (False, True):
                factor = achieved_factor(diagnostics, str(options.robot.resolve()),
                                         str(options.world.resolve()), with_view,
                                         options.reports)
                results[with_view].append(factor)
                print(f'round {round_number}: {"with" if with_view else "without"} the view: '
                      f'achieved real-time factor {factor:.2f}', flush=True)
    except RuntimeError as error:
        print(f'view benchmark: {error}', file=sys.stderr)
        return 1
    except (KeyboardInterrupt, ExternalShutdownException):
        return 130
    finally:
        diagnostics.node.destroy_node()
        rclpy.try_shutdown()
    alone, beside = statistics.median(results[False]), statistics.median(results[True])
    slowdown = 100.0 * (alone - beside) / alone
    print(f'median without the view {alone:.2f}, with the view (no client) {beside:.2f}: '
          f'{slowdown:+.1f} % slower (limit {options.limit:g} %)')
    return 0 if slowdown <= options.limit else 1


if __name__ == '__main__':
    sys.exit(main())
