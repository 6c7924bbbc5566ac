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

import math
from pathlib import Path

import pybullet

from twin_sim.description import load_robot_description
from twin_sim.world import Pose, World
from twin_sim.worlds import load_world

CONTACT = 0.001  # m: closer than this counts as touching


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
