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

"""
Record the contract topics of a live graph into a twin recording (twin_analysis.recording).

The ROS side of recording: raw subscriptions hand the serialized messages, as received, to
the one writer; log times are simulated time (the newest /clock).
"""

from pathlib import Path
import time

from rclpy.qos import (DurabilityPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from rosgraph_msgs.msg import Clock
from twin_analysis.recording import LATCHED_TOPICS, RecordingWriter, TOPICS
from twin_tools.check import message_class

RELIABLE = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)
SENSOR_TOPICS = ('scan', 'imu')


def qos_of(topic: str) -> QoSProfile:
    """Return the QoS a recorder subscribes to topic with (matching its publisher)."""
    if topic in SENSOR_TOPICS:
        return qos_profile_sensor_data
    return LATCHED if topic in LATCHED_TOPICS else RELIABLE


class Recorder:
    """Subscribe to the recorded topics (raw) on a node and write them to one MCAP file."""

    def __init__(self, node, path: Path, command_type: str = TOPICS['cmd_vel']):
        """
        Open path and start recording.

        :param command_type: what cmd_vel carries (Twist or TwistStamped)
        """
        self.writer = RecordingWriter(path)
        self.path = path
        self.sim_ns = 0
        self.wall_start = time.monotonic()
        self.sim_start = None
        node.create_subscription(Clock, '/clock', self._on_clock, RELIABLE)
        for topic, type_name in TOPICS.items():
            type_name = command_type if topic == 'cmd_vel' else type_name
            channel = self.writer.add_channel(node.resolve_topic_name(topic), type_name)
            node.create_subscription(
                message_class(type_name), topic,
                lambda data, c=channel: self.writer.write(c, self.sim_ns, data), qos_of(topic),
                raw=True)

    def _on_clock(self, msg: Clock) -> None:
        self.sim_ns = msg.clock.sec * 1_000_000_000 + msg.clock.nanosec
        if self.sim_start is None:
            self.sim_start = self.sim_ns

    def close(self, world_file: str, robot_file: str) -> dict:
        """
        Finish the file with the run's timing, its files and metadata; return the timing.

        :param world_file: the run's world file, attached for the report ('' for none)
        :param robot_file: the run's robot description, attached expanded
        """
        timing = {'sim_seconds': (self.sim_ns - (self.sim_start or 0)) / 1e9,
                  'wall_seconds': time.monotonic() - self.wall_start}
        self.writer.attach_run_files(world_file, robot_file)
        self.writer.close({**timing, 'world_file': world_file, 'robot_file': robot_file})
        return timing
