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
Record the contract topics into an MCAP file, as rosbag2 writes them.

Payloads are the serialized (CDR) messages as received, schemas the ``ros2msg`` text of each
type with its dependencies, so ``ros2 bag info``/``play`` and Foxglove read the file. Log
times are simulated time (the newest ``/clock``), so a recording replays at the twin's pace.
"""

from pathlib import Path
import re
import time

from ament_index_python.packages import get_package_share_directory
from mcap.writer import Writer
from rclpy.qos import (DurabilityPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from rosgraph_msgs.msg import Clock

from twin.check import message_class

RELIABLE = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)
# topic: (type, QoS) -- the contract's topics, the command, and ground truth for the report
TOPICS = {
    'scan': ('sensor_msgs/msg/LaserScan', qos_profile_sensor_data),
    'imu': ('sensor_msgs/msg/Imu', qos_profile_sensor_data),
    'odom': ('nav_msgs/msg/Odometry', RELIABLE),
    'joint_states': ('sensor_msgs/msg/JointState', RELIABLE),
    'tf': ('tf2_msgs/msg/TFMessage', RELIABLE),
    'tf_static': ('tf2_msgs/msg/TFMessage', LATCHED),
    'cmd_vel': ('geometry_msgs/msg/Twist', RELIABLE),
    'ground_truth/odom': ('nav_msgs/msg/Odometry', RELIABLE),
}
PRIMITIVES = {'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16',
              'uint16', 'int32', 'uint32', 'int64', 'uint64', 'string', 'wstring'}


def _msg_text(package: str, name: str) -> str:
    return Path(get_package_share_directory(package), 'msg', f'{name}.msg').read_text()


def _dependencies(package: str, text: str) -> list[tuple[str, str]]:
    """Return the (package, type) of every non-primitive field of a .msg text."""
    found = []
    for line in text.splitlines():
        code = line.split('#', 1)[0].split()
        if not code:
            continue
        # 'geometry_msgs/Point[]', 'float64[36]', 'string<=10': the type before any bound.
        field_type = re.split(r'[\[<]', code[0], maxsplit=1)[0]
        if field_type in PRIMITIVES:
            continue
        parts = field_type.split('/')
        found.append((parts[0], parts[-1]) if len(parts) > 1 else (package, parts[0]))
    return found


def message_definition(type_name: str) -> str:
    """Return a type's ``ros2msg`` schema: its .msg text, then each dependency's, once."""
    package, _, name = type_name.split('/')
    sections = [_msg_text(package, name)]
    queue, seen = _dependencies(package, sections[0]), set()
    while queue:
        dependency = queue.pop(0)
        if dependency in seen:
            continue
        seen.add(dependency)
        text = _msg_text(*dependency)
        sections.append(f'{"=" * 80}\nMSG: {dependency[0]}/msg/{dependency[1]}\n{text}')
        queue += _dependencies(dependency[0], text)
    return '\n'.join(sections)


class Recorder:
    """Subscribe to the recorded topics (raw) on a node and write them to one MCAP file."""

    def __init__(self, node, path: Path, command_type: str = 'geometry_msgs/msg/Twist'):
        """Open ``path`` and start recording; ``command_type`` is what cmd_vel carries."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = open(path, 'wb')
        self.writer = Writer(self.file)
        self.writer.start(profile='ros2', library='twin')
        self.sim_ns = 0
        self.wall_start = time.monotonic()
        self.sim_start = None
        self.count = 0
        node.create_subscription(Clock, '/clock', self._on_clock, RELIABLE)
        for topic, (type_name, qos) in TOPICS.items():
            type_name = command_type if topic == 'cmd_vel' else type_name
            schema = self.writer.register_schema(
                name=type_name, encoding='ros2msg',
                data=message_definition(type_name).encode())
            channel = self.writer.register_channel(
                topic=node.resolve_topic_name(topic), message_encoding='cdr', schema_id=schema)
            node.create_subscription(message_class(type_name), topic,
                                     lambda data, c=channel: self._write(c, data), qos,
                                     raw=True)

    def _on_clock(self, msg: Clock) -> None:
        self.sim_ns = msg.clock.sec * 1_000_000_000 + msg.clock.nanosec
        if self.sim_start is None:
            self.sim_start = self.sim_ns

    def _write(self, channel: int, data: bytes) -> None:
        self.writer.add_message(channel_id=channel, log_time=self.sim_ns,
                                publish_time=self.sim_ns, data=data, sequence=self.count)
        self.count += 1

    def close(self) -> dict:
        """Finish the file; return the run's timing (sim and wall seconds)."""
        timing = {'sim_seconds': (self.sim_ns - (self.sim_start or 0)) / 1e9,
                  'wall_seconds': time.monotonic() - self.wall_start}
        self.writer.add_metadata('twin_run', {k: f'{v:.6f}' for k, v in timing.items()})
        self.writer.finish()
        self.file.close()
        return timing
