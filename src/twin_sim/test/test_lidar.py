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

"""LIDAR ranges against boxes at known distances (PyBullet DIRECT)."""

import math

import numpy as np
import pytest
from twin_sim import LidarConfig, Pose

BOX_DEPTH = 0.2


def place_wall(twin, beam: int, distance: float, name: str = 'wall') -> None:
    """Put a wall across ``beam`` with its near face ``distance`` from the sensor origin."""
    position, _ = twin.robot.link_pose(twin.lidar.link)
    heading = twin.ground_truth().yaw + twin.lidar.angles[beam]
    centre = position[:2] + (distance + BOX_DEPTH / 2.0) * np.array(
        [math.cos(heading), math.sin(heading)])
    twin.world.add_box(name, (BOX_DEPTH, 1.0, 1.0),
                       Pose(x=centre[0], y=centre[1], z=0.5, yaw=heading))


@pytest.mark.parametrize('robot_yaw, beam', [(0.0, 0), (0.0, 90), (0.7, 180), (-2.0, 271)])
def test_wall_at_one_metre_reads_one_metre(make_twin, robot_yaw, beam):
    twin = make_twin(spawn=Pose(yaw=robot_yaw))
    place_wall(twin, beam, 1.0)
    ranges = twin.lidar.scan().ranges
    assert ranges[beam] == pytest.approx(1.0, abs=0.001)


def test_nothing_in_range_reads_plus_infinity_and_never_the_robot(make_twin):
    twin = make_twin()
    twin.run(0.5)
    ranges = twin.lidar.scan().ranges
    # The robot's own housing surrounds the sensor, yet no beam reports it.
    assert np.all(ranges == np.inf)


def test_returns_beyond_range_max_and_closer_than_range_min(make_twin):
    twin = make_twin()
    place_wall(twin, 0, 5.0, 'far')
    place_wall(twin, 180, 0.08, 'near')
    ranges = twin.lidar.scan().ranges
    assert ranges[0] == np.inf      # beyond range_max (3.5 m): no return
    assert ranges[180] == -np.inf   # closer than range_min (0.12 m): REP-117's -inf


def test_sample_count_matches_the_angle_settings(make_twin):
    config = LidarConfig(samples=720, angle_min=-math.pi / 2, angle_max=math.pi / 2,
                         range_noise_std=0.0)
    twin = make_twin(lidar=config)
    ranges = twin.lidar.scan().ranges
    assert len(ranges) == round((config.angle_max - config.angle_min) /
                                config.angle_increment) + 1 == 720


def test_default_scan_is_turtlebot3_like(make_twin):
    config = make_twin().config.lidar
    assert (config.samples, config.angle_min, config.range_min, config.range_max,
            config.rate) == (360, 0.0, 0.12, 3.5, 5.0)
    assert config.angle_increment == pytest.approx(2.0 * math.pi / 360.0)


def test_range_noise_has_the_configured_spread(make_twin):
    twin = make_twin(lidar=LidarConfig(range_noise_std=0.01))
    place_wall(twin, 0, 1.0)
    readings = np.array([twin.lidar.scan().ranges[0] for _ in range(400)])
    assert readings.mean() == pytest.approx(1.0, abs=0.002)
    assert readings.std() == pytest.approx(0.01, rel=0.15)


def test_dropout_loses_about_that_share_of_returns(make_twin):
    twin = make_twin(lidar=LidarConfig(range_noise_std=0.0, dropout_probability=0.25))
    place_wall(twin, 0, 1.0)
    lost = np.mean([twin.lidar.scan().ranges[0] == np.inf for _ in range(400)])
    assert lost == pytest.approx(0.25, abs=0.06)


def test_wide_scans_are_cast_in_chunks(make_twin):
    twin = make_twin(lidar=LidarConfig(samples=20000, range_noise_std=0.0))
    place_wall(twin, 0, 1.0)
    ranges = twin.lidar.scan().ranges
    assert len(ranges) == 20000
    assert ranges[0] == pytest.approx(1.0, abs=0.001)
    assert np.isfinite(ranges[19999])  # the last beam (just right of forward) hits it too


def test_inconsistent_settings_are_rejected(make_twin):
    with pytest.raises(ValueError, match='range_min < range_max'):
        make_twin(lidar=LidarConfig(range_min=4.0))
    with pytest.raises(ValueError, match="lidar link 'laser'"):
        make_twin(lidar=LidarConfig(link='laser'))


def test_a_sweep_spreads_its_beams_over_the_steps_of_one_scan_period(make_twin):
    twin = make_twin(lidar=LidarConfig(range_noise_std=0.0))
    place_wall(twin, 90, 1.0)
    cast_per_step = []
    cast = twin.lidar.cast
    twin.lidar.cast = lambda directions: cast_per_step.append(len(directions)) or cast(
        directions)
    scans = [(k, r.scan) for k, r in enumerate(twin.run(0.5)) if r.scan is not None]
    period_steps = round(0.2 / twin.config.physics.step)   # 5 Hz at 240 Hz: 48 steps
    # Scans start every 0.2 s from time 0 and end one turn (less a beam) later.
    assert [k + 1 for k, _ in scans] == [period_steps, 2 * period_steps]
    assert [scan.time_ns for _, scan in scans] == [0, 200_000_000]
    assert max(cast_per_step) <= math.ceil(twin.step_ns / 1e9 / (0.2 / 360)) + 1 == 9
    assert sum(cast_per_step[:period_steps]) == 360
    # A robot at rest sees what an instantaneous scan sees (it settles by microns).
    np.testing.assert_allclose(scans[0][1].ranges, twin.lidar.scan().ranges, atol=1e-5)
    assert scans[0][1].ranges[90] == pytest.approx(1.0, abs=0.001)


def test_a_turning_robot_s_sweep_smears_the_scan_as_a_rotating_lidar_does(make_twin):
    readings = {}
    for sweep in (True, False):
        twin = make_twin(lidar=LidarConfig(range_noise_std=0.0, sweep=sweep))
        place_wall(twin, 0, 1.0)
        twin.set_command(0.0, 2.0)
        readings[sweep] = next(r.scan for r in twin.run(1.0) if r.scan is not None)
        assert twin.config.lidar.time_increment == (pytest.approx(0.2 / 360) if sweep else 0)
    # The wall straight ahead at the start: the first beam reads it either way; later beams
    # were cast while the robot turned, so the swept scan differs from the instant one.
    assert readings[True].ranges[0] == pytest.approx(readings[False].ranges[0], abs=0.01)
    assert not np.array_equal(readings[True].ranges, readings[False].ranges)
    assert readings[False].time_ns == readings[True].time_ns == 0


def test_a_lidar_on_the_root_link_reads_a_wall_too(make_twin):
    twin = make_twin(lidar=LidarConfig(link='base_footprint', range_noise_std=0.0))
    place_wall(twin, 90, 1.5)
    assert twin.lidar.scan().ranges[90] == pytest.approx(1.5, abs=0.001)
