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
Validation: replay the recording's commands in the twin's core and compare with the robot.

The commands drive a twin in an empty world (open loop: nothing corrects it), once with the
nominal parameters and once with the calibrated ones. The robot's own trajectory is a
reference pose topic when the recording has one, otherwise its scan-matched trajectory.
The error over a horizon h is the difference between the motion the twin and the robot made
from t to t + h (relative poses, so the twin starts each window where the robot was),
averaged over windows starting every second.
"""

from dataclasses import dataclass, field

import numpy as np

from twin_calibration.data import Recording
from twin_calibration.drive import commanded_twist
from twin_calibration.scan_matching import between, compose, inverse, keyframe_poses, Match, \
    poses_at, slip_table
from twin_sim import DriveConfig, ImuConfig, LidarConfig, OdometryConfig, PhysicalConfig, \
    Twin, TwinConfig
from twin_sim.kinematics import wrap_angle

HORIZONS = (5.0, 10.0)        # s; the whole run is added
SAMPLE_STEPS = 12             # physics steps between replay poses (20 Hz)
WINDOW_SPACING = 1.0          # s between window starts
REFERENCE_PERIOD = 1.0        # s between the scans placed for the reference trajectory
# Sensors the replay does not need, at their cheapest (the trajectory is ground truth).
QUIET_SENSORS = {'lidar': LidarConfig(samples=1, rate=0.1),
                 'imu': ImuConfig(rate=0.1), 'odometry': OdometryConfig(rate=0.1)}


@dataclass
class HorizonError:
    """Open-loop errors over one horizon: means over its windows."""

    horizon: float                 # s (the whole run: its length)
    windows: int
    position: float                # m
    heading: float                 # rad
    per_metre: float               # m of position error per m travelled
    starts: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    errors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def reference_trajectory(recording: Recording, matches: list[Match],
                         period: float = REFERENCE_PERIOD) -> tuple[np.ndarray, str]:
    """
    Return the robot's trajectory (rows t, x, y, yaw) and where it comes from.

    A reference pose topic wins; otherwise a scan every ``period`` seconds is placed by
    matching it against keyframes (:func:`keyframe_poses`), de-skewed with the slip that
    ``matches`` (the fit's chain) found.
    """
    if recording.reference is not None and len(recording.reference) > 1:
        return recording.reference.copy(), 'the reference pose topic'
    scans = recording.scans
    if not matches:
        raise ValueError('no reference pose topic and no scan matches: nothing to validate '
                         'against')
    stride = max(1, round(period / float(np.median(np.diff(scans.time)))))
    indices = np.arange(0, len(scans.time), stride)
    poses = keyframe_poses(recording, indices, slip_table(recording, matches))
    return np.column_stack([scans.time[indices], poses]), (
        'the scan-matched trajectory (scans matched against keyframes)')


def replay(recording: Recording, robot: str, drive: DriveConfig,
           physical: PhysicalConfig) -> np.ndarray:
    """Drive a core twin with the recorded commands; return rows t, x, y, yaw of its body."""
    twin = Twin(TwinConfig(robot=robot, drive=drive, physical=physical, **QUIET_SENSORS))
    try:
        step = twin.config.physics.step
        start = recording.wheels[0, 0]
        times = start + step * np.arange(int((recording.wheels[-1, 0] - start) / step))
        rows = []
        for index, (linear, angular) in enumerate(commanded_twist(recording, times)):
            twin.set_command(float(linear), float(angular))
            twin.step()
            if index % SAMPLE_STEPS == 0:
                truth = twin.ground_truth(from_start=True)
                rows.append((times[index] + step, truth.position[0], truth.position[1],
                             truth.yaw))
        return np.array(rows)
    finally:
        twin.close()


def horizon_errors(reference: np.ndarray, twin: np.ndarray) -> list[HorizonError]:
    """
    Return the open-loop errors of ``twin`` against ``reference`` for each horizon.

    Windows start and end at the reference's own samples (the nearest to every
    ``WINDOW_SPACING`` and a horizon later): between samples it is not known, only guessed.
    """
    first, last = max(reference[0, 0], twin[0, 0]), min(reference[-1, 0], twin[-1, 0])
    path = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(reference[:, 1:3], axis=0).T))])
    samples = reference[(reference[:, 0] >= first) & (reference[:, 0] <= last), 0]
    results = []
    for horizon in (*HORIZONS, last - first):
        starts = np.unique(_nearest(samples, np.arange(first, last - horizon + 1e-9,
                                                       WINDOW_SPACING)))
        ends = _nearest(samples, starts + horizon)
        starts, ends = starts[ends > starts], ends[ends > starts]
        if not len(starts):
            continue
        moved_ref = between(poses_at(reference, starts), poses_at(reference, ends))
        moved_twin = between(poses_at(twin, starts), poses_at(twin, ends))
        errors = np.hypot(*(moved_ref[:, :2] - moved_twin[:, :2]).T)
        heading = np.abs(wrap_angle(moved_ref[:, 2] - moved_twin[:, 2]))
        travelled = np.interp(ends, reference[:, 0], path) - \
            np.interp(starts, reference[:, 0], path)
        results.append(HorizonError(float(horizon), len(starts), float(errors.mean()),
                                    float(heading.mean()),
                                    float(errors.sum() / max(travelled.sum(), 1e-9)),
                                    starts, errors))
    return results


def _nearest(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Return the sample time nearest each of ``times`` (``samples`` ascending)."""
    after = np.searchsorted(samples, times).clip(1, len(samples) - 1)
    nearer_before = times - samples[after - 1] < samples[after] - times
    return samples[np.where(nearer_before, after - 1, after)]


def aligned(reference: np.ndarray, twin: np.ndarray) -> np.ndarray:
    """Return the twin's trajectory moved so that it starts at the reference's first pose."""
    start = reference[0, 0]
    offset = compose(reference[0, 1:4], inverse(poses_at(twin, np.array([start]))[0]))
    return np.column_stack([twin[:, 0], compose(np.broadcast_to(offset, (len(twin), 3)),
                                                twin[:, 1:4])])
