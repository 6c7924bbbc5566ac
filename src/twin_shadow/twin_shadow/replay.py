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
``twin shadow --replay RECORDING.mcap --report DIR``: shadow mode on a recording.

The same pipeline as the live node (:class:`~twin_shadow.feed.RobotFeed` into a
:class:`~twin_shadow.shadow.ShadowTwin`), as fast as it can: one line per event, then
``DIR/events.csv`` and ``DIR/shadow.png`` (divergence over time, events, both paths).
"""

import argparse
import csv
from pathlib import Path
import sys
import time

from matplotlib.figure import Figure   # not pyplot: no display, no global state
import numpy as np
from twin_analysis.recording import read_run_metadata, read_timed_messages, recorded_topics
from twin_analysis.report import find_recording
from twin_shadow.detector import LEVEL_NAMES
from twin_shadow.feed import RobotFeed, TOPICS
from twin_shadow.model import shadow_model, shadow_settings
from twin_shadow.shadow import ShadowTwin

EVENT_COLUMNS = ('time_s', 'kind', 'target', 'detail')


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the verb's command line."""
    result = argparse.ArgumentParser(
        prog=prog, description='Shadow mode on a recording: where does the robot leave the '
        'model? One line per event, then DIR/events.csv and DIR/shadow.png.',
        epilog='example: twin shadow --replay artifacts/run-x/twin.mcap --report out '
        '--params-file profile.yaml')
    result.add_argument('--replay', required=True, metavar='RECORDING',
                        help='an MCAP recording (or a run folder holding twin.mcap)')
    result.add_argument('--report', required=True, metavar='DIR',
                        help='folder for events.csv and shadow.png')
    result.add_argument('--params-file', metavar='PROFILE',
                        help="the robot's profile (a bridge parameter file); its twin_shadow "
                        'section may set horizon and thresholds.NAME')
    result.add_argument('--robot', help="URDF or xacro (default: the recording's)")
    result.add_argument('--world', help="world file (default: the recording's)")
    result.add_argument('--horizon', type=float, help='re-anchor every H s (default 5)')
    result.add_argument('--namespace', default='',
                        help="the robot's namespace in the recording (default: none)")
    return result


def replay(recording: Path, shadow: ShadowTwin, namespace: str = '', echo=print) -> dict:
    """
    Feed a recording's robot topics to ``shadow``; echo each event as it starts.

    Only the robot's topics are decoded (decoding is most of a replay's cost).

    :return: the robot seconds covered, the CPU seconds this process took for them (the
        machine may be shared: its wall time measures the neighbours too), the wall seconds
        and the message count
    """
    prefix = f'/{namespace.strip("/")}/' if namespace.strip('/') else '/'
    wanted = {f'{prefix}{topic}': topic for topic in TOPICS}
    # As recorded (a leading '/' or not): the feed's name of each robot topic present.
    topics = {name: wanted[full] for name in recorded_topics(recording)
              if (full := '/' + name.lstrip('/')) in wanted}
    feed, count, first_ns = RobotFeed(shadow), 0, None
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for recorded, _, msg in read_timed_messages(recording, topics):
        topic = topics[recorded]
        count += 1
        for event in feed.offer(topic, msg):
            echo(str(event))
        first_ns = first_ns if first_ns is not None else feed.latest_ns
    span = 0.0 if first_ns is None else (feed.latest_ns - first_ns) / 1e9
    return {'robot_seconds': span, 'cpu_seconds': time.process_time() - started_cpu,
            'wall_seconds': time.perf_counter() - started_wall, 'messages': count}


def write_events(shadow: ShadowTwin, path: Path) -> None:
    """Write the events as CSV, one row each."""
    with open(path, 'w', newline='') as file:
        writer = csv.writer(file)
        writer.writerow(EVENT_COLUMNS)
        for event in shadow.events:
            writer.writerow((f'{event.time:.3f}', event.kind, event.target, event.detail))


