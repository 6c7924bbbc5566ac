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
The report of a recorded run: a picture and a summary.

The picture shows the world's map, the true path (ground truth), the path odometry believed,
and the last scan; the summary gives distance, simulated time, real-time factor, odometry
drift and the smallest clearance to an obstacle. ``twin report RUN_DIR`` makes one from any
recording of the twin: the world and the robot come from the recording itself (attached to
it when it was written) unless ``--world``/``--robot`` are given, so a report from the
recording alone equals the one written at the end of the run. A report never replaces a
better one (with a map and a clearance) without ``--force``.
"""

import argparse
from contextlib import contextmanager
from dataclasses import dataclass, field
import math
from pathlib import Path
import sys
import tempfile
from typing import Iterator

from matplotlib.figure import Figure   # not pyplot: no display, no global state
import numpy as np
from twin_analysis.metrics import (compose, final_drift, nearest, odometry_in_world,
                                   path_length, Pose2D, quaternion_yaw, stamped_pose)
from twin_analysis.recording import (read_attachments, read_run_metadata, read_timed_messages,
                                     recorded_topics, ROBOT_ATTACHMENT, WORLD_ATTACHMENT)
from twin_sim.evaluation import ClearanceProbe, occupancy_map

RECORDING_NAME = 'twin.mcap'
READ_TOPICS = ('odom', 'scan', 'tf_static')   # by last name: ground_truth/odom is an odom


@dataclass
class RecordedRun:
    """What a report needs from a recording; poses are (time s, x, y, yaw)."""

    truth: list = field(default_factory=list)
    odometry: list = field(default_factory=list)
    last_scan: object = None
    scan_pose_in_base: Pose2D = (0.0, 0.0, 0.0)
    metadata: dict = field(default_factory=dict)


def _frame_chain(static: dict, base: str, target: str) -> Pose2D:
    """Walk tf_static from ``target`` up to ``base``; the planar pose of target in base."""
    pose, frame = (0.0, 0.0, 0.0), target
    while frame != base and frame in static:
        parent, offset = static[frame]
        pose, frame = compose(offset, pose), parent
    return pose if frame == base else (0.0, 0.0, 0.0)


def read_run(path: Path) -> RecordedRun:
    """Read ground truth, odometry, the last scan, tf_static and the metadata of a recording."""
    run, static, base = RecordedRun(), {}, 'base_footprint'
    # Only these are decoded (IMU, joint states and TF are most of a recording); a file
    # without a summary (an interrupted run) is read whole.
    topics = [t for t in recorded_topics(path) if t.rsplit('/', 1)[-1] in READ_TOPICS]
    for full_topic, _, msg in read_timed_messages(path, topics or None):
        topic = full_topic.rsplit('/', 1)[-1]
        if full_topic.endswith('ground_truth/odom'):
            run.truth.append(stamped_pose(msg))
            base = msg.child_frame_id
        elif topic == 'odom':
            run.odometry.append(stamped_pose(msg))
        elif topic == 'scan':
            run.last_scan = msg
        elif topic == 'tf_static':
            for t in msg.transforms:
                static[t.child_frame_id] = (t.header.frame_id, (
                    t.transform.translation.x, t.transform.translation.y,
                    quaternion_yaw(t.transform.rotation)))
    if run.last_scan is not None:
        run.scan_pose_in_base = _frame_chain(static, base, run.last_scan.header.frame_id)
    run.metadata = read_run_metadata(path)
    return run


def scan_points(run: RecordedRun) -> np.ndarray:
    """Return the last scan's returns as world (x, y) points."""
    scan = run.last_scan
    stamp = scan.header.stamp.sec + scan.header.stamp.nanosec * 1e-9
    sensor = compose(nearest(run.truth, stamp)[1:], run.scan_pose_in_base)
    ranges = np.asarray(scan.ranges, dtype=float)
    angles = scan.angle_min + scan.angle_increment * np.arange(len(ranges))
    valid = np.isfinite(ranges) & (ranges > 0)
    x = sensor[0] + ranges[valid] * np.cos(sensor[2] + angles[valid])
    y = sensor[1] + ranges[valid] * np.sin(sensor[2] + angles[valid])
    return np.column_stack((x, y))


