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

"""Evaluation from ground truth: how close a robot came to the world's obstacles."""

from dataclasses import dataclass
import math
from pathlib import Path

import numpy as np
import pybullet

from twin_sim.description import load_robot_description
from twin_sim.world import Pose, World
from twin_sim.worlds import load_world

CONTACT = 0.001  # m: closer than this counts as touching


@dataclass(frozen=True)
class OccupancyMap:
    """
    A top-down map: ``occupied[row, column]``, row 0 at ``y_min``, column 0 at ``x_min``.

    :param resolution: cell size, m
    """

    occupied: np.ndarray
    x_min: float
    y_min: float
    resolution: float

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Return (x_min, x_max, y_min, y_max), as matplotlib's imshow takes it."""
        rows, columns = self.occupied.shape
        return (self.x_min, self.x_min + columns * self.resolution,
                self.y_min, self.y_min + rows * self.resolution)


def occupancy_map(world_file: str | Path, resolution: float = 0.025, low: float = 0.02,
                  margin: float = 0.5) -> OccupancyMap:
    """
    Map what stands on the floor: cells where anything is higher than ``low`` (m).

    One vertical ray per cell from above the tallest object (a ray that starts inside a body
    hits nothing), cast in batches, so meshes and models are mapped like boxes. Overhangs
    count as occupied: a conservative map.
    """
    world = World()
    try:
        load_world(world_file).build(world)
        boxes = [world.call(pybullet.getAABB, body) for name, body in world.bodies.items()
                 if name != 'ground']
        if not boxes:
            return OccupancyMap(np.zeros((1, 1), bool), -margin, -margin, 2 * margin)
        x_min = min(b[0][0] for b in boxes) - margin
        y_min = min(b[0][1] for b in boxes) - margin
        columns = int(math.ceil((max(b[1][0] for b in boxes) + margin - x_min) / resolution))
        rows = int(math.ceil((max(b[1][1] for b in boxes) + margin - y_min) / resolution))
        xs, ys = np.meshgrid(x_min + (np.arange(columns) + 0.5) * resolution,
                             y_min + (np.arange(rows) + 0.5) * resolution)
        above = max(b[1][2] for b in boxes) + 0.1
        tops = np.column_stack((xs.ravel(), ys.ravel(), np.full(xs.size, above)))
        bottoms = tops.copy()
        bottoms[:, 2] = low
        hits = []
        for start in range(0, len(tops), 16000):
            hits += [hit[0] >= 0 for hit in world.call(
                pybullet.rayTestBatch, tops[start:start + 16000], bottoms[start:start + 16000])]
        return OccupancyMap(np.array(hits).reshape(rows, columns), x_min, y_min, resolution)
    finally:
        world.close()


class ClearanceProbe:
    """
    Measure the distance between a robot placed at given poses and every obstacle of a world.

    Used after a run, on the ground-truth path: a controller's safety margin, and contact.
    """

    def __init__(self, world_file: str | Path, robot: str | Path, max_distance: float = 5.0):
        """
        Build the world (ground excluded from the measurement) and a copy of the robot.

        :param max_distance: clearances beyond this read +inf, m
        """
        self.world = World()
        load_world(world_file).build(self.world)
        self.obstacles = [body for name, body in self.world.bodies.items() if name != 'ground']
        self.world.load_urdf_text('robot', load_robot_description(robot).urdf, Pose(z=1.0))
        self.robot = self.world.bodies['robot']
        self.max_distance = max_distance

    def at(self, x: float, y: float, yaw: float) -> float:
        """Return the clearance, m, with the robot placed at world pose (x, y, yaw)."""
        self.world.place('robot', Pose(x=x, y=y, yaw=yaw))
        distances = (point[8] for body in self.obstacles for point in self.world.call(
            pybullet.getClosestPoints, self.robot, body, self.max_distance))
        return min(distances, default=math.inf)

    def along(self, poses) -> float:
        """Return the smallest clearance over a path of (x, y, yaw) poses."""
        return min((self.at(*pose) for pose in poses), default=math.inf)

    def close(self) -> None:
        """Release the physics client."""
        self.world.close()
