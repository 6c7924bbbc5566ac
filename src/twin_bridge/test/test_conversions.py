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

"""Conversions to messages, robot-state transforms and the parameter file, without DDS."""

from pathlib import Path

import numpy as np
import pytest
from twin_bridge import conversions
from twin_bridge.parameters import PARAMETERS
from twin_bridge.robot_state import RobotStatePublisher
from twin_sim import (ImuConfig, ImuSample, LidarConfig, load_robot_description,
                      OdometryEstimate, Scan)
import yaml

CONFIG = Path(__file__).resolve().parents[3] / 'config' / 'twin_bridge.yaml'


def test_stamps_are_exact_nanoseconds():
    stamp = conversions.stamp(12_345_678_901)
    assert (stamp.sec, stamp.nanosec) == (12, 345_678_901)


def test_a_reply_carries_the_sim_time_for_people_and_for_programs():
    note = conversions.sim_time_note(3_000_000_007)
    assert note.startswith('at sim time 3.000000007 s')
    assert conversions.reply_sim_time_ns(f'paused {note}') == 3_000_000_007
    with pytest.raises(ValueError, match='no sim_time_ns='):
        conversions.reply_sim_time_ns('paused')


def test_scan_keeps_infinities_and_the_constant_fields():
    config = LidarConfig()
    converter = conversions.ScanConverter(config, 'base_scan')
    ranges = np.array([np.inf, 1.0, -np.inf] + [2.0] * 357)
    msg = converter.convert(Scan(ranges, 5_000_000_000))
    assert list(msg.ranges[:3]) == [np.inf, 1.0, -np.inf]
    assert (msg.header.frame_id, msg.header.stamp.sec) == ('base_scan', 5)
    assert msg.angle_increment == pytest.approx(config.angle_increment)
    # A rotating LDS-01 at 5 Hz: one turn in 0.2 s, 360 beams.
    assert msg.time_increment == pytest.approx(0.2 / 360)
    assert msg.scan_time == pytest.approx(0.2)
    assert (msg.range_min, msg.range_max) == pytest.approx((0.12, 3.5))


def test_imu_orientation_covariance_comes_from_the_model_and_is_not_all_zero():
    config = ImuConfig()
    sample = ImuSample(np.array([0.0, 0.0, 0.0, 1.0]), np.zeros(3), np.array([0, 0, 9.81]),
                       config.orientation_noise_std ** 2, 0.0, 0.0)
    msg = conversions.imu(sample, 'imu_link', 0)
    assert msg.orientation_covariance[0] == msg.orientation_covariance[8] == \
        pytest.approx(config.orientation_noise_std ** 2)
    assert msg.orientation_covariance[0] > 0.0   # zero would mean "exactly known"


def test_a_refilled_imu_message_takes_each_sample_whole():
    msg = None
    for value, variance in ((0.1, 0.01), (0.2, 0.01), (0.3, 0.04), (0.3, 0.0)):
        sample = ImuSample(np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, 0.0, value]),
                           (0.0, 0.0, 9.81), variance, variance, variance)
        msg = conversions.imu(sample, 'imu_link', 0, msg)
        assert msg.angular_velocity.z == value and msg.linear_acceleration.z == 9.81
        for covariance in (msg.orientation_covariance, msg.angular_velocity_covariance,
                           msg.linear_acceleration_covariance):
            assert list(covariance) == [variance, 0, 0, 0, variance, 0, 0, 0, variance]


def test_floats_are_python_floats_from_arrays_and_sequences():
    for values in (np.array([1.0, 2.5, -0.5]), (1, 2.5, -0.5), [np.float32(1.0), 2.5, -0.5]):
        floats = conversions.floats(values)
        assert floats == [1.0, 2.5, -0.5] and all(type(v) is float for v in floats)


def test_odometry_twist_in_child_frame_and_covariance_from_the_model():
    estimate = OdometryEstimate(1.0, 2.0, np.pi / 2, 0.2, 0.1, position_variance=0.01,
                                yaw_variance=0.02, linear_variance=0.003,
                                angular_variance=0.004)
    msg = conversions.odometry(estimate, 'odom', 'base_footprint', 0)
    assert msg.twist.twist.linear.x == 0.2   # forward, whatever the heading
    assert msg.pose.pose.orientation.z == pytest.approx(np.sqrt(0.5))
    assert (msg.pose.covariance[0], msg.pose.covariance[35]) == (0.01, 0.02)
    assert (msg.twist.covariance[0], msg.twist.covariance[35]) == (0.003, 0.004)


def test_robot_state_has_the_fixed_joints_and_turns_the_wheels(robot_xacro):
    urdf = load_robot_description(robot_xacro).xml
    publisher = RobotStatePublisher(urdf, 'r1/')
    static = {(t.header.frame_id, t.child_frame_id): t for t in publisher.static_transforms(0)}
    assert ('r1/base_link', 'r1/base_scan') in static
    assert static[('r1/base_link', 'r1/base_scan')].transform.translation.z == \
        pytest.approx(0.162)
    wheels = publisher.moving_transforms({'wheel_left_joint': np.pi}, 0)
    left = next(t for t in wheels if t.child_frame_id == 'r1/wheel_left_link')
    assert left.transform.translation.y == pytest.approx(0.08)


