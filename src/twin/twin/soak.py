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

``python -m twin.soak [--sim-seconds 3600] [--reset-every 60] [--world room]
[--controller wall_follower]`` runs the bridge as fast as possible, resets it every
``--reset-every`` simulated seconds, and compares the start with the end: the bridge's
memory (RSS), its PyBullet body count, and the graph's node and publisher counts.
Target: RSS growth < 5 MB, counts unchanged.
"""

import argparse
import json
from pathlib import Path
import sys
import time

from ament_index_python.packages import get_package_share_directory
from diagnostic_msgs.msg import DiagnosticArray
from rosgraph_msgs.msg import Clock
from std_srvs.srv import Trigger
from twin.bench import memory_mb
from twin_bridge.testing import diagnostics_count, Listener, NodeProcess


def snapshot(listener: Listener, bridge: NodeProcess, diagnostics: list) -> dict:
    """Return what must stay flat: memory, bodies, nodes, publishers."""
    graph = listener.node
    topics = [name for name, _ in graph.get_topic_names_and_types()]
    return {'rss_mb': memory_mb(bridge.process.pid, 'VmRSS'),
            'physics_bodies': diagnostics_count(diagnostics, 'physics_bodies'),
            'nodes': len(graph.get_node_names()),
            'publishers': sum(graph.count_publishers(topic) for topic in topics)}


def soak(sim_seconds: float, reset_every: float, world: str, controller: str,
         work_dir: Path) -> dict:
    """Run the soak; return the start and end snapshots and the resets done."""
    share = Path(get_package_share_directory('twin'))
    bridge = NodeProcess('twin_bridge.bridge_node', {
        'robot_description_file': str(share / 'urdf' / 'twin_burger.urdf.xacro'),
        'world_file': str(share / 'worlds' / f'{world}.yaml'), 'real_time_factor': 0.0,
        'diagnostics_period': 0.5}, work_dir, 'soak_bridge')
    driver = NodeProcess(f'twin_examples.{controller}', {'use_sim_time': True}, work_dir,
                         'soak_controller')
    listener = Listener('soak_monitor')
    try:
        clocks = listener.record(Clock, '/clock', 10)
        diagnostics = listener.record(DiagnosticArray, '/diagnostics')

        def sim_now() -> float:
            return clocks[-1].clock.sec + clocks[-1].clock.nanosec * 1e-9 if clocks else 0.0
        listener.spin_until(lambda: sim_now() > 1.0 and diagnostics, 60.0, 'the twin')
        resets, next_reset, start = 0, reset_every, None
        while sim_now() < sim_seconds:
            listener.spin_until(lambda: sim_now() >= next_reset or sim_now() >= sim_seconds,
                                600.0, f'simulated time {next_reset:.0f} s')
            if sim_now() >= next_reset:
                assert listener.call(Trigger, 'sim/reset', Trigger.Request()).success
                resets += 1
                next_reset += reset_every
                if start is None:   # measured after the first reset: everything warmed up
                    start = snapshot(listener, bridge, diagnostics)
        end = snapshot(listener, bridge, diagnostics)
        return {'sim_seconds': sim_now(), 'resets': resets, 'start': start, 'end': end}
    finally:
        driver.stop()
        bridge.stop()
        listener.close()


def main(args=None) -> int:
    """Run the soak and print start, end and growth."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sim-seconds', type=float, default=3600.0)
    parser.add_argument('--reset-every', type=float, default=60.0)
    parser.add_argument('--world', default='room')
    parser.add_argument('--controller', default='wall_follower')
    parser.add_argument('--json', type=Path, default=Path('artifacts/soak.json'))
    options = parser.parse_args(args)
    started = time.monotonic()
    work_dir = options.json.parent
    work_dir.mkdir(parents=True, exist_ok=True)
    result = soak(options.sim_seconds, options.reset_every, options.world, options.controller,
                  work_dir)
    result['wall_seconds'] = time.monotonic() - started
    result['rss_growth_mb'] = result['end']['rss_mb'] - result['start']['rss_mb']
    options.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    unchanged = all(result['start'][k] == result['end'][k]
                    for k in ('physics_bodies', 'nodes', 'publishers'))
    ok = result['rss_growth_mb'] < 5.0 and unchanged
    print(f'soak: {result["sim_seconds"]:.0f} s simulated, {result["resets"]} resets, '
          f'{result["wall_seconds"]:.0f} s wall; RSS {result["rss_growth_mb"]:+.1f} MB; counts '
          f'{"unchanged" if unchanged else "CHANGED"}: {"target met" if ok else "target missed"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
