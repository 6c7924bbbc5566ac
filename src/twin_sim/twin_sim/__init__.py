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
Physics and sensor core of the twin: PyBullet world, robot, sensors, noise (no ROS).

Start with :class:`Twin` and :class:`TwinConfig`; the sensor and drive configurations are
plain dataclasses. Nothing here imports rclpy, reads wall time or starts threads.
"""

from twin_sim.description import DescriptionError, load_robot_description
from twin_sim.imu import ImuConfig, ImuSample
from twin_sim.kinematics import DriveLimits
from twin_sim.lidar import LidarConfig, Scan
from twin_sim.odometry import OdometryConfig, OdometryEstimate
from twin_sim.physical import PhysicalConfig, WheelGeometry
from twin_sim.robot import BodyState, DriveConfig
from twin_sim.twin import Readings, RobotTwin, Twin, TwinConfig
from twin_sim.world import PhysicsConfig, Pose, World
from twin_sim.worlds import load_world, WorldDescription

__all__ = [
    'BodyState', 'DescriptionError', 'DriveConfig', 'DriveLimits', 'ImuConfig', 'ImuSample',
    'LidarConfig', 'OdometryConfig', 'OdometryEstimate', 'PhysicalConfig', 'PhysicsConfig',
    'Pose', 'Readings', 'RobotTwin', 'Scan', 'Twin', 'TwinConfig', 'WheelGeometry', 'World',
    'WorldDescription', 'load_robot_description', 'load_world',
]
