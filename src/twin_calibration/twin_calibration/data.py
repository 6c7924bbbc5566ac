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
A recording as arrays: what calibration reads of the robot's topics, on one time axis.

Times are seconds from the recording's first message. Sensor times are their header stamps,
the command's its log time (a Twist has no stamp). Wheel angles and speeds are *forward*
(positive when the robot drives forward), whatever the URDF's joint axes are.
"""

from dataclasses import dataclass, field
from functools import cached_property
import math
from pathlib import Path

import numpy as np
from twin_analysis.metrics import quaternion_yaw
from twin_analysis.recording import read_timed_messages, recorded_topics

NS = 1e-9


@dataclass(frozen=True)
class Topics:
    """The topic names to read (as recorded, e.g. ``/tb0/scan``; a missing '/' is added)."""

    cmd_vel: str = '/cmd_vel'
    odom: str = '/odom'
    joint_states: str = '/joint_states'
    imu: str = '/imu'
    scan: str = '/scan'
    tf_static: str = '/tf_static'
    reference: str = '/ground_truth/odom'
    left_wheel_joint: str = 'wheel_left_joint'
    right_wheel_joint: str = 'wheel_right_joint'
    base_frame: str = 'base_footprint'


@dataclass
class Scans:
    """The LIDAR's scans: ranges (one row per scan) and the beams' geometry."""

    time: np.ndarray
    ranges: np.ndarray
    angles: np.ndarray
    time_increment: float
    range_min: float
    range_max: float
    frame: str


@dataclass
class Recording:
    """Everything calibration reads of a recording, as numpy arrays (see the module doc)."""

    path: Path
    command: np.ndarray        # rows: t, linear, angular
    odom: np.ndarray           # rows: t, x, y, yaw, linear, angular
    wheels: np.ndarray         # rows: t, left angle, right angle, left speed, right speed
    imu: np.ndarray            # rows: t, gyro x y z, accel x y z
    scans: Scans | None
    reference: np.ndarray | None = None   # rows: t, x, y, yaw (a reference pose topic)
    scan_mount: tuple[float, float, float] = (0.0, 0.0, 0.0)  # x, y, yaw in the base frame
    notes: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Return the seconds the joint states span."""
        return float(self.wheels[-1, 0] - self.wheels[0, 0]) if len(self.wheels) else 0.0

    @cached_property
    def gyro_turned(self) -> np.ndarray:
        """Return the yaw the gyro's z rate integrates to at each IMU stamp (trapezoids)."""
        time, rate = self.imu[:, 0], self.imu[:, 3]
        return np.concatenate([[0.0], np.cumsum(np.diff(time) * (rate[1:] + rate[:-1]) / 2)])


def gyro_heading(recording: Recording, times: np.ndarray, bias: float = 0.0) -> np.ndarray:
    """Return the heading the gyro's yaw rate (less ``bias``) integrates to at ``times``."""
    imu_time = recording.imu[:, 0]
    return np.interp(times, imu_time, recording.gyro_turned - bias * (imu_time - imu_time[0]))


