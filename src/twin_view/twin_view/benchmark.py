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
client connected), in alternating rounds. Read from the bridge's own ``/diagnostics`` (no
``/clock`` subscriber, which would itself load the bridge), per run:

* the achieved real-time factor (simulated over wall seconds): what a user sees, but on a
  shared machine it moves with every other process;
* the factor per core: simulated seconds per CPU second of the bridge, its speed on a core of
  its own. It is what the view could change (by making the bridge publish to it) and what
  other processes cannot, so the limit applies to it;
* the view's own CPU seconds over the run.

Prints one line per run and the medians; exits 1 when the view costs more than ``--limit``
percent of the factor per core.

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


def cpu_seconds(pid: int) -> float:
    """Return a process's CPU time so far (user and system), in s."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


class Diagnostics:
    """A node that samples each bridge report: sim time, achieved factor, CPU times."""

    def __init__(self):
        self.node = rclpy.create_node('view_benchmark')
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self.processes = {}  # name -> pid, whose CPU time each report samples
        self.reports = []
        self.node.create_subscription(
            DiagnosticArray, '/diagnostics', self._on_diagnostics,
            QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE))

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        values = {item.key: item.value for status in array.status for item in status.values}
        if 'sim_time_ns' in values:
            self.reports.append({'sim_s': int(values['sim_time_ns']) / 1e9,
                                 'factor': float(values['real_time_factor_achieved']),
                                 **{name: cpu_seconds(pid)
                                    for name, pid in self.processes.items()}})

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


def measure(diagnostics: Diagnostics, robot: str, world: str, with_view: bool,
            reports: int) -> dict:
    """Run the bridge (and the view) for ``reports`` diagnostics windows; return the figures."""
    processes = {'bridge': start('twin_bridge.bridge_node', {
        'robot_description_file': robot, 'world_file': world, 'real_time_factor': 0.0})}
    if with_view:
        processes['view'] = start('twin_view.view_node', {'port': 0, 'world_file': world})
    diagnostics.processes = {name: process.pid for name, process in processes.items()}
    try:
        # Measure from when both are up: starting the view costs, running it should not.
        diagnostics.spin_until(lambda: diagnostics.reports and (
            not with_view or 'view' in diagnostics.node.get_node_names()), 60.0,
            'bridge diagnostics and view node')
        diagnostics.reports.clear()
        diagnostics.spin_until(lambda: len(diagnostics.reports) > WARM_UP_REPORTS + reports,
                               30.0 + 2 * reports, 'diagnostics')
    finally:
        for process in reversed(processes.values()):
            stop(process)
    measured = diagnostics.reports[WARM_UP_REPORTS:]  # from the first sample to the last
    first, last = measured[0], measured[-1]
    return {'factor': statistics.median(report['factor'] for report in measured[1:]),
            'per_core': (last['sim_s'] - first['sim_s']) / (last['bridge'] - first['bridge']),
            'view_cpu': last['view'] - first['view'] if with_view else 0.0}


def main(args=None) -> int:
    """Run the rounds; print them, the medians and the difference."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('robot', type=Path, help='URDF or xacro file of the robot')
    parser.add_argument('world', type=Path, help='world file')
    parser.add_argument('--rounds', type=int, default=3, help='rounds of each (default 3)')
    parser.add_argument('--reports', type=int, default=20,
                        help='diagnostics reports (about 1 s each) measured per run')
    parser.add_argument('--limit', type=float, default=3.0,
                        help='largest slowdown per core accepted, percent (default 3)')
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
                run = measure(diagnostics, str(options.robot.resolve()),
                              str(options.world.resolve()), with_view, options.reports)
                results[with_view].append(run)
                print(f'round {round_number}, {"with" if with_view else "without"} the view: '
                      f'achieved factor {run["factor"]:.2f}, factor per core '
                      f'{run["per_core"]:.2f}, view CPU {run["view_cpu"]:.2f} s', flush=True)
    except RuntimeError as error:
        print(f'view benchmark: {error}', file=sys.stderr)
        return 1
    except (KeyboardInterrupt, ExternalShutdownException):
        return 130
    finally:
        diagnostics.node.destroy_node()
        rclpy.try_shutdown()

    def median(with_view: bool, key: str) -> float:
        return statistics.median(run[key] for run in results[with_view])
    slowdown = 100.0 * (1.0 - median(True, 'per_core') / median(False, 'per_core'))
    print(f'medians: achieved factor {median(False, "factor"):.2f} without the view, '
          f'{median(True, "factor"):.2f} with it; factor per core '
          f'{median(False, "per_core"):.2f} without, {median(True, "per_core"):.2f} with: '
          f'{slowdown:+.1f} % slower (limit {options.limit:g} %)')
    return 0 if slowdown <= options.limit else 1


if __name__ == '__main__':
    sys.exit(main())