def summarize(run: RecordedRun, world_file: str | None, robot: str | None) -> dict:
    """Return distance, time, real-time factor, odometry drift and minimum clearance."""
    sim_s = float(run.metadata.get('sim_seconds', 'nan'))
    wall_s = float(run.metadata.get('wall_seconds', 'nan'))
    summary = {
        'distance_m': path_length(run.truth),
        'sim_time_s': run.truth[-1][0] - run.truth[0][0],
        'real_time_factor': sim_s / wall_s if wall_s > 0 else float('nan'),
        'odometry_drift_m': final_drift(run.truth, run.odometry),
        'min_clearance_m': float('nan'),
    }
    if world_file and robot:
        probe = ClearanceProbe(world_file, robot)
        try:
            summary['min_clearance_m'] = probe.along(p[1:] for p in run.truth[::5])
        finally:
            probe.close()
    return summary


def summary_text(summary: dict) -> str:
    """Return the summary as lines a person reads."""
    return '\n'.join([
        f'distance travelled   {summary["distance_m"]:.2f} m (ground truth)',
        f'simulated time       {summary["sim_time_s"]:.1f} s',
        f'real-time factor     {summary["real_time_factor"]:.2f}',
        f'odometry drift       {summary["odometry_drift_m"]:.3f} m at the end',
        f'minimum clearance    {summary["min_clearance_m"]:.3f} m to any obstacle',
    ])


def render(run: RecordedRun, summary: dict, world_file: str | None, path: Path) -> None:
    """Draw the map, both paths and the last scan into a PNG."""
    figure = Figure(figsize=(8, 9), dpi=110)
    axes = figure.subplots()
    if world_file:
        grid = occupancy_map(world_file)
        axes.imshow(grid.occupied, origin='lower', extent=grid.extent, cmap='Greys',
                    vmin=0, vmax=1.6, interpolation='nearest')
    truth = np.array([p[1:3] for p in run.truth])
    odometry = np.array([p[1:3] for p in odometry_in_world(run.truth, run.odometry)])
    axes.plot(truth[:, 0], truth[:, 1], color='tab:green', linewidth=2.0,
              label='ground truth')
    axes.plot(odometry[:, 0], odometry[:, 1], color='tab:blue', linewidth=1.2,
              linestyle='--', label='odometry')
    if run.last_scan is not None:
        points = scan_points(run)
        axes.scatter(points[:, 0], points[:, 1], s=6, color='tab:red', label='last scan')
    axes.plot(*truth[0], marker='o', color='black', label='start')
    axes.plot(*truth[-1], marker='s', color='tab:green', label='end')
    axes.set_aspect('equal')
    axes.set_xlabel('x [m]')
    axes.set_ylabel('y [m]')
    axes.set_title('twin run: true path, odometry and the last scan')
    axes.legend(loc='upper right', fontsize=8)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.2)
    figure.text(0.1, 0.03, summary_text(summary), fontsize=9, family='monospace')
    figure.savefig(path)


def find_recording(path: Path) -> Path:
    """
    Return the recording a user means by ``path``.

    :param path: an MCAP file, a run folder holding ``twin.mcap``, or a folder of run
        folders (the newest run is taken)
    :raises ValueError: when there is no recording there
    """
    if path.is_file():
        return path
    if (path / RECORDING_NAME).is_file():
        return path / RECORDING_NAME
    runs = sorted(path.glob(f'run-*/{RECORDING_NAME}'))
    if runs:
        return runs[-1]
    raise ValueError(f'{path}: no recording there (expected an MCAP file, a run folder with '
                     f'{RECORDING_NAME}, or a folder of run-* folders)')


