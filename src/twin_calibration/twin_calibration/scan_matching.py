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
Scan matching against the static surroundings: the robot's displacement between two scans.

Point-to-line ICP: each point of the newer scan is drawn to the line through its nearest
neighbour in the older one (``scipy.spatial.cKDTree``; the line's normal from the
neighbourhood), and the planar pose that minimises those distances is found by
``scipy.optimize.least_squares`` with a robust loss (points seen in only one scan).
Scans are first de-skewed: a spinning LIDAR measures its beams over a whole sweep, during
which the robot moves, so each beam is placed where the sensor was when it measured it. A
sweep's motion has to be right to a millimetre, or the bent scan moves the match by more:
the turn is the gyro's (the odometry's turn is only as good as the separation it assumes,
the very thing being calibrated), and the travel is the odometry's plus the *slip*: the
motion the wheels did not measure (a body that spins about a point off its axle centre,
wheels that skid), as a constant velocity over the match interval. The slip comes from a
first round of matches; a second round, de-skewed with it, gives the matches returned.

Two ways to string matches into a trajectory: a chain (each scan against the one before;
the fit's increments) and keyframes (each scan against a keyframe kept while it overlaps;
the validation's trajectory, whose error does not add up along it as a chain's does).
"""

from dataclasses import dataclass
import math

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial import cKDTree

from twin_calibration.data import gyro_heading, Recording
from twin_sim.kinematics import wrap_angle

NEIGHBOURS = 9           # points whose spread gives a line's normal
MAX_MATCH = 0.2          # m: farther correspondences pull no harder than this
ROBUST_SCALE = 0.03      # m: residuals beyond it count as outliers (soft L1)
MIN_POINTS = 40          # a scan with fewer returns is not matched
KEY_OVERLAP = 0.8        # a scan whose points find its keyframe fewer times starts a new one


def compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the planar pose a * b (x, y, yaw), for arrays of poses too."""
    c, s = np.cos(a[..., 2]), np.sin(a[..., 2])
    return np.stack([a[..., 0] + c * b[..., 0] - s * b[..., 1],
                     a[..., 1] + s * b[..., 0] + c * b[..., 1], a[..., 2] + b[..., 2]], -1)


def inverse(a: np.ndarray) -> np.ndarray:
    """Return the inverse of a planar pose (x, y, yaw)."""
    c, s = np.cos(a[..., 2]), np.sin(a[..., 2])
    return np.stack([-c * a[..., 0] - s * a[..., 1], s * a[..., 0] - c * a[..., 1],
                     -a[..., 2]], -1)


def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the pose of b seen from a, a^-1 * b, with its yaw wrapped."""
    result = compose(inverse(a), b)
    result[..., 2] = wrap_angle(result[..., 2])
    return result


def poses_at(trajectory: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Return (x, y, yaw) at ``times`` of rows t, x, y, yaw, ..., interpolated (yaw unwrapped)."""
    yaw = np.unwrap(trajectory[:, 3])
    return np.stack([np.interp(times, trajectory[:, 0], trajectory[:, 1]),
                     np.interp(times, trajectory[:, 0], trajectory[:, 2]),
                     np.interp(times, trajectory[:, 0], yaw)], -1)


def odom_poses(recording: Recording, times: np.ndarray) -> np.ndarray:
    """Return the odometry's (x, y, yaw) at ``times``, interpolated (yaw unwrapped)."""
    return poses_at(recording.odom, times)


def deskewed_points(recording: Recording, index: int, slips: np.ndarray) -> np.ndarray:
    """
    Return scan ``index``'s returns in the base frame at its stamp, de-skewed.

    :param slips: the slip table (:func:`slip_table`); empty: no slip
    """
    scans = recording.scans
    ranges = scans.ranges[index]
    valid = np.isfinite(ranges) & (ranges > scans.range_min) & (ranges < scans.range_max)
    r, angles = ranges[valid], scans.angles[valid]
    local = np.stack([r * np.cos(angles), r * np.sin(angles), np.zeros_like(r)], -1)
    mount = np.asarray(recording.scan_mount)
    in_base = compose(np.broadcast_to(mount, local.shape), local)
    if scans.time_increment > 0.0:
        stamp = scans.time[index]
        beam_times = stamp + scans.time_increment * np.flatnonzero(valid)
        middle = stamp + scans.time_increment * len(ranges) / 2.0
        motion = sweep_motion(recording, stamp, beam_times, slip_at(slips, middle))
        in_base = compose(motion, in_base)
    return in_base[:, :2]


def sweep_motion(recording: Recording, stamp: float, times: np.ndarray,
                 slip: np.ndarray) -> np.ndarray:
    """Return the base's poses at ``times`` seen from its pose at ``stamp``: see module doc."""
    moved = between(odom_poses(recording, np.array([stamp]))[0], odom_poses(recording, times))
    moved[:, :2] += np.outer(times - stamp, slip)
    moved[:, 2] = gyro_heading(recording, times) - gyro_heading(recording, np.array([stamp]))
    return moved


@dataclass(frozen=True)
class Match:
    """The base's pose at scan ``second`` seen from scan ``first``, and how well it fitted."""

    first: int
    second: int
    pose: np.ndarray
    rms: float
    inliers: int


def _normals(points: np.ndarray, tree: cKDTree) -> np.ndarray:
    _, neighbours = tree.query(points, NEIGHBOURS)
    spread = points[neighbours] - points[neighbours].mean(axis=1, keepdims=True)
    _, vectors = np.linalg.eigh(np.einsum('nki,nkj->nij', spread, spread))
    return vectors[:, :, 0]     # the direction of least spread: across the surface


