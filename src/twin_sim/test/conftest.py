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

"""Shared fixtures: the project's robot description and noise-free twins in DIRECT mode."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from twin_sim import ImuConfig, LidarConfig, Twin, TwinConfig

# Tests run from the workspace source tree, where the robot description lives.
ROBOT_XACRO = Path(__file__).resolve().parents[3] / 'urdf' / 'twin_burger.urdf.xacro'

QUIET = TwinConfig(
    robot=ROBOT_XACRO,
    lidar=LidarConfig(range_noise_std=0.0),
    imu=ImuConfig(gyro_noise_std=0.0, accel_noise_std=0.0),
)


@pytest.fixture
def robot_xacro() -> Path:
    """Return the path of the project's robot description."""
    return ROBOT_XACRO


@pytest.fixture
def make_twin():
    """Build twins from a config (default: noise off) and close them after the test."""
    twins = []

    def make(config: TwinConfig = QUIET, build_world=None, spawns=None, **changes) -> Twin:
        twin = Twin(replace(config, **changes), build_world, spawns)
        twins.append(twin)
        return twin

    yield make
    for twin in twins:
        twin.close()


def drive_trajectory(twin: Twin, episode: int) -> list[np.ndarray]:
    """Reset ``twin`` to ``episode``, drive a fixed command sequence; return every reading."""
    twin.reset(episode=episode)
    out = []
    for linear, angular in [(0.2, 0.0), (0.1, 1.0), (-0.1, -0.5)]:
        twin.set_command(linear, angular)
        for readings in twin.run(1.0):
            out.append(twin.ground_truth().position.copy())
            if readings.scan is not None:
                out.append(readings.scan.ranges)
            if readings.odometry is not None:
                out.append(np.array([readings.odometry.x, readings.odometry.yaw]))
    return out


@pytest.fixture
def trajectory():
    """Return :func:`drive_trajectory`: what an episode's twin measures under fixed commands."""
    return drive_trajectory
