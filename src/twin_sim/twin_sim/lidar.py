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

"""A 2D scanning LIDAR: beams cast in batches as the head sweeps, ranges per REP-117."""

from dataclasses import dataclass
import math

import numpy as np
import pybullet

from twin_sim.fields import check_fields, ranged
from twin_sim.robot import DiffDriveRobot

# PyBullet's limit is MAX_RAY_INTERSECTION_BATCH_SIZE (16384), but a batch of exactly that
# many silently returns one result short, so batches stay one below it.
MAX_RAYS_PER_BATCH = pybullet.MAX_RAY_INTERSECTION_BATCH_SIZE - 1


@dataclass(frozen=True)
class LidarConfig:
    """
    A 2D LIDAR (defaults: TurtleBot3's LDS-01).

    Beam ``i`` points at ``angle_min + i * angle_increment`` about the sensor's z axis,
    counter-clockwise from its x axis, with ``angle_increment = (angle_max - angle_min) /
    (samples - 1)``, so ``samples`` ranges span both ends inclusive.

    :param link: the URDF link the scan is measured from
    :param samples: beams per scan
    :param angle_min: first beam, rad
    :param angle_max: last beam, rad
    :param range_min: closer returns are reported as -inf (REP-117), m
    :param range_max: beams that hit nothing within it read +inf, m
    :param rate: scans per second of simulated time, Hz
    :param range_noise_std: Gaussian noise on each range, m
    :param dropout_probability: chance that a beam returns nothing (+inf)
    :param angle_noise_std: Gaussian error of each beam's direction, rad
    :param sweep: measure the beams one after another as the head turns once per scan, as a
        rotating LIDAR does (``time_increment`` apart); otherwise all at the same instant
    """

    link: str = 'base_scan'
    samples: int = ranged(360, 1, 100_000)
    angle_min: float = ranged(0.0, -2.0 * math.pi, 2.0 * math.pi)
    angle_max: float = ranged(2.0 * math.pi * 359.0 / 360.0, -2.0 * math.pi, 2.0 * math.pi)
    range_min: float = ranged(0.12, 0.0, 100.0)
    range_max: float = ranged(3.5, 0.01, 1000.0)
    rate: float = ranged(5.0, 0.1, 1000.0)
    range_noise_std: float = ranged(0.01, 0.0, 10.0)
    dropout_probability: float = ranged(0.0, 0.0, 1.0)
    angle_noise_std: float = ranged(0.0, 0.0, 1.0)
    sweep: bool = True

    def __post_init__(self):
        """Refuse an inconsistent LIDAR at construction."""
        self.validate()

    @property
    def angle_increment(self) -> float:
        """Return the angle between neighbouring beams, rad."""
        return (self.angle_max - self.angle_min) / max(self.samples - 1, 1)

    @property
    def time_increment(self) -> float:
        """Return the time between neighbouring beams, s (0 when not sweeping)."""
        if not self.sweep:
            return 0.0
        # The head turns a full circle per scan, whatever part of it the beams cover.
        return abs(self.angle_increment) / (2.0 * math.pi) / self.rate

    def validate(self) -> None:
        """Raise ValueError naming the first inconsistent setting."""
        check_fields(self, 'lidar')
        if not self.range_min < self.range_max:
            raise ValueError(f'lidar needs 0 <= range_min < range_max, got '
                             f'{self.range_min} and {self.range_max}')
        if self.angle_min > self.angle_max:
            raise ValueError(f'lidar angle_min ({self.angle_min}) must not exceed angle_max '
                             f'({self.angle_max}): beams turn counter-clockwise from the first')


@dataclass(frozen=True)
class Scan:
    """
    One scan: ``ranges[i]`` belongs to beam angle ``angle_min + i * angle_increment``.

    Beam ``i`` was measured at ``time_ns + i * time_increment`` (the LaserScan convention:
    the stamp is the first beam's time).
    """

    ranges: np.ndarray
    time_ns: int = 0


