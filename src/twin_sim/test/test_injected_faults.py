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

"""Injected faults: the file format, the schedule's timing, and each fault's effect (DIRECT)."""

import math

import numpy as np
import pybullet
import pytest
from twin_sim import Pose
from twin_sim.faults import FaultError, FaultSchedule, KINDS, load_faults, parse_faults

NS = 1_000_000_000


def faults(*entries) -> tuple:
    return tuple(parse_faults({'faults': list(entries)}, 'test'))


def walls(world):
    world.add_ground()
    world.add_box('wall', (0.2, 4.0, 0.5), Pose(x=1.0, z=0.25))
    world.add_box('side', (4.0, 0.2, 0.5), Pose(y=1.0, z=0.25))


def run_until(twin, seconds: float) -> list:
    """Step until ``seconds``; return (time s, readings) of every step."""
    steps = []
    while twin.time < seconds - 1e-9:
        readings = twin.step()
        steps.append((twin.time, readings))
    return steps


# -- the file ---------------------------------------------------------------------------


def test_every_shipped_example_loads(robot_xacro):
    examples = sorted((robot_xacro.parents[1] / 'config' / 'faults').glob('*.yaml'))
    assert examples
    kinds = {fault.kind for path in examples for fault in load_faults(path)}
    assert kinds == set(KINDS)   # the examples show every kind


@pytest.mark.parametrize('entry, message', [
    ({'kind': 'lidar_blackout', 'duration': 1.0}, 'faults[0] (lidar_blackout): give either'),
    ({'kind': 'lidar_blackout', 'start': 1, 'rate': 1, 'duration': 1}, 'give either start'),
    ({'kind': 'wheel_slip', 'start': 1, 'duration': 1, 'wheel': 'left'},
     'faults[0] (wheel_slip): traction is required'),
    ({'kind': 'wheel_slip', 'start': 1, 'duration': 1, 'wheel': 'middle', 'traction': 0.5},
     'faults[0] (wheel_slip).wheel: expected one of left, right'),
    ({'kind': 'imu_bias', 'start': 1, 'duration': 1, 'gyro': [1, 2]},
     'faults[0] (imu_bias).gyro: expected a list of 3 numbers'),
    ({'kind': 'lidar_freeze', 'start': -1, 'duration': 1}, '(lidar_freeze).start: expected'),
    ({'kind': 'lidar_freeze', 'start': 1, 'duration': 1, 'speed': 3}, 'unknown key(s) speed'),
    ({'kind': 'smoke', 'start': 1, 'duration': 1}, 'faults[0]: expected a mapping whose kind'),
])
def test_a_bad_entry_is_named_with_its_key(entry, message):
    with pytest.raises(FaultError, match='^test: ') as error:
        parse_faults({'faults': [entry]}, 'test')
    assert message in str(error.value)


def test_a_bad_file_names_the_file(tmp_path):
    path = tmp_path / 'bad.yaml'
    path.write_text('faults:\n  - {kind: imu_freeze, start: 1}\n')
    with pytest.raises(FaultError, match=rf'^{path}: faults\[0\] \(imu_freeze\): duration is'):
        load_faults(path)
    with pytest.raises(FaultError, match='fault file not found'):
        load_faults(tmp_path / 'missing.yaml')


# -- the schedule -----------------------------------------------------------------------


def test_a_timed_fault_is_active_from_its_start_until_its_end_to_the_nanosecond():
    schedule = FaultSchedule(faults({'kind': 'imu_freeze', 'start': 1.5, 'duration': 0.25}),
                             np.random.SeedSequence(0))
    assert schedule.active(1_499_999_999) == []
    assert [f.kind for f in schedule.active(1_500_000_000)] == ['imu_freeze']
    assert schedule.active(1_749_999_999) != []
    assert schedule.next_change_ns(1_600_000_000) == 1_750_000_000
    assert schedule.active(1_750_000_000) == []
    assert schedule.next_change_ns(1_750_000_000) == math.inf


def test_random_onsets_are_seeded_and_come_at_the_given_rate():
    entry = faults({'kind': 'lidar_blackout', 'rate': 0.5, 'duration': 0.1})

    def onsets(seed: int) -> list:
        schedule, found, t = FaultSchedule(entry, np.random.SeedSequence(seed)), [], 0
        while (t := schedule.next_change_ns(t)) < 2000 * NS:
            if schedule.active(t):
                found.append(t)
        return found

    first = onsets(1)
    assert first == onsets(1) and first != onsets(2)
    # Off-time between onsets is exponential with mean 1/rate = 2 s, then 0.1 s on.
    gaps = np.diff(first) / NS - 0.1
    assert gaps.min() >= 0.0
    assert np.mean(gaps) == pytest.approx(2.0, rel=0.15)