@contextmanager
def run_files(recording: Path, metadata: dict, world_file: str | None = None,
              robot: str | None = None) -> Iterator[tuple[str | None, str | None]]:
    """
    Yield the world file and the robot (a file, or URDF text) the report of a run uses.

    Given ones win; then what the recording carries. The world file named in the metadata
    is used while its text is still the recorded one (its relative mesh paths then resolve);
    otherwise the recorded text, from a temporary file.
    """
    attachments = read_attachments(recording)
    robot = robot or attachments.get(ROBOT_ATTACHMENT) or metadata.get('robot_file') or None
    recorded, named = attachments.get(WORLD_ATTACHMENT), metadata.get('world_file') or None
    named = named if named and Path(named).is_file() else None
    if world_file or recorded is None or (named and Path(named).read_text() == recorded):
        yield world_file or named, robot
        return
    with tempfile.TemporaryDirectory(prefix='twin-report-') as folder:
        path = Path(folder, WORLD_ATTACHMENT)
        path.write_text(recorded)
        yield str(path), robot


def has_clearance(report_text: str) -> bool:
    """Tell whether a report's summary has a minimum clearance (its run had a world)."""
    for line in report_text.splitlines():
        if line.startswith('minimum clearance'):
            return not math.isnan(float(line.split()[2]))
    return False


def keep_a_better_report(txt: Path, world_file: str | None) -> None:
    """
    Refuse to replace a report that has a map and a clearance by one without a world.

    :raises ValueError: saying what to give instead
    """
    if not world_file and txt.is_file() and has_clearance(txt.read_text()):
        raise ValueError(f'{txt} has a map and a clearance; this recording names no world to '
                         'draw them from, so that report is kept (give --world FILE, or '
                         '--force to replace it anyway)')


def write_report(recording: Path, world_file: str | None = None,
                 robot: str | None = None, force: bool = False) -> tuple:
    """
    Write report.png and report.txt beside the recording; return their paths.

    :param world_file: the run's world (default: the one the recording carries)
    :param robot: the run's robot description (default: the one the recording carries)
    :param force: replace an existing report even when it had a world and this one has none
    :raises ValueError: no poses recorded, or a better report is there (and not ``force``)
    """
    run = read_run(recording)
    if len(run.truth) < 2 or not run.odometry:
        raise ValueError(f'{recording}: no ground truth or odometry recorded; was the twin '
                         'running?')
    png, txt = recording.with_name('report.png'), recording.with_name('report.txt')
    with run_files(recording, run.metadata, world_file, robot) as (world_file, robot):
        if not force:
            keep_a_better_report(txt, world_file)
        summary = summarize(run, world_file, robot)
        render(run, summary, world_file, png)
    txt.write_text(summary_text(summary) + '\n')
    return png, txt


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Make the report of a recording (``twin report``)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='example: twin report artifacts/run-20260101-120000')
    parser.add_argument('recording', type=Path, metavar='RECORDING_DIR_OR_MCAP',
                        help='a run folder (DIR/run-<time>), a folder of runs (the newest), '
                             'or an MCAP file recorded from the twin')
    # SUPPRESS: no attribute unless given, and no '(default: None)' in the help.
    parser.add_argument('--world', default=argparse.SUPPRESS,
                        help="the run's world file, for the map and the clearance (default: "
                             'the one the recording carries)')
    parser.add_argument('--robot', default=argparse.SUPPRESS,
                        help="the run's robot description, for the clearance (default: the "
                             'one the recording carries)')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing report even by one without a map')
    options = parser.parse_args(args)
    try:
        png, txt = write_report(find_recording(options.recording),
                                getattr(options, 'world', None), getattr(options, 'robot', None),
                                options.force)
    except (OSError, ValueError) as error:
        print(f'{prog or "twin report"}: {error}', file=sys.stderr)
        return 1
    print(txt.read_text(), end='')
    print(f'report: {png}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
