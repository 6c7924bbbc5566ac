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

"""Wheel odometry against ground truth, and the command limits (PyBullet DIRECT)."""

import math

import numpy as np
import pybullet
import pytest
from twin_sim import DriveConfig, DriveLimits, OdometryConfig
from twin_sim.robot import rotate


def drive_straight(twin, distance: float, speed: float = 0.2):
    """Drive forward until ground truth passes ``distance``; return the last odometry."""
    twin.set_command(speed, 0.0)
    odometry = None
    while twin.ground_truth().position[0] < distance:
        readings = twin.step()
        odometry = readings.odometry or odometry
        assert twin.time < 3.0 * distance / speed, 'the robot does not move'
    return odometry


def drift(twin, odometry) -> float:
    return float(np.hypot(odometry.x - twin.ground_truth().position[0],
                          odometry.y - twin.ground_truth().position[1]))


def test_driving_one_metre_odometry_agrees_with_ground_truth(make_twin):
    twin = make_twin()
    odometry = drive_straight(twin, 1.0)
    truth = twin.ground_truth()
    assert odometry.x == pytest.approx(truth.position[0], rel=0.01)
    assert odometry.linear == pytest.approx(0.2, rel=0.01)
    assert truth.linear_velocity[0] == pytest.approx(0.2, rel=0.01)


def test_noise_and_calibration_error_make_drift_that_grows(make_twin):
    noisy = OdometryConfig(encoder_noise_std=0.002, wheel_radius_error=0.02,
                           wheel_separation_error=0.03)
    twin = make_twin(odometry=noisy)
    drift_at_1m = drift(twin, drive_straight(twin, 1.0))
    drift_at_3m = drift(twin, drive_straight(twin, 3.0))
    assert drift_at_1m > 0.005
    assert drift_at_3m > 2.0 * drift_at_1m


def test_without_noise_the_only_odometry_error_is_encoder_resolution(make_twin):
    twin = make_twin(odometry=OdometryConfig(encoder_ticks_per_revolution=0))
    assert drift(twin, drive_straight(twin, 2.0)) < 0.01


def test_variances_grow_with_distance_and_come_from_the_encoder_model(make_twin):
    twin = make_twin(odometry=OdometryConfig(encoder_noise_std=0.01))
    short = drive_straight(twin, 0.5)
    longer = drive_straight(twin, 1.5)
    assert 0.0 < short.position_variance < longer.position_variance
    assert 0.0 < short.yaw_variance < longer.yaw_variance
    assert longer.linear_variance > 0.0 and longer.angular_variance > 0.0


def test_twist_is_in_the_base_frame_at_any_heading(make_twin):
    twin = make_twin()
    twin.set_command(0.0, 2.0)
    twin.run(1.0)
    twin.set_command(0.15, 0.0)
    odometry = [r.odometry for r in twin.run(2.0) if r.odometry][-1]
    assert odometry.linear == pytest.approx(0.15, rel=0.02)
    assert twin.ground_truth().linear_velocity[0] == pytest.approx(0.15, rel=0.02)


def test_a_ten_metre_per_second_command_is_limited(make_twin):
    limits = DriveLimits(max_linear_velocity=0.22, max_linear_acceleration=1.0)
    twin = make_twin(drive=DriveConfig(limits=limits))
    twin.set_command(10.0, 0.0)
    dt = 0.05
    speeds = []
    for _ in range(40):
        twin.run(dt)
        speeds.append(twin.ground_truth().linear_velocity[0])
    assert max(speeds) <= 0.22 * 1.01
    assert speeds[-1] == pytest.approx(0.22, rel=0.01)
    accelerations = np.diff([0.0] + speeds) / dt
    assert accelerations.max() <= 1.0 * 1.05


def test_wheel_geometry_is_measured_from_the_urdf(make_twin):
    robot = make_twin().robot
    assert robot.wheel_radius == pytest.approx(0.033)
    assert robot.wheel_separation == pytest.approx(0.160)
    assert robot.wheel_torques == pytest.approx([1.0, 1.0])  # the joints' effort limit
    assert robot.physical.left_radius == robot.physical.right_radius == robot.wheel_radius
    assert robot.physical.separation == pytest.approx(robot.wheel_separation)  # as told


def test_ground_truth_from_the_start_is_in_the_odometry_frame(make_twin):
    from twin_sim import Pose
    twin = make_twin(spawn=Pose(x=1.0, y=2.0, yaw=1.5707963267948966))
    odometry = drive_straight_along_y(twin, 0.5)
    relative = twin.ground_truth(from_start=True)
    assert relative.position[0] == pytest.approx(odometry.x, abs=0.005)
    assert relative.position[0] == pytest.approx(0.5, abs=0.01)
    assert abs(relative.position[1]) < 0.005
    assert relative.yaw == pytest.approx(0.0, abs=0.01)