def _stamp(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


def _full(topic: str) -> str:
    return topic if topic.startswith('/') else '/' + topic


def load(path: Path, topics: Topics = Topics()) -> Recording:
    """
    Read a recording's command, odometry, joint states, IMU, scans and static transforms.

    :raises ValueError: a topic calibration needs is missing, or a wheel joint is unknown
    """
    names = {key: _full(getattr(topics, key)) for key in
             ('cmd_vel', 'odom', 'joint_states', 'imu', 'scan', 'tf_static', 'reference')}
    available = recorded_topics(path)
    missing = [f'{names[key]}' for key in ('cmd_vel', 'joint_states', 'imu', 'odom')
               if names[key] not in available]
    if missing:
        raise ValueError(f'{path}: no {", ".join(missing)} in the recording (it has '
                         f'{", ".join(sorted(available)) or "no topics"}); give the topic '
                         'names with --topic NAME:=TOPIC')
    rows = {key: [] for key in names}
    scan_info, statics = None, []
    for topic, log_ns, msg in read_timed_messages(path, [n for n in names.values()
                                                         if n in available]):
        key = next(k for k, n in names.items() if n == topic)
        if key == 'cmd_vel':
            twist, ns = (msg.twist, _stamp(msg)) if hasattr(msg, 'twist') else (msg, log_ns)
            rows[key].append((ns, twist.linear.x, twist.angular.z))
        elif key in ('odom', 'reference'):
            pose, twist = msg.pose.pose, msg.twist.twist
            rows[key].append((_stamp(msg), pose.position.x, pose.position.y,
                              quaternion_yaw(pose.orientation), twist.linear.x, twist.angular.z))
        elif key == 'joint_states':
            rows[key].append(_wheel_row(msg, topics))
        elif key == 'imu':
            w, a = msg.angular_velocity, msg.linear_acceleration
            rows[key].append((_stamp(msg), w.x, w.y, w.z, a.x, a.y, a.z))
        elif key == 'scan':
            scan_info = scan_info or msg
            rows[key].append((_stamp(msg), np.asarray(msg.ranges, dtype=float)))
        else:
            statics += list(msg.transforms)
    start = min(r[0][0] for r in rows.values() if r)
    seconds = {key: _seconds(value, start) for key, value in rows.items()
               if key not in ('scan', 'tf_static')}
    if len(seconds['joint_states']) < 10 or len(seconds['imu']) < 10:
        raise ValueError(f'{path}: too few joint states or IMU samples to calibrate from')
    recording = Recording(path, seconds['cmd_vel'], seconds['odom'],
                          _forward(seconds['joint_states'], seconds['odom']),
                          seconds['imu'], _scans(rows['scan'], scan_info, start),
                          seconds['reference'][:, :4] if len(seconds['reference']) else None)
    if recording.scans is not None:
        mount = _mount(statics, topics.base_frame, recording.scans.frame)
        if mount is None:
            recording.notes.append(f'no static transform from {topics.base_frame} to '
                                   f'{recording.scans.frame}: the LIDAR is taken to be at '
                                   'the base frame')
        else:
            recording.scan_mount = mount
    return recording


def _wheel_row(msg, topics: Topics) -> tuple:
    try:
        left = list(msg.name).index(topics.left_wheel_joint)
        right = list(msg.name).index(topics.right_wheel_joint)
    except ValueError:
        raise ValueError(f'joint_states names {list(msg.name)}, not the wheel joints '
                         f'{topics.left_wheel_joint!r} and {topics.right_wheel_joint!r}; '
                         'give them with --left-joint and --right-joint') from None
    velocity = list(msg.velocity) or [math.nan] * len(msg.name)
    return (_stamp(msg), msg.position[left], msg.position[right],
            velocity[left], velocity[right])


def _seconds(rows: list, start: int) -> np.ndarray:
    if not rows:
        return np.zeros((0, 6))
    table = np.array(rows, dtype=float)
    table[:, 0] = (np.array([r[0] for r in rows], dtype=np.int64) - start) * NS
    return table[np.argsort(table[:, 0], kind='stable')]


def _forward(wheels: np.ndarray, odom: np.ndarray) -> np.ndarray:
    """Flip a wheel whose joint turns backwards when the odometry says forward (URDF axes)."""
    linear = np.interp(wheels[:, 0], odom[:, 0], odom[:, 4])
    speeds = np.gradient(wheels[:, 1:3], wheels[:, 0], axis=0)
    signs = np.where(speeds.T @ linear < 0.0, -1.0, 1.0)
    result = wheels.copy()
    result[:, 1:3] = np.unwrap(result[:, 1:3], axis=0) * signs
    result[:, 3:5] *= signs
    if np.isnan(result[:, 3:5]).any():   # no velocities recorded: differentiate the angles
        result[:, 3:5] = speeds * signs
    return result


def _scans(rows: list, first, start: int) -> Scans | None:
    if not rows:
        return None
    angles = first.angle_min + first.angle_increment * np.arange(len(first.ranges))
    return Scans(np.array([(r[0] - start) * NS for r in rows]), np.vstack([r[1] for r in rows]),
                 angles, float(first.time_increment), float(first.range_min),
                 float(first.range_max), first.header.frame_id)


def _mount(transforms: list, base: str, frame: str) -> tuple[float, float, float] | None:
    """Return the planar pose of ``frame`` in ``base`` from a chain of static transforms."""
    parents = {t.child_frame_id: t for t in transforms}
    x = y = yaw = 0.0
    while frame != base:
        if frame not in parents:
            return None
        t = parents[frame]
        tx, ty = t.transform.translation.x, t.transform.translation.y
        r = quaternion_yaw(t.transform.rotation)
        x, y, yaw = (tx + math.cos(r) * x - math.sin(r) * y,
                     ty + math.sin(r) * x + math.cos(r) * y, yaw + r)
        frame = t.header.frame_id
    return x, y, yaw
