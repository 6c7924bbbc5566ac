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
Recordings of a twin standing in for the robot, made in-process (faster than over DDS).

The twin's hidden parameters differ from the nominal ones the calibration assumes; the
messages are what the bridge publishes (its conversions, serialized by rclpy) and only what a
robot records: cmd_vel, odom, joint_states, imu, scan, tf, tf_static. A seeded random-walk
controller drives it, turning away from walls, with stops.
"""

from dataclasses import dataclass, field
from pathlib import Path

from geometry_msgs.msg import Twist
import numpy as np
from rclpy.serialization import serialize_message
from tf2_msgs.msg import TFMessage
from twin_analysis.recording import RecordingWriter, TOPICS
from twin_bridge import conversions
from twin_bridge.robot_state import RobotStatePublisher
from twin_sim import DriveConfig, ImuConfig, LidarConfig, PhysicalConfig, Pose, Twin, \
    TwinConfig
from twin_sim.description import expand_xacro, find_package_share

NOMINAL_RADIUS, NOMINAL_SEPARATION = 0.033, 0.160
COMMAND_PERIOD = 0.1        # s: the controller's rate, 10 Hz
TOPIC_NAMES = ('cmd_vel', 'odom', 'joint_states', 'imu', 'scan', 'tf', 'tf_static')


@dataclass(frozen=True)
class Hidden:
    """What the robot really is (the calibration must find it)."""

    left_radius: float = NOMINAL_RADIUS
    right_radius: float = NOMINAL_RADIUS
    separation: float = NOMINAL_SEPARATION
    time_constant: float = 0.0
    dead_time: float = 0.0
    gyro_noise: float = 0.002
    accel_noise: float = 0.017
    range_noise: float = 0.01
    dropout: float = 0.0


FIRST = Hidden(NOMINAL_RADIUS * 1.02, NOMINAL_RADIUS * 0.99, NOMINAL_SEPARATION * 1.04,
               0.12, 0.030, gyro_noise=0.004, range_noise=0.015)
SECOND = Hidden(NOMINAL_RADIUS * 0.985, NOMINAL_RADIUS * 1.01, NOMINAL_SEPARATION * 0.97,
                0.06, 0.015, gyro_noise=0.003, accel_noise=0.03, range_noise=0.02,
                dropout=0.02)


def robot_xacro() -> Path:
    """Return the project's robot description."""
    return find_package_share('twin') / 'urdf' / 'twin_burger.urdf.xacro'


def room(world) -> None:
    """Build a 4 m square room with a few pieces of furniture (static surroundings to match)."""
    world.add_ground()
    for name, size, x, y in (('north', (4.2, 0.1, 0.5), 0.0, 2.0),
                             ('south', (4.2, 0.1, 0.5), 0.0, -2.0),
                             ('east', (0.1, 4.2, 0.5), 2.0, 0.0),
                             ('west', (0.1, 4.2, 0.5), -2.0, 0.0),
                             ('cabinet', (0.6, 0.3, 0.5), 1.2, -1.3),
                             ('shelf', (0.25, 0.9, 0.5), -1.4, 0.6)):
        world.add_box(name, size, Pose(x=x, y=y, z=0.25))
    world.add_cylinder('pillar', 0.12, 0.5, Pose(x=0.8, y=0.9, z=0.25))


@dataclass
class RandomWalk:
    """Ordinary driving: seeded random segments (drive, curve, spin, stop), away from walls."""

    seed: int
    stops: bool = True
    turns: bool = True
    rng: np.random.Generator = field(init=False)
    command: tuple[float, float] = (0.0, 0.0)
    until: float = 0.0

    def __post_init__(self):
        """Start the seeded stream."""
        self.rng = np.random.default_rng(self.seed)

    def __call__(self, time: float, ranges: np.ndarray | None, angles: np.ndarray) -> tuple:
        """Return the command for now, given the latest scan."""
        if not self.turns:
            phase = time % 16.0     # forward, stop, back, stop: straight lines only
            return ((0.15, 0.0) if phase < 5 else (0.0, 0.0) if phase < 8 else
                    (-0.15, 0.0) if phase < 13 else (0.0, 0.0))
        if ranges is not None and self.command[0] >= 0.0:
            ahead = np.abs((angles + np.pi) % (2 * np.pi) - np.pi) < 0.7
            if np.nanmin(np.where(np.isfinite(ranges[ahead]), ranges[ahead], 9.0)) < 0.45:
                self.command, self.until = (0.0, 1.5 if self.rng.random() < 0.5 else -1.5), \
                    time + self.rng.uniform(0.6, 1.4)
                return self.command
        if time >= self.until:
            kind = self.rng.choice(['drive', 'curve', 'spin', 'stop'], p=[0.35, 0.35, 0.1, 0.2]
                                   if self.stops else [0.45, 0.45, 0.1, 0.0])
            linear = self.rng.uniform(0.08, 0.22)
            self.command = {'drive': (linear, self.rng.uniform(-0.3, 0.3)),
                            'curve': (linear, self.rng.uniform(-1.5, 1.5)),
                            'spin': (0.0, self.rng.choice([-1.0, 1.0]) * self.rng.uniform(1, 2)),
                            'stop': (0.0, 0.0)}[str(kind)]
            self.until = time + self.rng.uniform(2.5, 4.0 if kind == 'stop' else 3.0)
        return self.command


