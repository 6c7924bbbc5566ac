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
The sensor protocol: what a robot's step loop needs of a sensor, so a sensor is added here.

A sensor has a ``rate`` (Hz of simulated time), is ``reset`` with its own random stream, and
``sample``s every step. :data:`SENSORS` lists them; each fills the :class:`Readings` field named
by its ``reading``. Streams are spawned in the list's order, so a new sensor goes at the end
and every earlier sensor keeps its draws.
"""

from typing import Protocol

import numpy as np

from twin_sim.imu import Imu, ImuSample
from twin_sim.lidar import Lidar, Scan
from twin_sim.odometry import OdometryEstimate, WheelOdometry
from twin_sim.robot import DiffDriveRobot

NS_PER_S = 1_000_000_000


class Sensor(Protocol):
    """One sensor of one robot, as the step loop sees it."""

    reading: str   # the Readings field it fills
    rate: float    # Hz of simulated time

    def reset(self, rng: np.random.Generator) -> None:
        """Start again (the body is at its start) drawing from ``rng``."""

    def sample(self, time_ns: int, due_ns: int | None) -> object | None:
        """
        Run one step at ``time_ns``; return a reading, or None.

        :param due_ns: the time a sample fell due, when one did at this step; else None
        """


class LidarSensor:
    """The scanning LIDAR: a sweep starts on schedule and casts its beams over the steps."""

    reading = 'scan'

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config.lidar, config.lidar.rate

    def reset(self, rng: np.random.Generator) -> None:
        """Mount a fresh LIDAR drawing from ``rng``."""
        self.lidar = Lidar(self.robot, self.config, rng)

    def sample(self, time_ns: int, due_ns: int | None) -> Scan | None:
        """Cast the beams due; return a scan when one is complete."""
        # Sweeps start on the scan schedule, so each ends before the next begins (its last
        # beam is due less than a scan period after its first): one scan per step at most.
        finished = self.lidar.continue_sweep(time_ns)
        if due_ns is not None:
            self.lidar.start_sweep(due_ns)
            finished = self.lidar.continue_sweep(time_ns) or finished
        return finished


class ImuSensor:
    """The IMU, sampled on its schedule."""

    reading = 'imu'

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config, config.imu.rate

    def reset(self, rng: np.random.Generator) -> None:
        """Mount a fresh IMU drawing from ``rng``."""
        self.imu = Imu(self.robot, self.config.imu, self.config.physics.gravity, rng)

    def sample(self, time_ns: int, due_ns: int | None) -> ImuSample | None:
        """Return a sample when one is due."""
        return None if due_ns is None else self.imu.sample(time_ns / NS_PER_S)


class OdometrySensor:
    """Wheel encoders and the odometry integrated from them, on the odometry schedule."""

    reading = 'odometry'

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config.odometry, config.odometry.rate

    def reset(self, rng: np.random.Generator) -> None:
        """Start fresh encoders at the wheels' current angles, drawing from ``rng``."""
        self.odometry = WheelOdometry(self.config, self.robot.wheel_radius,
                                      self.robot.wheel_separation, rng)
        self.odometry.reset(self.robot.wheel_angles())
        self.last_ns = 0

    def sample(self, time_ns: int, due_ns: int | None) -> OdometryEstimate | None:
        """Integrate the encoders since the last update when an update is due."""
        if due_ns is None:
            return None
        dt = (time_ns - self.last_ns) / NS_PER_S
        self.last_ns = time_ns
        return self.odometry.update(self.robot.wheel_angles(), dt)


# Every robot's sensors, in the order their random streams are spawned: append new ones.
SENSORS = (LidarSensor, ImuSensor, OdometrySensor)