def test_teleport_in_world_and_start_frames(make_twin):
    from twin_sim import Pose
    twin = make_twin(spawn=Pose(x=1.0, y=2.0, yaw=1.5707963267948966))
    twin.teleport(Pose(x=-1.0, y=0.5))
    assert twin.ground_truth().position[:2] == pytest.approx([-1.0, 0.5], abs=1e-6)
    twin.teleport(Pose(x=0.5), from_start=True)   # 0.5 m ahead of the start, facing +y
    assert twin.ground_truth().position[:2] == pytest.approx([1.0, 2.5], abs=1e-6)


def drive_straight_along_y(twin, distance: float):
    """Drive forward (the robot faces +y) until ground truth has moved ``distance``."""
    start_y = twin.ground_truth().position[1]
    twin.set_command(0.2, 0.0)
    odometry = None
    while twin.ground_truth().position[1] - start_y < distance:
        odometry = twin.step().odometry or odometry
    return odometry


def test_geometry_can_be_overridden(make_twin):
    robot = make_twin(drive=DriveConfig(wheel_radius=0.035, wheel_separation=0.2,
                                        max_wheel_torque=2.0)).robot
    assert (robot.wheel_radius, robot.wheel_separation) == (0.035, 0.2)
    assert robot.wheel_torques == [2.0, 2.0]
    # The firmware's (nominal) geometry changed, not the body's.
    assert (robot.physical.left_radius, robot.physical.right_radius) == (0.033, 0.033)
    assert robot.physical.separation == pytest.approx(0.160)


def test_motor_settings_go_to_pybullet_only_when_they_change(make_twin, monkeypatch):
    twin = make_twin()
    sent = []
    real = pybullet.setJointMotorControlArray
    monkeypatch.setattr(pybullet, 'setJointMotorControlArray',
                        lambda *args, **kwargs: sent.append(kwargs) or real(*args, **kwargs))
    twin.run(1.0)   # standing: the wheels held where they are
    assert len(sent) <= 1
    twin.set_command(0.1, 0.3)
    steps = len(twin.run(0.5))
    assert len(sent) >= steps   # driving: the held angles advance every step
    twin.set_command(0.0, 0.0)
    twin.run(2.0)
    stopped = len(sent)
    twin.run(1.0)
    assert len(sent) == stopped
    twin.reset()   # a restored world: the settings are sent again
    twin.step()
    assert len(sent) == stopped + 1


def test_rotate_turns_a_vector_into_world_axes_and_back():
    quarter_turn = pybullet.getQuaternionFromEuler((0.0, 0.0, math.pi / 2))
    assert np.allclose(rotate(quarter_turn, (1.0, 0.0, 0.0)), (0.0, 1.0, 0.0), atol=1e-15)
    assert np.allclose(rotate(quarter_turn, (1.0, 0.0, 0.0), into_frame=True),
                       (0.0, -1.0, 0.0), atol=1e-15)
    tilted = pybullet.getQuaternionFromEuler((0.3, -0.2, 1.1))
    vector = (0.4, -1.2, 2.0)
    assert np.allclose(rotate(tilted, vector), rotation_matrix(tilted) @ vector, atol=1e-15)
    assert np.allclose(rotate(tilted, rotate(tilted, vector), into_frame=True), vector,
                       atol=1e-15)


def rotation_matrix(quaternion) -> np.ndarray:
    """Return the 3x3 rotation matrix of an (x, y, z, w) quaternion (numpy, to check against)."""
    return np.array(pybullet.getMatrixFromQuaternion(quaternion)).reshape(3, 3)


def test_ground_truth_velocities_are_the_link_velocities_in_its_own_axes(make_twin):
    twin = make_twin()
    twin.set_command(0.2, 1.0)
    twin.run(1.0)
    robot = twin.robot
    for link in (-1, robot.link_index('base_scan', 'test')):
        state = robot.link_state(link)
        if link < 0:
            com = pybullet.getBasePositionAndOrientation(robot.body,
                                                         physicsClientId=twin.world.client)[0]
            linear, angular = pybullet.getBaseVelocity(robot.body,
                                                       physicsClientId=twin.world.client)
        else:
            raw = pybullet.getLinkState(robot.body, link, computeLinkVelocity=1,
                                        physicsClientId=twin.world.client)
            com, linear, angular = raw[0], raw[6], raw[7]
        origin_linear = np.array(linear) + np.cross(angular, state.position - np.array(com))
        rotation = rotation_matrix(state.orientation)
        assert np.allclose(rotation @ state.linear_velocity, origin_linear, atol=1e-12)
        assert np.allclose(rotation @ state.angular_velocity, angular, atol=1e-12)
    start = twin.ground_truth(from_start=True)
    now, origin = twin.ground_truth(), twin.robots[0].start
    expected = rotation_matrix(origin.orientation).T @ (now.position - origin.position)
    assert np.allclose(start.position, expected, atol=1e-12)
