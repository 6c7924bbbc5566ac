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
Trajectory metrics: planar pose algebra, the odometry path placed in the world, drift.

Poses are ``(x m, y m, yaw rad)``; stamped poses ``(time s, x, y, yaw)``. Pure numpy.
"""

import math

import numpy as np

Pose2D = tuple[float, float, float]


def compose(a: Pose2D, b: Pose2D) -> Pose2D:
    """Return the planar pose b expressed in a's parent frame."""
    x, y, yaw = a
    return (x + math.cos(yaw) * b[0] - math.sin(yaw) * b[1],
            y + math.sin(yaw) * b[0] + math.cos(yaw) * b[1], yaw + b[2])


def inverse(a: Pose2D) -> Pose2D:
    """Return the inverse of a planar pose."""
    x, y, yaw = a
    return (-math.cos(yaw) * x - math.sin(yaw) * y, math.sin(yaw) * x - math.cos(yaw) * y,
            -yaw)


def quaternion_yaw(q) -> float:
    """Return the yaw (rad) of a quaternion with fields x, y, z, w."""
    return yaw_of(q.x, q.y, q.z, q.w)


def yaw_of(x: float, y: float, z: float, w: float) -> float:
    """Return the yaw (rad) of the quaternion (x, y, z, w)."""
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def stamped_pose(msg) -> tuple:
    """Return an Odometry message's (stamp s, x m, y m, yaw rad): the poses these metrics take."""
    stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
    pose = msg.pose.pose
    return stamp, pose.position.x, pose.position.y, quaternion_yaw(pose.orientation)


def nearest(poses: list, stamp: float) -> tuple:
    """Return the stamped pose closest in time to ``stamp`` (s)."""
    return min(poses, key=lambda p: abs(p[0] - stamp))


def odometry_in_world(truth: list, odometry: list) -> list:
    """Place the odometry path in the world: odom's origin is where truth and odom first meet."""
    first = odometry[0]
    world_from_odom = compose(nearest(truth, first[0])[1:], inverse(first[1:]))
    return [(p[0], *compose(world_from_odom, p[1:])) for p in odometry]


def path_length(poses: list) -> float:
    """Return the length of a stamped path, m."""
    points = np.array([p[1:3] for p in poses])
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


def final_drift(truth: list, odometry: list) -> float:
    """Return how far the odometry (placed in the world) ends from the truth at its time, m."""
    placed = odometry_in_world(truth, odometry)
    return math.dist(placed[-1][1:3], nearest(truth, placed[-1][0])[1:3])