def render(shadow: ShadowTwin, path: Path, title: str) -> None:
    """Draw divergence over time with the events, and both paths, into a PNG."""
    figure = Figure(figsize=(9, 10), dpi=100)
    top, middle, bottom = figure.subplots(3, 1, gridspec_kw={'height_ratios': [1, 1, 2]})
    rows = np.array(shadow.trace.rows) if shadow.trace.rows else np.zeros((0, 4))
    limits = shadow.settings.thresholds
    top.plot(rows[:, 0], rows[:, 1], color='tab:blue', label='position error [m]')
    top.plot(rows[:, 0], np.abs(rows[:, 2]), color='tab:orange', label='|heading error| [rad]')
    top.axhline(limits.position, color='tab:blue', linestyle=':', linewidth=0.8)
    top.axhline(limits.heading, color='tab:orange', linestyle=':', linewidth=0.8)
    top.set_ylabel('error over the horizon')
    top.set_title(title)
    middle.step(rows[:, 0], rows[:, 3], where='post', color='black')
    middle.set_yticks(range(3), LEVEL_NAMES)
    middle.set_ylabel('level')
    for axes in (top, middle):
        for event in shadow.events:
            axes.axvline(event.time, color='tab:red', linewidth=1.0)
    for event in shadow.events:
        middle.annotate(f'{event.kind} {event.target}', (event.time, 1.5), rotation=90,
                        fontsize=7, color='tab:red', va='center', ha='right')
    middle.set_xlabel('robot time [s]')
    top.legend(loc='upper left', fontsize=8)
    robot, twin = np.array(shadow.trace.robot_path), np.array(shadow.trace.twin_path)
    if len(robot):
        bottom.plot(robot[:, 1], robot[:, 2], color='tab:green', label='robot (odometry)')
        bottom.plot(twin[:, 1], twin[:, 2], color='tab:purple', linestyle='--',
                    label=f'twin (re-anchored every {shadow.settings.horizon:g} s)')
        for event in shadow.events:
            k = int(np.argmin(np.abs(robot[:, 0] - event.time)))
            bottom.plot(robot[k, 1], robot[k, 2], marker='x', color='tab:red')
    bottom.set_aspect('equal', adjustable='datalim')
    bottom.set_xlabel('x [m] (odom)')
    bottom.set_ylabel('y [m] (odom)')
    bottom.legend(loc='upper right', fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Run the verb; exit 1 with a message for a bad recording, profile or setting."""
    options = parser(prog).parse_args(args)
    try:
        recording = find_recording(Path(options.replay))
        metadata = read_run_metadata(recording)
        config, build_world = shadow_model(options.params_file,
                                           options.robot or metadata.get('robot_file'),
                                           options.world or metadata.get('world_file'))
        settings = shadow_settings(options.params_file, config.drive.limits,
                                   horizon=options.horizon)
        shadow = ShadowTwin(config, settings, build_world)
    except (OSError, ValueError) as error:
        print(f'twin shadow: {error}', file=sys.stderr)
        return 1
    numbers = replay(recording, shadow, options.namespace)
    report = Path(options.report)
    report.mkdir(parents=True, exist_ok=True)
    write_events(shadow, report / 'events.csv')
    speed = numbers['robot_seconds'] / max(numbers['cpu_seconds'], 1e-9)
    render(shadow, report / 'shadow.png', f'shadow of {recording.name}: '
           f'{len(shadow.events)} event(s), {numbers["robot_seconds"]:.1f} s robot time')
    print(f'{len(shadow.events)} event(s) in {numbers["robot_seconds"]:.1f} s of robot time, '
          f'replayed in {numbers["cpu_seconds"]:.1f} s of CPU time ({speed:.1f}x real time '
          f'on one core; {numbers["wall_seconds"]:.1f} s wall); '
          f'{report / "events.csv"}, {report / "shadow.png"}')
    return 0
