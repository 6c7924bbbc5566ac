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
Micro-benchmark of the core (not a test): physics steps/s and LIDAR rays/s.

``python -m twin_sim.benchmark ROBOT_URDF WORLD_FILE [--repeats N] [--json FILE]``. Every
figure is the median of ``--repeats`` runs, with min and max, headless (``make bench`` uses
the arena, worlds/arena.yaml).
"""

import argparse
from dataclasses import replace
import json
import statistics
import sys
import time

from twin_sim import LidarConfig, load_world, Pose, Twin, TwinConfig


def timed(function, repeats: int) -> dict:
    """Run ``function`` (returning a count of work done) ``repeats`` times; rates per s."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = function()
        rates.append(count / (time.perf_counter() - start))
    return {'median': statistics.median(rates), 'min': min(rates), 'max': max(rates)}


def bench_steps(twin: Twin, with_sensors: bool, steps: int = 2400) -> int:
    """Step the twin (optionally reading sensors at their rates); return the step count."""
    twin.reset()
    twin.set_command(0.1, 0.3)
    for _ in range(steps):
        if with_sensors:
            twin.step()
        else:
            twin.robot.apply(twin.config.physics.step)
            twin.world.step()
            twin.robot.after_step(twin.config.physics.step)
    return steps


def bench_rays(twin: Twin, scans: int = 20) -> int:
    """Cast ``scans`` full scans; return the number of rays cast."""
    for _ in range(scans):
        twin.lidar.scan()
    return scans * twin.config.lidar.samples


def main(args=None) -> int:
    """Run the micro-benchmark and print (and optionally save) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('robot', help='robot URDF or xacro file')
    parser.add_argument('world', help='world file (YAML)')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--json', help='also write the results to this file')
    options = parser.parse_args(args)

    world = load_world(options.world)
    config = TwinConfig(robot=options.robot, spawn=world.spawn or Pose())
    results = {}
    twin = Twin(config, world.build)
    results['physics_steps_per_s'] = timed(lambda: bench_steps(twin, False), options.repeats)
    results['twin_steps_per_s'] = timed(lambda: bench_steps(twin, True), options.repeats)
    twin.close()
    for beams in (360, 1440, 16384):
        twin = Twin(replace(config, lidar=LidarConfig(samples=beams)), world.build)
        name = f'lidar_rays_per_s_{beams}_beams'
        results[name] = timed(lambda: bench_rays(twin), options.repeats)
        twin.close()
    step = config.physics.step
    for name, rate in results.items():
        extra = f'  ({rate["median"] * step:.1f}x real time)' if 'steps' in name else ''
        print(f'{name:34s} median {rate["median"]:12,.0f}  min {rate["min"]:12,.0f}  '
              f'max {rate["max"]:12,.0f}{extra}')
    if options.json:
        with open(options.json, 'w') as file:
            json.dump(results, file, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