def test_injected_faults_count_from_the_injection(make_twin):
    twin = make_twin()
    run_until(twin, 1.0)
    twin.inject_faults(faults({'kind': 'stalled_clock', 'start': 0.0, 'duration': 0.5}))
    assert [f.kind for f in twin.robots[0].bridge_faults] == ['stalled_clock']
    run_until(twin, 1.49)
    assert twin.robots[0].bridge_faults
    run_until(twin, 1.51)
    assert twin.robots[0].bridge_faults == []


def test_faults_start_and_end_on_the_step_and_a_reset_restarts_them(make_twin):
    twin = make_twin(faults=faults({'kind': 'latency_spike', 'start': 0.5, 'duration': 0.25,
                                    'delay': 0.2}))
    for _ in range(2):
        start, active_ns = twin.time_ns, []   # a reset does not rewind time: count from it
        while twin.time_ns - start < NS:
            twin.step()
            if twin.robots[0].bridge_faults:
                active_ns.append(twin.time_ns - start)
        # Steps of 1/240 s: on from step 120 (0.5 s exactly) to step 179, the last before 0.75 s.
        assert active_ns[0] == 500_000_000 and len(active_ns) == 60
        assert active_ns[-1] == twin.time_at(179) == 745_833_333
        twin.reset()


def test_a_fault_for_one_robot_leaves_the_other_alone(make_twin):
    twin = make_twin(spawns=[Pose(), Pose(y=2.0)],
                     faults=faults({'kind': 'stalled_clock', 'start': 0, 'duration': 1,
                                    'robot': 1}))
    assert twin.robots[0].active_faults == [] and twin.robots[1].active_faults


# -- sensor faults ----------------------------------------------------------------------


def scans(steps, start: float, end: float) -> list:
    return [r.scan for t, r in steps if r.scan is not None and start <= t < end]


def test_lidar_blackout_returns_nothing_during_the_fault_only(make_twin):
    twin = make_twin(build_world=walls, faults=faults(
        {'kind': 'lidar_blackout', 'start': 1.0, 'duration': 1.0}))
    steps = run_until(twin, 3.0)
    assert all(np.isinf(s.ranges).all() and (s.ranges > 0).all()
               for s in scans(steps, 1.0, 2.0))
    assert all(np.isfinite(s.ranges).any() for s in scans(steps, 0.0, 1.0) +
               scans(steps, 2.0, 3.0))


def test_lidar_freeze_repeats_the_last_scan_with_new_stamps(make_twin):
    twin = make_twin(build_world=walls, faults=faults(
        {'kind': 'lidar_freeze', 'start': 1.0, 'duration': 1.0}))
    twin.set_command(0.0, 1.0)   # turning: every true scan differs
    steps = run_until(twin, 3.0)
    before, frozen = scans(steps, 0.0, 1.0)[-1], scans(steps, 1.0, 2.0)
    assert len(frozen) >= 4
    assert all(np.array_equal(s.ranges, before.ranges) for s in frozen)
    assert len({s.time_ns for s in frozen}) == len(frozen)
    assert not np.array_equal(scans(steps, 2.0, 3.0)[0].ranges, before.ranges)


def test_lidar_occlusion_blinds_its_sector_only(make_twin):
    sector = {'angle_min': -0.5, 'angle_max': 0.5}
    clear = run_until(make_twin(build_world=walls), 1.0)
    twin = make_twin(build_world=walls, faults=faults(
        {'kind': 'lidar_occlusion', 'start': 0.0, 'duration': 1.0, **sector}))
    occluded = run_until(twin, 1.0)
    angles = twin.lidar.angles
    inside = (angles >= -0.5) & (angles <= 0.5)
    assert inside.sum() > 20   # the sector's beams near 2 pi are outside: angle_min is 0
    for seen, expected in zip(scans(occluded, 0, 1), scans(clear, 0, 1)):
        assert (seen.ranges[inside] == np.inf).all()
        assert np.array_equal(seen.ranges[~inside], expected.ranges[~inside])
    assert np.isfinite(scans(clear, 0, 1)[0].ranges[inside]).any()   # the wall is there


def test_imu_bias_step_adds_its_bias_during_the_fault(make_twin):
    twin = make_twin(faults=faults({'kind': 'imu_bias', 'start': 0.5, 'duration': 0.5,
                                    'gyro': [0.0, 0.0, 0.1], 'accel': [0.2, 0.0, 0.0]}))
    steps = run_until(twin, 1.5)
    gyro_z = {t: r.imu.angular_velocity[2] for t, r in steps if r.imu is not None}
    accel_x = {t: r.imu.linear_acceleration[0] for t, r in steps if r.imu is not None}
    for t, value in gyro_z.items():
        assert value == pytest.approx(0.1 if 0.5 <= t < 1.0 else 0.0, abs=1e-3)
        assert accel_x[t] == pytest.approx(0.2 if 0.5 <= t < 1.0 else 0.0, abs=1e-2)