class Lidar:
    """
    Cast a scan's beams from a robot link and turn hit fractions into ranges.

    A sweep (:meth:`start_sweep`, then :meth:`continue_sweep` every step) casts each beam at
    the first step at or after its time, so the ray casts of a scan are spread over the
    steps it spans instead of stalling one step; :meth:`scan` casts every beam at once.
    """

    def __init__(self, robot: DiffDriveRobot, config: LidarConfig, rng: np.random.Generator):
        """
        Mount the LIDAR on ``robot``.

        :param rng: the source of every random draw this sensor makes
        """
        config.validate()
        self.robot, self.config, self.rng = robot, config, rng
        self.link = robot.link_index(config.link, 'lidar')
        self.angles = config.angle_min + config.angle_increment * np.arange(config.samples)
        # Without angle noise every scan's beams point the same way: worked out once.
        self.directions = _unit_directions(self.angles)
        # Rays may hit anything except this robot's own collision group.
        self.ray_mask = ~robot.collision_group & 0x7FFFFFFF
        self.increment_ns = config.time_increment * 1e9
        self.sweep_start_ns = None   # the running sweep's first beam time, or None

    def beam_directions(self) -> list[tuple[float, float]]:
        """Return the unit beam directions (x, y) in the sensor's plane, one per beam."""
        if self.config.angle_noise_std == 0.0:
            return self.directions
        angles = self.angles
        return _unit_directions(
            angles + self.rng.normal(0.0, self.config.angle_noise_std, angles.shape))

    def scan(self, time_ns: int = 0) -> Scan:
        """Measure every beam of one scan now (at simulated ``time_ns``)."""
        fractions = self.cast(self.beam_directions())
        return Scan(self.ranges_from_fractions(np.array(fractions)), time_ns)

    def start_sweep(self, time_ns: int) -> None:
        """Begin a scan whose first beam is due at ``time_ns``; drops an unfinished one."""
        self.sweep_start_ns = time_ns
        self.sweep_directions = self.beam_directions()
        self.sweep_fractions = []

    def continue_sweep(self, time_ns: int) -> Scan | None:
        """Cast the running sweep's beams due by ``time_ns``; return the scan once complete."""
        if self.sweep_start_ns is None:
            return None
        samples, cast = self.config.samples, len(self.sweep_fractions)
        due = samples if self.increment_ns == 0.0 else min(
            samples, int((time_ns - self.sweep_start_ns) / self.increment_ns) + 1)
        if due > cast:
            self.sweep_fractions += self.cast(self.sweep_directions[cast:due])
        if len(self.sweep_fractions) < samples:
            return None
        start, self.sweep_start_ns = self.sweep_start_ns, None
        return Scan(self.ranges_from_fractions(np.array(self.sweep_fractions)), start)

    def cast(self, directions: list[tuple[float, float]]) -> list[float]:
        """
        Cast beams (the sensor's planar unit directions) from the sensor now; return fractions.

        In plain floats: a sweep casts a handful of beams per step, where numpy's set-up
        costs more than the arithmetic.
        """
        origin, orientation = self._pose()
        r = pybullet.getMatrixFromQuaternion(orientation)   # row-major: r[3 i + j] = R[i][j]
        reach = self.config.range_max
        # Each end is origin + range_max * R (x, y, 0): R's first two columns, scaled.
        ox, oy, oz = origin
        xx, xy, xz = r[0] * reach, r[3] * reach, r[6] * reach
        yx, yy, yz = r[1] * reach, r[4] * reach, r[7] * reach
        ends = [[ox + xx * cos + yx * sin, oy + xy * cos + yy * sin, oz + xz * cos + yz * sin]
                for cos, sin in directions]
        if len(ends) <= MAX_RAYS_PER_BATCH:   # a sweep's step: one batch, nothing to split
            return self._cast_batch(origin, ends)
        return [fraction for start in range(0, len(ends), MAX_RAYS_PER_BATCH)
                for fraction in self._cast_batch(origin, ends[start:start + MAX_RAYS_PER_BATCH])]

    def _cast_batch(self, origin, ends: list) -> list[float]:
        """Cast rays from ``origin`` to each of ``ends`` in one PyBullet call; return fractions."""
        hits = pybullet.rayTestBatch([origin] * len(ends), ends,
                                     collisionFilterMask=self.ray_mask,
                                     physicsClientId=self.robot.world.client)
        if len(hits) != len(ends):
            raise RuntimeError(f'PyBullet cast {len(hits)} of {len(ends)} rays')
        return [hit[2] for hit in hits]   # a ray that hits nothing reports 1.0

    def _pose(self) -> tuple:
        """Return the sensor link's world position and quaternion, as PyBullet gives them."""
        robot = self.robot
        if self.link < 0:   # the root link: rare, so through the robot
            position, orientation = robot.link_pose(self.link)
            return position.tolist(), orientation.tolist()
        # Straight to PyBullet (not World.call), arguments by position (keywords cost 10 %
        # of the call): a sweep asks every physics step.
        state = pybullet.getLinkState(robot.body, self.link, 0, 0, robot.world.client)
        return state[4], state[5]

    def ranges_from_fractions(self, fractions: np.ndarray) -> np.ndarray:
        """
        Turn hit fractions (1.0: no hit) into reported ranges.

        Rays start at the sensor origin, so a range is the fraction of ``range_max``. Noise
        is added before the limits are applied, as a real sensor's firmware would see it.
        """
        config = self.config
        hit = fractions < 1.0
        ranges = fractions * config.range_max
        if config.range_noise_std > 0.0:
            ranges = ranges + self.rng.normal(0.0, config.range_noise_std, ranges.shape)
        if config.dropout_probability > 0.0:
            hit &= self.rng.random(ranges.shape) >= config.dropout_probability
        ranges = np.where(hit & (ranges > config.range_max), np.inf, ranges)
        ranges = np.where(hit & (ranges < config.range_min), -np.inf, ranges)
        return np.where(hit, ranges, np.inf)


def _unit_directions(angles: np.ndarray) -> list[tuple[float, float]]:
    """Return the unit vectors (cos, sin) of angles in the sensor's plane, as floats."""
    return list(zip(np.cos(angles).tolist(), np.sin(angles).tolist()))


def faulted_scan(scan: Scan, faults, previous: Scan | None, angles: np.ndarray) -> Scan:
    """
    Return ``scan`` as the active LIDAR faults (twin_sim.faults) make it.

    :param previous: the scan delivered before this one (a freeze repeats it)
    :param angles: each beam's angle, rad
    """
    if previous is not None and any(fault.kind == 'lidar_freeze' for fault in faults):
        return Scan(previous.ranges, scan.time_ns)   # a frozen driver repeats itself exactly
    ranges = scan.ranges
    for fault in faults:
        if fault.kind == 'lidar_blackout':
            ranges = np.full_like(ranges, np.inf)
        elif fault.kind == 'lidar_occlusion':
            params = fault.params
            inside = (angles >= params['angle_min']) & (angles <= params['angle_max'])
            ranges = np.where(inside, params['range'], ranges)
    return Scan(ranges, scan.time_ns)
