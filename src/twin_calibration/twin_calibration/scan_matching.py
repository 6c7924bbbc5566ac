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
which the robot moves, so each beam is placed where the odometry says the sensor was.
"""

from dataclasses import dataclass
import math

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial import cKDTree

from twin_calibration.data import Recording

NEIGHBOURS = 9           # points whose spread gives a line's normal
MAX_MATCH = 0.2          # m: farther correspondences pull no harder than this
ROBUST_SCALE = 0.03      # m: residuals beyond it count as outliers (soft L1)
MIN_POINTS = 40          # a scan with fewer returns is not matched


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
    result[..., 2] = (result[..., 2] + np.pi) % (2.0 * np.pi) - np.pi
    return result


def odom_poses(recording: Recording, times: np.ndarray) -> np.ndarray:
    """Return the odometry's (x, y, yaw) at ``times``, interpolated (yaw unwrapped)."""
    odom = recording.odom
    yaw = np.unwrap(odom[:, 3])
    return np.stack([np.interp(times, odom[:, 0], odom[:, 1]),
                     np.interp(times, odom[:, 0], odom[:, 2]),
                     np.interp(times, odom[:, 0], yaw)], -1)


def scan_points(recording: Recording, index: int) -> np.ndarray:
    """Return scan ``index``'s returns in the base frame at its stamp, de-skewed by odometry."""
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
        moved = between(odom_poses(recording, np.array([stamp]))[0],
                        odom_poses(recording, beam_times))
        in_base = compose(moved, in_base)
    return in_base[:, :2]


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
    Match every ``stride``-th scan with the one ``stride`` before it.

    Consecutive matches share their ends, so they also chain into a trajectory.
    """
    scans = recording.scans
    if scans is None or len(scans.time) <= stride:
        return []
    points = {}

    def of(index: int) -> np.ndarray:
        if index not in points:
            points[index] = scan_points(recording, index)
        return points[index]

    odom = odom_poses(recording, scans.time)
    matches = []
    for first in range(0, len(scans.time) - stride, stride):
        second = first + stride
        a, b = of(first), of(second)
        points.pop(first - stride, None)
        if len(a) < MIN_POINTS or len(b) < MIN_POINTS:
            continue
        pose, rms, inliers = match(a, b, between(odom[first], odom[second]))
        if inliers >= MIN_POINTS:
            matches.append(Match(first, second, pose, rms, inliers))
    return matches