def twin_config(hidden: Hidden, seed: int) -> TwinConfig:
    """Return the twin standing in for the robot: nominal firmware, hidden body and noise."""
    return TwinConfig(
        robot=robot_xacro(), seed=seed,
        drive=DriveConfig(wheel_radius=NOMINAL_RADIUS, wheel_separation=NOMINAL_SEPARATION,
                          time_constant=hidden.time_constant, dead_time=hidden.dead_time),
        physical=PhysicalConfig(hidden.left_radius, hidden.right_radius, hidden.separation),
        lidar=LidarConfig(range_noise_std=hidden.range_noise,
                          dropout_probability=hidden.dropout),
        imu=ImuConfig(gyro_noise_std=hidden.gyro_noise, accel_noise_std=hidden.accel_noise))


def record(path: Path, hidden: Hidden, seconds: float = 120.0, seed: int = 1,
           controller: RandomWalk | None = None, truth_topic: str | None = None) -> Path:
    """
    Drive the hidden twin for ``seconds`` and record it as a robot would be recorded.

    :param truth_topic: also record the true pose (Odometry) there, for tests that judge
        the calibration's own estimates of the trajectory; None: a robot's recording
    """
    controller = controller or RandomWalk(seed)
    config = twin_config(hidden, seed)
    twin = Twin(config, room, [Pose(x=-0.3, y=-0.2, yaw=0.4)])
    writer = RecordingWriter(path)
    channels = {name: writer.add_channel('/' + name, TOPICS[name]) for name in TOPIC_NAMES}
    if truth_topic:
        channels['truth'] = writer.add_channel(truth_topic, TOPICS['ground_truth/odom'])
    scans = conversions.ScanConverter(config.lidar, 'base_scan')
    joints = [config.drive.left_wheel_joint, config.drive.right_wheel_joint]
    statics = RobotStatePublisher(expand_xacro(robot_xacro())).static_transforms(0)
    writer.write(channels['tf_static'], 0, serialize_message(TFMessage(transforms=statics)))
    angles = config.lidar.angle_min + config.lidar.angle_increment * \
        np.arange(config.lidar.samples)
    latest, next_command = None, 0.0
    try:
        while twin.time < seconds:
            now = twin.time_ns
            if twin.time >= next_command - 1e-9:
                linear, angular = controller(twin.time, latest, angles)
                twin.set_command(linear, angular)
                twist = Twist()
                twist.linear.x, twist.angular.z = float(linear), float(angular)
                writer.write(channels['cmd_vel'], now, serialize_message(twist))
                next_command += COMMAND_PERIOD
            readings = twin.step()
            now = twin.time_ns
            _write_readings(writer, channels, readings, now, scans, joints, twin)
            if readings.scan is not None:
                latest = readings.scan.ranges
    finally:
        twin.close()
    writer.close({'sim_seconds': float(seconds)})
    return path


def _write_readings(writer, channels, readings, now, scans, joints, twin) -> None:
    if readings.scan is not None:
        writer.write(channels['scan'], now, serialize_message(scans.convert(readings.scan)))
    if readings.imu is not None:
        writer.write(channels['imu'], now, serialize_message(
            conversions.imu(readings.imu, 'imu_link', now)))
    if readings.odometry is not None:
        estimate = readings.odometry
        writer.write(channels['odom'], now, serialize_message(
            conversions.odometry(estimate, 'odom', 'base_footprint', now)))
        writer.write(channels['tf'], now, serialize_message(TFMessage(transforms=[
            conversions.odom_transform(estimate, 'odom', 'base_footprint', now)])))
        if 'truth' in channels:
            writer.write(channels['truth'], now, serialize_message(conversions.ground_truth(
                twin.ground_truth(from_start=True), 'odom', 'base_footprint', now)))
        positions, velocities = twin.robots[0].wheel_joint_states()
        writer.write(channels['joint_states'], now, serialize_message(
            conversions.joint_state(joints, positions, velocities, now)))
