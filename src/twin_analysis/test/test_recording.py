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

"""The one recording writer and reader: schemas, channels, metadata, and finding a run."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from twin_analysis.metrics import final_drift, odometry_in_world, path_length
from twin_analysis.recording import (message_definition, read_attachments, read_messages,
                                     read_run_metadata, RecordingWriter, ROBOT_ATTACHMENT,
                                     WORLD_ATTACHMENT)
from twin_analysis.report import find_recording, keep_a_better_report, run_files
from twin_sim.description import load_robot_description


def test_schemas_carry_every_dependency_once():
    schema = message_definition('nav_msgs/msg/Odometry')
    headers = [line for line in schema.splitlines() if line.startswith('MSG: ')]
    assert 'MSG: geometry_msgs/msg/PoseWithCovariance' in headers
    assert 'MSG: builtin_interfaces/msg/Time' in headers
    assert len(headers) == len(set(headers))


def test_written_messages_and_metadata_read_back(tmp_path):
    path = tmp_path / 'run-1' / 'twin.mcap'
    writer = RecordingWriter(path)
    channel = writer.add_channel('/clock', 'rosgraph_msgs/msg/Clock')
    # A CDR-serialized rosgraph_msgs/Clock of 3 s 500 ns: encapsulation header, sec, nanosec.
    writer.write(channel, 3_000_000_500, bytes([0, 1, 0, 0, 3, 0, 0, 0, 0xF4, 1, 0, 0]))
    writer.close({'sim_seconds': 3.0, 'world_file': '/w/arena.yaml'})
    [(topic, clock)] = list(read_messages(path))
    assert topic == '/clock' and (clock.clock.sec, clock.clock.nanosec) == (3, 500)
    assert read_run_metadata(path) == {'sim_seconds': '3.000000', 'world_file': '/w/arena.yaml'}
    assert find_recording(tmp_path) == find_recording(path.parent) == path


def test_find_recording_says_what_it_expected(tmp_path):
    with pytest.raises(ValueError, match='no recording there'):
        find_recording(tmp_path)


def test_odometry_is_placed_where_the_truth_started_and_drift_is_measured_there():
    truth = [(0.0, 1.0, 2.0, 0.0), (1.0, 2.0, 2.0, 0.0)]
    odometry = [(0.0, 0.0, 0.0, 0.0), (1.0, 1.1, 0.0, 0.0)]   # 10 cm too far
    assert odometry_in_world(truth, odometry)[-1][1:3] == pytest.approx((2.1, 2.0))
    assert final_drift(truth, odometry) == pytest.approx(0.1)
    assert path_length(truth) == pytest.approx(1.0)


def test_quaternion_yaw_of_a_quarter_turn():
    from twin_analysis.metrics import quaternion_yaw
    q = SimpleNamespace(x=0.0, y=0.0, z=2 ** -0.5, w=2 ** -0.5)
    assert quaternion_yaw(q) == pytest.approx(1.5707963)


ROBOT = '<robot name="r"><link name="base_footprint"/></robot>'
WORLD = 'name: tiny\nobjects:\n  - box: {name: b, size: [1, 1, 1], pose: {x: 2}}\n'


def record_run_files(tmp_path, world_text: str = WORLD):
    """Write a recording that carries a world file (then deleted) and a robot."""
    world, robot = tmp_path / 'world.yaml', tmp_path / 'robot.urdf'
    world.write_text(world_text)
    robot.write_text(ROBOT)
    path = tmp_path / 'run-1' / 'twin.mcap'
    writer = RecordingWriter(path)
    writer.attach_run_files(str(world), str(robot))
    writer.close({'world_file': str(world), 'robot_file': str(robot)})
    return path, world


def test_a_recording_carries_its_world_and_robot_and_a_report_uses_them(tmp_path):
    path, world = record_run_files(tmp_path)
    urdf = load_robot_description(ROBOT).urdf   # expanded as the twin loads it
    assert read_attachments(path) == {WORLD_ATTACHMENT: WORLD, ROBOT_ATTACHMENT: urdf}
    with run_files(path, read_run_metadata(path)) as (world_file, robot):
        assert world_file == str(world) and robot == urdf   # the file, while unchanged
    world.unlink()
    with run_files(path, read_run_metadata(path)) as (world_file, robot):
        assert Path(world_file).read_text() == WORLD       # the recorded text
    with run_files(path, {}, world_file='/given.yaml') as (world_file, _):
        assert world_file == '/given.yaml'


def test_a_world_changed_since_the_run_is_not_taken_for_the_recorded_one(tmp_path):
    path, world = record_run_files(tmp_path)
    world.write_text(WORLD.replace('x: 2', 'x: 3'))
    with run_files(path, read_run_metadata(path)) as (world_file, _):
        assert world_file != str(world) and Path(world_file).read_text() == WORLD


def test_a_report_without_a_world_never_replaces_one_with_a_map(tmp_path):
    txt = tmp_path / 'report.txt'
    txt.write_text('distance travelled   1.00 m (ground truth)\n'
                   'minimum clearance    0.120 m to any obstacle\n')
    with pytest.raises(ValueError, match='that report is kept'):
        keep_a_better_report(txt, None)
    keep_a_better_report(txt, '/w/arena.yaml')   # with a world: may replace it
    txt.write_text('minimum clearance    nan m to any obstacle\n')
    keep_a_better_report(txt, None)              # nothing better to keep
