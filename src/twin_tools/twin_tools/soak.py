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
Soak run (not a test): hours of simulated time with a controller driving and periodic resets.

``twin soak [--sim-seconds 3600] [--reset-every 60] [--warm-up 300] [--world room]
[--controller wall_follower]`` runs the bridge as fast as possible, resets it every
``--reset-every`` simulated seconds, and compares the first snapshot after the warm-up with
the end: the bridge's memory (RSS), its PyBullet body count, and the graph's node and
publisher counts. It also keeps the RSS at every reset, so a leak (steady growth per reset)
can be told from a settling allocator. Target: RSS growth < 5 MB, counts unchanged.
"""

import argparse
import json
from pathlib import Path
import sys
import time

from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
from rosgraph_msgs.msg import Clock
from std_srvs.srv import Trigger
from twin.arguments import default_robot, world_file
from twin_bridge.testing import diagnostics_count, Listener, NodeProcess
from twin_tools.bench import memory_mb


def snapshot(listener: Listener, bridge: NodeProcess, diagnostics: list) -> dict:
    """Return what must stay flat: memory, bodies, nodes, publishers."""
    graph = listener.node
    topics = [name for name, _ in graph.get_topic_names_and_types()]
    return {'rss_mb': memory_mb(bridge.process.pid, 'VmRSS'),
            'physics_bodies': diagnostics_count(diagnostics, 'physics_bodies'),
            'nodes': len(graph.get_node_names()),
            'publishers': sum(graph.count_publishers(topic) for topic in topics)}


def growth_per_hour(series: list[tuple[float, float]]) -> float:
    """
    Return the RSS trend of the second half of a run, MB per simulated hour.

    A leak grows at a steady rate to the end; an allocator that settles has a flat second
    half. The first half is left out: it holds the warm-up's growth.

    :param series: (simulated s, RSS MB) at each reset
    """
    tail = series[len(series) // 2:]
    if len(tail) < 2:
        return float('nan')
    seconds, rss = np.array(tail).T
    return float(np.polyfit(seconds, rss, 1)[0] * 3600.0)


def soak(sim_seconds: float, reset_every: float, world: str, controller: str,
         work_dir: Path, warm_up: float = 0.0) -> dict:
    """
    Run the soak; return the start and end snapshots, the RSS at each reset, the resets.

    :param warm_up: simulated seconds before the start snapshot (taken at the first reset
        at or after it)
    """
    bridge = NodeProcess('twin_bridge.bridge_node', {
        'robot_description_file': default_robot(), 'world_file': world_file(world),
        'real_time_factor': 0.0, 'diagnostics_period': 0.5}, work_dir, 'soak_bridge')
    driver = NodeProcess(f'twin_examples.{controller}', {'use_sim_time': True}, work_dir,
                         'soak_controller')
    listener = Listener('soak_monitor')
    try:
        clocks = listener.record(Clock, '/clock', 10)
        diagnostics = listener.record(DiagnosticArray, '/diagnostics')

        def sim_now() -> float:
            return clocks[-1].clock.sec + clocks[-1].clock.nanosec * 1e-9 if clocks else 0.0
        listener.spin_until(lambda: sim_now() > 1.0 and diagnostics, 60.0, 'the twin')
        resets, next_reset, start, series = 0, reset_every, None, []
        while sim_now() < sim_seconds:
            listener.spin_until(lambda: sim_now() >= next_reset or sim_now() >= sim_seconds,
                                600.0, f'simulated time {next_reset:.0f} s')
            if sim_now() >= next_reset:
                assert listener.call(Trigger, 'sim/reset', Trigger.Request()).success
                resets += 1
                next_reset += reset_every
                rss = memory_mb(bridge.process.pid, 'VmRSS')
                series.append((sim_now(), rss))
                if start is None and sim_now() >= warm_up:   # everything warmed up
                    start = snapshot(listener, bridge, diagnostics)
        end = snapshot(listener, bridge, diagnostics)
        return {'sim_seconds': sim_now(), 'resets': resets, 'start': start or end,
                'end': end, 'rss_series': series}
    finally:
        driver.stop()
        bridge.stop()
        listener.close()


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Run the soak and print start, end and growth (``twin soak``)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='example: twin soak --sim-seconds 1800 --reset-every 60')
    parser.add_argument('--sim-seconds', type=float, default=3600.0,
                        help='simulated seconds to run')
    parser.add_argument('--reset-every', type=float, default=60.0,
                        help='simulated seconds between sim/reset calls')
    parser.add_argument('--warm-up', type=float, default=300.0,
                        help='simulated seconds before the first memory snapshot')
    parser.add_argument('--world', default='room', help='a shipped world or a world file')
    parser.add_argument('--controller', default='wall_follower',
                        help='the example controller that drives (twin_examples)')
    parser.add_argument('--json', type=Path, default=Path('artifacts/soak.json'),
                        help='where to write the snapshots and the RSS series')
    options = parser.parse_args(args)
    started = time.monotonic()
    work_dir = options.json.parent
    work_dir.mkdir(parents=True, exist_ok=True)
    result = soak(options.sim_seconds, options.reset_every, options.world, options.controller,
                  work_dir, options.warm_up)
    result['wall_seconds'] = time.monotonic() - started
    result['rss_growth_mb'] = result['end']['rss_mb'] - result['start']['rss_mb']
    result['rss_trend_mb_per_hour'] = growth_per_hour(result['rss_series'])
    options.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    unchanged = all(result['start'][k] == result['end'][k]
                    for k in ('physics_bodies', 'nodes', 'publishers'))
    ok = result['rss_growth_mb'] < 5.0 and unchanged
    print(f'soak: {result["sim_seconds"]:.0f} s simulated, {result["resets"]} resets, '
          f'{result["wall_seconds"]:.0f} s wall; RSS {result["rss_growth_mb"]:+.1f} MB after '
          f'the warm-up, trend {result["rss_trend_mb_per_hour"]:+.1f} MB/h in the second half;'
          f' counts {"unchanged" if unchanged else "CHANGED"}: '
          f'{"target met" if ok else "target missed"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