def match(reference: np.ndarray, moving: np.ndarray, guess: np.ndarray) -> tuple:
    """
    Return (pose, rms, inliers): the pose that lays ``moving`` onto ``reference``.

    :param reference: the older scan's points (N x 2)
    :param moving: the newer scan's points (M x 2), in its own frame
    :param guess: the starting pose (from odometry)
    """
    tree = cKDTree(reference)
    normals = _normals(reference, tree)

    def distances(pose: np.ndarray) -> np.ndarray:
        c, s = math.cos(pose[2]), math.sin(pose[2])
        placed = moving @ np.array([[c, s], [-s, c]]) + pose[:2]
        _, nearest = tree.query(placed)
        offset = np.einsum('ij,ij->i', placed - reference[nearest], normals[nearest])
        return np.clip(offset, -MAX_MATCH, MAX_MATCH)

    fit = least_squares(distances, guess, loss='soft_l1', f_scale=ROBUST_SCALE,
                        x_scale=[0.05, 0.05, 0.05], diff_step=1e-4)
    residual = fit.fun
    inliers = np.abs(residual) < 3.0 * ROBUST_SCALE
    rms = float(np.sqrt(np.mean(residual[inliers] ** 2))) if inliers.any() else math.inf
    return fit.x, rms, int(inliers.sum())


def match_chain(recording: Recording, stride: int = 2) -> list[Match]:
    """
    Match every ``stride``-th scan with the one ``stride`` before it, in two rounds.

    The first round's matches give the slip (see the module doc), with which the second
    round de-skews. Consecutive matches share their ends, so they also chain into a
    trajectory.
    """
    scans = recording.scans
    if scans is None or len(scans.time) <= stride:
        return []
    odom = odom_poses(recording, scans.time)
    guesses = {first: between(odom[first], odom[first + stride])
               for first in range(0, len(scans.time) - stride, stride)}
    first_round = _matches(recording, stride, guesses, np.zeros((0, 3)))
    guesses.update({m.first: m.pose for m in first_round})
    return _matches(recording, stride, guesses, slip_table(recording, first_round))


def slip_table(recording: Recording, matches: list[Match]) -> np.ndarray:
    """
    Return the slip over each match: rows t (the interval's middle), x and y velocity (m/s).

    The slip is the motion the odometry missed (see the module doc): the match's
    translation less the odometry's over the same interval, per second, in the base frame.
    """
    if not matches:
        return np.zeros((0, 3))
    scans = recording.scans
    first = np.array([m.first for m in matches])
    second = np.array([m.second for m in matches])
    start, end = scans.time[first], scans.time[second]
    odometry = between(odom_poses(recording, start), odom_poses(recording, end))
    missed = np.array([m.pose[:2] for m in matches]) - odometry[:, :2]
    return np.column_stack([(start + end) / 2.0, missed / (end - start)[:, None]])


def slip_at(table: np.ndarray, time: float) -> np.ndarray:
    """Return the slip velocity (x, y) at ``time``, interpolated in ``table``; 0 if empty."""
    if not len(table):
        return np.zeros(2)
    return np.array([np.interp(time, table[:, 0], table[:, 1]),
                     np.interp(time, table[:, 0], table[:, 2])])


def _matches(recording: Recording, stride: int, guesses: dict[int, np.ndarray],
             slips: np.ndarray) -> list[Match]:
    """Match scan ``first + stride`` to scan ``first`` for each ``first`` of ``guesses``."""
    points = {}

    def of(index: int) -> np.ndarray:
        if index not in points:
            points[index] = deskewed_points(recording, index, slips)
        return points[index]

    matches = []
    for first, guess in guesses.items():
        second = first + stride
        a, b = of(first), of(second)
        points.pop(first - stride, None)
        if len(a) < MIN_POINTS or len(b) < MIN_POINTS:
            continue
        pose, rms, inliers = match(a, b, guess)
        if inliers >= MIN_POINTS:
            matches.append(Match(first, second, pose, rms, inliers))
    return matches


def keyframe_poses(recording: Recording, indices: np.ndarray, slips: np.ndarray) -> np.ndarray:
    """
    Return the base's pose at each scan of ``indices`` in the first one's frame (x, y, yaw).

    Each scan is matched against a keyframe, starting from where the odometry (its turn the
    gyro's) moved the scan before it. When fewer than ``KEY_OVERLAP`` of the scan's points
    find the keyframe, the scan before it becomes the keyframe; a scan that matches neither
    is placed by odometry and gyro, and becomes the keyframe.

    :param slips: the slip table (:func:`slip_table`) for de-skewing
    """
    times = recording.scans.time[indices]
    steps = between(odom_poses(recording, times[:-1]), odom_poses(recording, times[1:]))
    steps[:, 2] = np.diff(gyro_heading(recording, times))
    poses = np.zeros((len(indices), 3))
    key, key_points = 0, deskewed_points(recording, indices[0], slips)
    for n in range(1, len(indices)):
        predicted = compose(poses[n - 1], steps[n - 1])
        points = deskewed_points(recording, indices[n], slips)
        found = _placed(key_points, points, poses[key], predicted)
        if found is None and key != n - 1:
            key, key_points = n - 1, deskewed_points(recording, indices[n - 1], slips)
            found = _placed(key_points, points, poses[key], predicted)
        if found is None:
            key, key_points = n, points
        poses[n] = predicted if found is None else found
    return poses


def _placed(key_points: np.ndarray, points: np.ndarray, key_pose: np.ndarray,
            predicted: np.ndarray) -> np.ndarray | None:
    """Return the pose at which ``points`` lie on the keyframe, or None if too few do."""
    if len(key_points) < MIN_POINTS or len(points) < MIN_POINTS:
        return None
    pose, _, inliers = match(key_points, points, between(key_pose, predicted))
    return compose(key_pose, pose) if inliers >= KEY_OVERLAP * len(points) else None
