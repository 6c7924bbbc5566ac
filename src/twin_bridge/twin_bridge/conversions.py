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

"""Core values -> ROS messages, in one place. Stamps are simulated time."""

import array
import math

from builtin_interfaces.msg import Time
from geometry_msgs.msg import Quaternion, TransformStamped
from nav_msgs.msg import Odometry
import numpy as np
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, JointState, LaserScan
from twin_sim import BodyState, ImuSample, LidarConfig, OdometryEstimate

NS_PER_S = 1_000_000_000
UNKNOWN = -1.0  # REP-145: covariance[0] = -1 means the quantity is not provided


def stamp(time_ns: int) -> Time:
    """Return a message stamp for simulated time in nanoseconds."""
    seconds, nanoseconds = divmod(time_ns, NS_PER_S)
    return Time(sec=seconds, nanosec=nanoseconds)


def clock(time_ns: int) -> Clock:
    """Return the /clock message for ``time_ns``."""
    return Clock(clock=stamp(time_ns))


def header(msg, frame_id: str, time_ns: int):
    """Stamp ``msg`` with simulated time and a frame id; return it."""
    msg.header.stamp = stamp(time_ns)
    msg.header.frame_id = frame_id
    return msg


def yaw_quaternion(yaw: float) -> Quaternion:
    """Return the quaternion of a rotation about z."""
    return Quaternion(z=math.sin(yaw / 2.0), w=math.cos(yaw / 2.0))


def diagonal(values) -> np.ndarray:
    """Return a row-major covariance with ``values`` on the diagonal."""
    return np.diag(np.asarray(values, dtype=float)).ravel()


class ScanConverter:
    """Build LaserScan messages; the constant fields are filled once."""

    def __init__(self, config: LidarConfig, frame_id: str):
        """Prepare the constant part of every scan from the LIDAR settings."""
        self.template = LaserScan()
        self.template.header.frame_id = frame_id
        self.template.angle_min = config.angle_min
        self.template.angle_max = config.angle_max
        self.template.angle_increment = config.angle_increment
        self.template.scan_time = 1.0 / config.rate
        # A simulated scan is instantaneous: every beam is measured at the stamp.
        self.template.time_increment = 0.0
        self.template.range_min = config.range_min
        self.template.range_max = config.range_max

    def convert(self, ranges: np.ndarray, time_ns: int) -> LaserScan:
        """Return the scan message for ``ranges`` measured at ``time_ns``."""
        msg = LaserScan()
        for field in ('header', 'angle_min', 'angle_max', 'angle_increment', 'scan_time',
                      'time_increment', 'range_min', 'range_max'):
            setattr(msg, field, getattr(self.template, field))
        msg.header.stamp = stamp(time_ns)
        msg.ranges = array.array('f', ranges.astype(np.float32).tobytes())
        return msg


def imu(sample: ImuSample, frame_id: str, time_ns: int) -> Imu:
    """Return the Imu message for a sample (REP-145 axes and signs)."""
    msg = header(Imu(), frame_id, time_ns)
    x, y, z, w = (float(v) for v in sample.orientation)
    msg.orientation = Quaternion(x=x, y=y, z=z, w=w)
    msg.orientation_covariance = diagonal([sample.orientation_variance] * 3)
    msg.angular_velocity.x, msg.angular_velocity.y, msg.angular_velocity.z = \
        (float(v) for v in sample.angular_velocity)
    msg.angular_velocity_covariance = diagonal([sample.angular_velocity_variance] * 3)
    msg.linear_acceleration.x, msg.linear_acceleration.y, msg.linear_acceleration.z = \
        (float(v) for v in sample.linear_acceleration)
    msg.linear_acceleration_covariance = diagonal([sample.linear_acceleration_variance] * 3)
    return msg


def odometry(estimate: OdometryEstimate, frame_id: str, child_frame_id: str,
             time_ns: int) -> Odometry:
    """Return the wheel-odometry message: pose in ``frame_id``, twist in the child frame."""
    msg = header(Odometry(child_frame_id=child_frame_id), frame_id, time_ns)
    msg.pose.pose.position.x = float(estimate.x)
    msg.pose.pose.position.y = float(estimate.y)
    msg.pose.pose.orientation = yaw_quaternion(float(estimate.yaw))
    # A planar robot: z, roll and pitch are known exactly (zero), so their variance is tiny.
    msg.pose.covariance = diagonal([estimate.position_variance, estimate.position_variance,
                                    1e-9, 1e-9, 1e-9, estimate.yaw_variance])
    msg.twist.twist.linear.x = float(estimate.linear)
    msg.twist.twist.angular.z = float(estimate.angular)
    msg.twist.covariance = diagonal([estimate.linear_variance, 1e-9, 1e-9, 1e-9, 1e-9,
                                     estimate.angular_variance])
    return msg


def odom_transform(estimate: OdometryEstimate, frame_id: str, child_frame_id: str,
                   time_ns: int) -> TransformStamped:
    """Return the odom -> base transform matching an odometry estimate."""
    msg = header(TransformStamped(child_frame_id=child_frame_id), frame_id, time_ns)
    msg.transform.translation.x = float(estimate.x)
    msg.transform.translation.y = float(estimate.y)
    msg.transform.rotation = yaw_quaternion(float(estimate.yaw))
    return msg


def ground_truth(state: BodyState, frame_id: str, child_frame_id: str,
                 time_ns: int) -> Odometry:
    """Return the exact pose (in the world) and twist (in the base frame) as Odometry."""
    msg = header(Odometry(child_frame_id=child_frame_id), frame_id, time_ns)
    position, orientation = msg.pose.pose.position, msg.pose.pose.orientation
    position.x, position.y, position.z = (float(v) for v in state.position)
    orientation.x, orientation.y, orientation.z, orientation.w = \
        (float(v) for v in state.orientation)
    twist = msg.twist.twist
    twist.linear.x, twist.linear.y, twist.linear.z = (float(v) for v in state.linear_velocity)
    twist.angular.x, twist.angular.y, twist.angular.z = \
        (float(v) for v in state.angular_velocity)
    return msg


def joint_state(names: list[str], positions, velocities, time_ns: int) -> JointState:
    """Return a JointState message."""
    msg = JointState()
    msg.header.stamp = stamp(time_ns)
    msg.name = list(names)
    msg.position = [float(v) for v in positions]
    msg.velocity = [float(v) for v in velocities]
    return msg
