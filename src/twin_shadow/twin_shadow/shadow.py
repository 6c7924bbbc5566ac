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
The shadow twin: a core twin stepped in step with the robot's stamps, fed its commands.

No rclpy: the live node and the replay verb feed it the same calls, so they find the same
events. Robot time is the robot's stamps (integer ns); the twin's clock follows them (the
first stamp seen is the twin's now), never a free-running clock. Every ``horizon`` seconds
the twin's body is placed at the robot's odometry pose (its motion kept), so the pose error
it reports is the model's prediction error over at most one horizon.
"""

from collections import deque
from dataclasses import dataclass, field
import math

import numpy as np
import pybullet
from twin_shadow.detector import ChangeDetector, Event, Thresholds
from twin_sim import Pose, Twin, TwinConfig
from twin_sim.kinematics import wrap_angle

NS_PER_S = 1_000_000_000
AT_REST_LINEAR = 1e-3    # m/s: slower than this, with no command, the robot stands
AT_REST_ANGULAR = 1e-2   # rad/s
SPEED_MEMORY = 0.5       # s: the forward speed residual forgets older accelerations


@dataclass(frozen=True)
class ShadowSettings:
    """
    How the shadow runs.

    :param horizon: re-anchor the twin to the robot's pose this often, s
    :param command_timeout: a command is in force this long after its stamp (the robot's
        watchdog), s
    :param command_latency: how much later than its stamp a command may reach the robot's
        motors (DDS, the robot's control loop), s: a wheel's speed within what the twin's
        did over this long is no residual
    :param thresholds: the divergence thresholds and the detector's tuning
    """

    horizon: float = 5.0
    command_timeout: float = 0.5
    command_latency: float = 0.25
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass
class Trace:
    """What a report plots: divergences over time and both paths, by robot time (s)."""

    rows: list = field(default_factory=list)        # (time, position, heading, level)
    robot_path: list = field(default_factory=list)  # (time, x, y) robot odometry
    twin_path: list = field(default_factory=list)   # (time, x, y) twin, in robot odom frame


class ShadowTwin:
    """Step a twin beside the robot; compare what both report; detect changes."""

    def __init__(self, config: TwinConfig, settings: ShadowSettings = ShadowSettings(),
                 build_world=None):
        """
        Build the twin (the robot's model: its world and profile).

        :param build_world: the robot's surroundings; None (no model of them): the scans
            are not compared, as an empty plane would differ from any real room
        """
        self.twin = Twin(config, build_world)
        self.compares_scans = build_world is not None
        self.settings = settings
        self.detector = ChangeDetector(settings.thresholds)
        self.trace = Trace()
        self.offset_ns = None        # robot stamp minus twin time
        self.anchor_ns = None        # robot stamp of the last re-anchoring
        self.command_ns = None
        self.command = (0.0, 0.0)
        self.robot_twist = (0.0, 0.0)
        self.imu_ns, self.speed_residual = None, 0.0
        self.twin_wheels = deque()   # (stamp, left, right): the twin's over command_latency
        self.twin_odometry = self.twin_imu = self.twin_scan = None

    # -- time -----------------------------------------------------------------------------

    def advance_to(self, stamp_ns: int) -> None:
        """Step the twin until its time is the robot's ``stamp_ns`` (never backwards)."""
        if self.offset_ns is None:
            self.offset_ns = stamp_ns - self.twin.time_ns
        timeout_ns = round(self.settings.command_timeout * NS_PER_S)
        while self.twin.time_ns + self.offset_ns < stamp_ns:
            if self.command_ns is not None and \
                    self.twin.time_ns + self.offset_ns - self.command_ns > timeout_ns:
                self.command_ns, self.command = None, (0.0, 0.0)
                self.twin.set_command(0.0, 0.0)
            readings = self.twin.step()
            self.twin_odometry = readings.odometry or self.twin_odometry
            self.twin_imu = readings.imu or self.twin_imu
            self.twin_scan = readings.scan or self.twin_scan

    @property
    def events(self) -> list[Event]:
        """Return every event found so far."""
        return self.detector.events

    # -- what the robot reports -----------------------------------------------------------

    def on_command(self, stamp_ns: int, linear: float, angular: float) -> None:
        """Apply the command the robot's controller sent at ``stamp_ns`` (m/s, rad/s)."""
        self.advance_to(stamp_ns)
        if not (math.isfinite(linear) and math.isfinite(angular)):
            return   # the robot's gate drops it whole; so does the twin's
        self.command_ns, self.command = stamp_ns, (linear, angular)
        self.twin.set_command(linear, angular)

    def on_odometry(self, stamp_ns: int, x: float, y: float, yaw: float, linear: float,
                    angular: float) -> None:
        """Compare the robot's wheel odometry with the twin; re-anchor every horizon."""
        self.advance_to(stamp_ns)
        self.robot_twist = (linear, angular)
        if self.anchor_ns is None or \
                stamp_ns - self.anchor_ns >= self.settings.horizon * NS_PER_S:
            self._anchor(x, y, yaw)
            self.anchor_ns = stamp_ns
        truth = self.twin.ground_truth(from_start=True)
        heading = wrap_angle(yaw - truth.yaw)
        position = math.hypot(x - truth.position[0], y - truth.position[1])
        self.detector.pose(position, heading)
        if self.twin_odometry is not None:
            self.detector.motion(linear - self.twin_odometry.linear,
                                 angular - self.twin_odometry.angular)
        time = stamp_ns / NS_PER_S
        self.trace.rows.append((time, position, heading, self.detector.level()))
        self.trace.robot_path.append((time, x, y))
        self.trace.twin_path.append((time, float(truth.position[0]), float(truth.position[1])))

    def on_wheels(self, stamp_ns: int, left: float, right: float) -> Event | None:
        """Compare the robot's wheel speeds (rad/s, URDF sign, as joint_states) with the twin's."""
        self.advance_to(stamp_ns)
        self.twin_wheels.append((stamp_ns, *self.twin.robots[0].wheel_joint_states()[1]))
        while stamp_ns - self.twin_wheels[0][0] > self.settings.command_latency * NS_PER_S:
            self.twin_wheels.popleft()
        recent = np.array(self.twin_wheels)[:, 1:]
        low, high = recent.min(axis=0), recent.max(axis=0)
        robot = np.array([left, right])
        off = robot - np.clip(robot, low, high)   # outside all the twin's recent speeds
        return self.detector.wheels(stamp_ns / NS_PER_S, float(off[0]), float(off[1]))

    def on_imu(self, stamp_ns: int, yaw_rate: float, forward_acceleration: float) -> Event | None:
        """
        Check the robot's gyro against its wheels; its accelerometers against the twin's.

        :param yaw_rate: the gyro's z, rad/s
        :param forward_acceleration: the accelerometers' x (specific force), m/s^2
        """
        self.advance_to(stamp_ns)
        if self.twin_imu is None or self.twin_odometry is None:
            return None
        dt = 0.0 if self.imu_ns is None else (stamp_ns - self.imu_ns) / NS_PER_S
        self.imu_ns = stamp_ns
        twin_acceleration = float(self.twin_imu.linear_acceleration[0])
        self.speed_residual = self.speed_residual * math.exp(-dt / SPEED_MEMORY) + \
            (forward_acceleration - twin_acceleration) * dt
        # The robot's own gyro against its own wheels: free of when the command reached it.
        turn = yaw_rate - self.robot_twist[1]
        at_rest = self.command == (0.0, 0.0) and abs(self.robot_twist[0]) < AT_REST_LINEAR \
            and abs(self.robot_twist[1]) < AT_REST_ANGULAR
        return self.detector.turn(stamp_ns / NS_PER_S, turn, self.speed_residual,
                                  at_rest)

    def on_scan(self, stamp_ns: int, ranges) -> Event | None:
        """Compare the robot's scan with the twin's last one (same beams, same order)."""
        self.advance_to(stamp_ns)
        if not self.compares_scans or self.twin_scan is None or \
                len(self.twin_scan.ranges) != len(ranges):
            return None
        comparison = compare_scans(np.asarray(ranges, dtype=float), self.twin_scan.ranges,
                                   self.settings.thresholds.obstacle)
        return self.detector.scan(stamp_ns / NS_PER_S, *comparison)

    # -- anchoring --------------------------------------------------------------------------

    def _anchor(self, x: float, y: float, yaw: float) -> None:
        """Place the twin's body at the robot's odometry pose, keeping its motion."""
        robot = self.twin.robots[0]
        world, name = self.twin.world, robot.robot.name
        _, orientation, linear, angular = world.body_state(name)
        turn = yaw - robot.ground_truth(from_start=True).yaw
        world.place(name, robot.pose_in_world(Pose(x=x, y=y, yaw=yaw), from_start=True))
        c, s = math.cos(turn), math.sin(turn)
        velocity = (c * linear[0] - s * linear[1], s * linear[0] + c * linear[1], linear[2])
        world.call(pybullet.resetBaseVelocity, world.bodies[name], velocity, angular)


def compare_scans(real: np.ndarray, twin: np.ndarray, obstacle: float) -> tuple:
    """
    Compare a robot's scan with the twin's, beam by beam.

    :return: the median |real - twin| over beams finite in both (NaN with none), m; the
        fraction of beams shorter than the twin's by ``obstacle`` or hitting where the
        twin's miss; the fraction without a return where the twin's has one
    """
    real_hit, twin_hit = np.isfinite(real), np.isfinite(twin)
    both = real_hit & twin_hit
    median = float(np.median(np.abs(real[both] - twin[both]))) if both.any() else math.nan
    closer = real_hit & (~twin_hit | (real < np.where(twin_hit, twin, np.inf) - obstacle))
    lost = ~real_hit & twin_hit
    return median, float(closer.mean()), float(lost.mean())