def test_parameter_file_lists_every_parameter_with_its_default():
    listed = yaml.safe_load(CONFIG.read_text())['/**']['ros__parameters']

    def flatten(tree, prefix=''):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from flatten(value, f'{prefix}{key}.')
            else:
                yield f'{prefix}{key}', value
    listed = dict(flatten(listed))
    table = {p.name: p.default for p in PARAMETERS}
    assert set(listed) == set(table) - {'robot_description'}
    for name, value in listed.items():
        if name not in ('robot_description_file', 'world_file'):
            assert value == pytest.approx(table[name]), name


def test_readme_documents_every_parameter():
    readme = (Path(__file__).resolve().parents[1] / 'README.md').read_text()
    missing = [p.name for p in PARAMETERS if f'| `{p.name}` |' not in readme]
    assert not missing, f'src/twin_bridge/README.md lacks {missing}'


def test_the_serialized_streams_carry_what_the_message_builders_do():
    # Compared as messages: CDR padding bytes are not specified, so bytes may differ there.
    from nav_msgs.msg import Odometry
    from rclpy.serialization import deserialize_message
    from rosgraph_msgs.msg import Clock
    from sensor_msgs.msg import Imu
    from twin_sim.robot import BodyState
    rng = np.random.default_rng(7)
    imu = conversions.SerializedImu('tb1/imu_link')
    odom = conversions.SerializedOdometry('tb1/odom', 'tb1/base_footprint')
    truth = conversions.SerializedOdometry('world', 'tb1/base_footprint')
    clock = conversions.SerializedClock()
    for _ in range(20):   # each refill overwrites every number of the one before
        time_ns = int(rng.integers(0, 10**13))
        quaternion = rng.normal(size=4) / 2.0
        sample = ImuSample(quaternion, rng.normal(size=3), rng.normal(size=3), *rng.random(3))
        estimate = OdometryEstimate(*rng.normal(size=5), *rng.random(4))
        state = BodyState(rng.normal(size=3), quaternion, rng.normal(size=3), rng.normal(size=3))
        assert deserialize_message(imu.fill(sample, time_ns), Imu) == conversions.imu(
            sample, 'tb1/imu_link', time_ns)
        assert deserialize_message(odom.fill(estimate, time_ns), Odometry) == \
            conversions.odometry(estimate, 'tb1/odom', 'tb1/base_footprint', time_ns)
        assert deserialize_message(truth.fill_truth(state, time_ns), Odometry) == \
            conversions.ground_truth(state, 'world', 'tb1/base_footprint', time_ns)
        assert deserialize_message(clock.fill(time_ns), Clock) == conversions.clock(time_ns)
        held = sample._replace(angular_velocity=rng.normal(size=3))   # the same variances
        assert deserialize_message(imu.fill(held, time_ns), Imu) == conversions.imu(
            held, 'tb1/imu_link', time_ns)
    assert deserialize_message(clock.fill(1), Clock) != conversions.clock(2)   # it can fail


def test_the_serialized_tf_and_joint_states_carry_what_the_message_builders_do(robot_xacro):
    # tf: odom -> base as odom_transform builds it, then the wheels as robot_state_publisher
    # would; joint states as joint_state builds them. Compared as messages (CDR padding).
    from rclpy.serialization import deserialize_message
    from sensor_msgs.msg import JointState
    from tf2_msgs.msg import TFMessage
    rng = np.random.default_rng(11)
    robot_state = RobotStatePublisher(load_robot_description(robot_xacro).xml, 'tb1/')
    joints = ['wheel_left_joint', 'wheel_right_joint']
    tf = conversions.SerializedTransforms([('tb1/odom', 'tb1/base_footprint')] +
                                          robot_state.moving_frames())
    odom_only = conversions.SerializedTransforms([('tb1/odom', 'tb1/base_footprint')])
    joint_states = conversions.SerializedJointState(joints)
    for _ in range(20):   # each refill overwrites every number of the one before
        time_ns = int(rng.integers(0, 10**13))
        estimate = OdometryEstimate(*rng.normal(size=5), *rng.random(4))
        positions, velocities = list(rng.normal(size=2) * 50.0), list(rng.normal(size=2))
        wheels = dict(zip(joints, positions))
        built = TFMessage(transforms=[conversions.odom_transform(
            estimate, 'tb1/odom', 'tb1/base_footprint', time_ns)] +
            robot_state.moving_transforms(wheels, time_ns))
        poses = [conversions.planar_pose(estimate)] + robot_state.moving_poses(wheels)
        assert len(built.transforms) == 3
        assert deserialize_message(tf.fill(poses, time_ns), TFMessage) == built
        assert deserialize_message(odom_only.fill(poses[:1], time_ns), TFMessage) == \
            TFMessage(transforms=built.transforms[:1])
        assert deserialize_message(joint_states.fill(positions, velocities, time_ns),
                                   JointState) == conversions.joint_state(
            joints, positions, velocities, time_ns)
    with pytest.raises(ValueError):   # one pose a transform
        tf.fill(poses[:2], 0)
    swapped = conversions.joint_state(joints, positions[::-1], velocities, time_ns)
    assert deserialize_message(joint_states.fill(positions, velocities, time_ns),
                               JointState) != swapped   # it can fail
