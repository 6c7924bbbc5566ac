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

A sensor has a ``rate`` (Hz of simulated time), is ``reset`` with its own random stream (at
the simulated time of the reset: time is never rewound), and is asked to ``sample`` when a
sample falls due, or at every step if it works between samples (``every_step``).
:data:`SENSORS` lists them; each fills the :class:`Readings` field named by its ``reading``.
Streams are spawned in the list's order, so a new sensor goes at the end and every earlier
sensor keeps its draws.
"""

from typing import Protocol

import numpy as np

from twin_sim.faults import WHEELS
from twin_sim.imu import faulted_sample, Imu, ImuSample
from twin_sim.lidar import faulted_scan, Lidar, Scan
from twin_sim.odometry import OdometryEstimate, WheelOdometry
from twin_sim.robot import DiffDriveRobot

NS_PER_S = 1_000_000_000


class Sensor(Protocol):
    """One sensor of one robot, as the step loop sees it."""

    reading: str   # the Readings field it fills
    rate: float    # Hz of simulated time
    every_step: bool   # sampled at every step (due or not), else only when a sample is due
    faults: list   # the active faults that act on it (twin_sim.faults), usually none

    def reset(self, rng: np.random.Generator, time_ns: int) -> None:
        """Start again at ``time_ns`` (the body is at its start) drawing from ``rng``."""

    def sample(self, time_ns: int, due_ns: int | None) -> object | None:
        """
        Run one step at ``time_ns``; return a reading (as ``faults`` make it), or None.

        :param due_ns: the time a sample fell due, when one did at this step; else None
            (only a sensor sampled ``every_step`` is asked then)
        """


class LidarSensor:
    """The scanning LIDAR: a sweep starts on schedule and casts its beams over the steps."""

    reading = 'scan'
    every_step = True   # a sweep casts the beams that came due at each step

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config.lidar, config.lidar.rate
        self.faults = []

    def reset(self, rng: np.random.Generator, time_ns: int) -> None:
        """Mount a fresh LIDAR drawing from ``rng``."""
        self.lidar = Lidar(self.robot, self.config, rng)
        self.last = None   # the last scan delivered

    def sample(self, time_ns: int, due_ns: int | None) -> Scan | None:
        """Cast the beams due; return a scan when one is complete."""
        # Sweeps start on the scan schedule, so each ends before the next begins (its last
        # beam is due less than a scan period after its first): one scan per step at most.
        finished = self.lidar.continue_sweep(time_ns)
        if due_ns is not None:
            self.lidar.start_sweep(due_ns)
            finished = self.lidar.continue_sweep(time_ns) or finished
        if finished is not None:
            if self.faults:
                finished = faulted_scan(finished, self.faults, self.last, self.lidar.angles)
            self.last = finished
        return finished


class ImuSensor:
    """The IMU, sampled on its schedule."""

    reading = 'imu'
    every_step = False

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config, config.imu.rate
        self.faults = []

    def reset(self, rng: np.random.Generator, time_ns: int) -> None:
        """Mount a fresh IMU drawing from ``rng``."""
        self.imu = Imu(self.robot, self.config.imu, self.config.physics.gravity, rng)
        self.last = None   # the last sample delivered
        self.reset_ns = time_ns

    def sample(self, time_ns: int, due_ns: int | None) -> ImuSample | None:
        """Return a sample when one is due."""
        if due_ns is None:
            return None
        # In seconds since the reset: small numbers, so an episode's float arithmetic (and
        # so its readings) is the same whenever it starts.
        sample = self.imu.sample((time_ns - self.reset_ns) / NS_PER_S)
        if self.faults:
            sample = faulted_sample(sample, self.faults, self.last)
        self.last = sample
        return sample


class OdometrySensor:
    """Wheel encoders and the odometry integrated from them, on the odometry schedule."""

    reading = 'odometry'
    every_step = False

    def __init__(self, robot: DiffDriveRobot, config):
        """:param config: the twin's configuration (a TwinConfig)."""
        self.robot, self.config, self.rate = robot, config.odometry, config.odometry.rate
        self.faults = []

    def reset(self, rng: np.random.Generator, time_ns: int) -> None:
        """Start fresh encoders at the wheels' current angles, drawing from ``rng``."""
        self.odometry = WheelOdometry(self.config, self.robot.wheel_radius,
                                      self.robot.wheel_separation, rng)
        self.last_angles = self.robot.wheel_angles()
        self.odometry.reset(self.last_angles)
        self.lost = [0.0, 0.0]   # wheel rotation stuck encoders missed, rad
        self.last_ns = time_ns

    def sample(self, time_ns: int, due_ns: int | None) -> OdometryEstimate | None:
        """Integrate the encoders since the last update when an update is due."""
        if due_ns is None:
            return None
        angles = self.robot.wheel_angles()
        if self.faults:
            if any(fault.kind == 'encoder_dropout' for fault in self.faults):
                return None   # silent: the next update integrates the whole gap
            self._hold_stuck_encoders(angles)
        self.last_angles = angles
        if self.lost != [0.0, 0.0]:
            angles = (angles[0] - self.lost[0], angles[1] - self.lost[1])
        dt = (time_ns - self.last_ns) / NS_PER_S
        self.last_ns = time_ns
        return self.odometry.update(angles, dt)

    def _hold_stuck_encoders(self, angles: tuple[float, float]) -> None:
        # A stuck counter misses the rotation since the last reading, for good.
        for fault in self.faults:
            if fault.kind == 'encoder_stuck':
                wheels = (0, 1) if fault.params['wheel'] == 'both' else (
                    WHEELS.index(fault.params['wheel']),)
                for wheel in wheels:
                    self.lost[wheel] += angles[wheel] - self.last_angles[wheel]


# Every robot's sensors, in the order their random streams are spawned: append new ones.
SENSORS = (LidarSensor, ImuSensor, OdometrySensor)
