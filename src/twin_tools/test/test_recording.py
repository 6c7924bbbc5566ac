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

"""Recording a run to MCAP and reporting it: the file decodes, the report is written."""

import shutil
import subprocess

from mcap_ros2.reader import read_ros2_messages
from twin_analysis.report import main as report_main


def test_a_recorded_controller_run_decodes_and_gets_a_report(tmp_path, world_file):
    world = tmp_path / 'my_arena.yaml'   # a world of the user's, gone after the run
    shutil.copy(world_file('arena'), world)
    result = subprocess.run(
        [shutil.which('twin'), 'run', '--world', str(world), '--controller', 'obstacle_stop',
         '--real-time-factor', '4', '--duration', '12', '--record', str(tmp_path)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    [recording] = tmp_path.glob('run-*/twin.mcap')
    topics = {}
    for message in read_ros2_messages(str(recording)):   # decoding checks the schemas
        topics[message.channel.topic] = topics.get(message.channel.topic, 0) + 1
    for topic in ('/scan', '/imu', '/odom', '/joint_states', '/tf', '/tf_static', '/cmd_vel',
                  '/ground_truth/odom', '/sim/faults', '/sim/variation'):
        assert topics.get(topic, 0) > 0, f'{topic} missing from {sorted(topics)}'
    report = recording.with_name('report.txt').read_text()
    assert 'distance travelled' in report and 'minimum clearance' in report
    distance = float(report.split('distance travelled')[1].split()[0])
    assert distance > 0.5                       # the controller drove
    assert recording.with_name('report.png').stat().st_size > 20_000
    # `twin report` makes the same report from the recording alone, copied elsewhere after
    # the world file is gone: the recording carries the world and the robot.
    world.unlink()
    alone = tmp_path / 'copied' / 'twin.mcap'
    alone.parent.mkdir()
    shutil.copy(recording, alone)
    assert report_main([str(alone)]) == 0
    assert alone.with_name('report.txt').read_text() == report
    assert alone.with_name('report.png').read_bytes() == recording.with_name(
        'report.png').read_bytes()
