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

The bridge runs flat out (``real_time_factor`` 0) in the arena, alone and with the view beside
it, in alternating rounds; the achieved factor is read from the bridge's own ``/diagnostics``
(no ``/clock`` subscriber, which would itself load the bridge). Prints one line per round and
the medians; exit 1 when the view costs more than ``--limit`` percent.

    python -m twin_view.benchmark --rounds 3 --seconds 20
"""

import argparse
from pathlib import Path
import statistics
import sys
import tempfile

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from twin_bridge.testing import diagnostics_value, isolate_ros_graph, Listener, ProcessGroup
from twin_sim.description import find_package_share

WARM_UP_REPORTS = 3  # diagnostics windows skipped while the world loads and caches warm


def share_file(*parts: str) -> str:
    """Return a file installed by the ``twin`` package (the robot, the arena)."""
    return str(find_package_share('twin').joinpath(*parts))


def achieved_factor(listener: Listener, work_dir: Path, with_view: bool,
                    reports: int) -> float:
    """Run the bridge (and the view) for ``reports`` diagnostics windows; return the median."""
    group = ProcessGroup(work_dir)
    world = share_file('worlds', 'arena.yaml')
    group.start('twin_bridge.bridge_node', {
        'robot_description_file': share_file('urdf', 'twin_burger.urdf.xacro'),
        'world_file': world, 'real_time_factor': 0.0, 'diagnostics_period': 1.0})
    if with_view:
        group.start('twin_view.view_node', {'host': '127.0.0.1', 'port': 0,
                                            'world_file': world})
    arrays = []
    subscription = listener.node.create_subscription(
        DiagnosticArray, '/diagnostics', arrays.append,
        QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE))
    try:
        # Measure from when both are up: starting the view costs, running it should not.
        listener.spin_until(lambda: arrays and (not with_view or 'view' in
                                                listener.node.get_node_names()),
                            60.0, 'the bridge and the view to start')
        arrays.clear()
        listener.spin_until(lambda: len(arrays) >= WARM_UP_REPORTS + reports, 60.0 + 5 * reports,
                            "the bridge's diagnostics")
    finally:
        listener.node.destroy_subscription(subscription)
        group.stop_all()
    factors = [float(diagnostics_value([array], 'real_time_factor_achieved'))
               for array in arrays[WARM_UP_REPORTS:]]
    return statistics.median(factors)


def main(args=None) -> int:
    """Run the rounds; print them, the medians and the difference."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=3, help='rounds of each (default 3)')
    parser.add_argument('--seconds', type=int, default=20,
                        help='measured seconds per run (default 20)')
    parser.add_argument('--limit', type=float, default=3.0,
                        help='largest slowdown accepted, percent (default 3)')
    options = parser.parse_args(args)
    isolate_ros_graph()
    listener = Listener('view_benchmark')
    results = {False: [], True: []}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for round_number in range(options.rounds):
                for with_view in (False, True):
                    factor = achieved_factor(listener, Path(folder), with_view,
                                             options.seconds)
                    results[with_view].append(factor)
                    print(f'round {round_number + 1}: {"with" if with_view else "without"} '
                          f'the view: achieved real-time factor {factor:.2f}', flush=True)
    finally:
        listener.close()
    alone, beside = statistics.median(results[False]), statistics.median(results[True])
    slowdown = 100.0 * (alone - beside) / alone
    print(f'median without the view {alone:.2f}, with the view (no client) {beside:.2f}: '
          f'{slowdown:+.1f} % slower (limit {options.limit:g} %)')
    return 0 if slowdown <= options.limit else 1


if __name__ == '__main__':
    sys.exit(main())