def test_imu_freeze_repeats_the_last_sample(make_twin):
    twin = make_twin(faults=faults({'kind': 'imu_freeze', 'start': 0.5, 'duration': 0.5}))
    twin.set_command(0.0, 1.0)
    samples = [(t, r.imu) for t, r in run_until(twin, 1.5) if r.imu is not None]
    before = [s for t, s in samples if t < 0.5][-1]
    assert all(s is before for t, s in samples if 0.5 <= t < 1.0)
    assert samples[-1][1].angular_velocity[2] != before.angular_velocity[2]


def test_encoder_dropout_silences_odometry_then_catches_up(make_twin):
    twin = make_twin(faults=faults({'kind': 'encoder_dropout', 'start': 0.5,
                                    'duration': 1.0}))
    twin.set_command(0.2, 0.0)
    steps = run_until(twin, 2.0)
    assert not [t for t, r in steps if r.odometry is not None and 0.5 <= t < 1.5]
    after = next(r.odometry for t, r in steps if r.odometry is not None and t >= 1.5)
    before = [r.odometry for t, r in steps if r.odometry is not None and t < 0.5][-1]
    assert after.x - before.x == pytest.approx(0.2, abs=0.02)   # 1 s at 0.2 m/s


def test_a_stuck_encoder_loses_its_wheel_motion_for_good(make_twin):
    twin = make_twin(faults=faults({'kind': 'encoder_stuck', 'wheel': 'left',
                                    'start': 0.5, 'duration': 0.5}))
    twin.set_command(0.2, 0.0)
    steps = run_until(twin, 2.0)
    odometry = [r.odometry for _, r in steps if r.odometry is not None][-1]
    # The right wheel alone seemed to turn for 0.5 s: odometry turned left, the body did not.
    radius, separation = twin.robot.wheel_radius, twin.robot.wheel_separation
    assert odometry.yaw == pytest.approx(0.2 * 0.5 / separation, rel=0.1)
    assert abs(twin.ground_truth().yaw) < 0.01
    assert radius > 0


# -- wheel faults -----------------------------------------------------------------------


def wheel_joints(twin) -> list:
    """Return the (left, right) wheel joints' (velocity rad/s, applied torque N m)."""
    robot = twin.robot
    states = robot.world.call(pybullet.getJointStates, robot.body, robot.wheels)
    return [(state[1], state[3]) for state in states]


def test_wheel_slip_scales_the_wheels_ground_friction_during_the_fault(make_twin):
    twin = make_twin(faults=faults({'kind': 'wheel_slip', 'wheel': 'left', 'traction': 0.25,
                                    'start': 0.5, 'duration': 0.5}))
    robot = twin.robot

    def frictions():
        return [robot.world.call(pybullet.getDynamicsInfo, robot.body, joint)[1]
                for joint in robot.wheels]

    loaded = frictions()
    run_until(twin, 0.5)
    assert frictions() == [pytest.approx(0.25 * loaded[0]), loaded[1]]
    run_until(twin, 1.0)
    assert frictions() == loaded


def test_a_weak_motor_is_held_to_its_share_of_the_torque(make_twin):
    # The Burger's motors need about 0.04 N m to accelerate at the limit; 2 % of 1 N m is less.
    twin = make_twin(faults=faults({'kind': 'weak_motor', 'wheel': 'left', 'torque': 0.02,
                                    'start': 0.0, 'duration': 1.0}))
    twin.set_command(0.2, 0.0)
    joints = []
    while twin.time < 0.05:
        twin.step()
        joints.append(wheel_joints(twin))
    limit = 0.02 * twin.robot.wheel_torques[0]
    assert max(abs(left[1]) for left, _ in joints) <= limit + 1e-9
    assert max(abs(right[1]) for _, right in joints) > 1.5 * limit
    assert abs(joints[-1][0][0]) < abs(joints[-1][1][0])   # the weak wheel lags


def test_a_stuck_motor_holds_its_wheel_and_turns_the_robot_until_it_ends(make_twin):
    twin = make_twin(faults=faults({'kind': 'stuck_motor', 'wheel': 'left',
                                    'start': 0.5, 'duration': 1.0}))
    twin.set_command(0.2, 0.0)
    run_until(twin, 0.6)
    left_angle = twin.robot.wheel_angles()[0]
    run_until(twin, 1.5)
    assert twin.robot.wheel_angles()[0] == pytest.approx(left_angle, abs=0.05)
    assert twin.ground_truth().yaw > 0.5   # pivoting about the held left wheel
    run_until(twin, 2.0)
    yaw = twin.ground_truth().yaw
    run_until(twin, 2.5)
    assert twin.ground_truth().yaw == pytest.approx(yaw, abs=0.005)   # straight again
    assert twin.robot.wheel_angles()[0] > left_angle + 1.0


def test_a_schedule_counts_from_its_start():
    schedule = FaultSchedule(faults({'kind': 'imu_freeze', 'start': 1.0, 'duration': 1.0}),
                             np.random.SeedSequence(0), start_ns=10 * NS)
    assert schedule.active(10 * NS + NS - 1) == [] and schedule.active(11 * NS)
    assert schedule.next_change_ns(11 * NS) == 12 * NS
