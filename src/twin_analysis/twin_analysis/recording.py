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
The one reader and writer of twin recordings: MCAP files as rosbag2 writes them.

Payloads are serialized (CDR) messages, schemas the ``ros2msg`` text of each type with its
dependencies, so ``ros2 bag info``/``play`` and Foxglove read the file. Log times are
simulated time, so a recording replays at the twin's pace. Pure: no rclpy; the ROS side
(twin_tools.recorder) hands over raw messages.
"""

from pathlib import Path
import re
from typing import Iterable, Iterator

from ament_index_python.packages import get_package_share_directory
from mcap.reader import make_reader
from mcap.writer import Writer
from mcap_ros2.reader import read_ros2_messages

# topic: type -- the contract's topics, the command, and ground truth for the report
TOPICS = {
    'scan': 'sensor_msgs/msg/LaserScan',
    'imu': 'sensor_msgs/msg/Imu',
    'odom': 'nav_msgs/msg/Odometry',
    'joint_states': 'sensor_msgs/msg/JointState',
    'tf': 'tf2_msgs/msg/TFMessage',
    'tf_static': 'tf2_msgs/msg/TFMessage',
    'cmd_vel': 'geometry_msgs/msg/Twist',
    'ground_truth/odom': 'nav_msgs/msg/Odometry',
    # injected faults and the episode's variation (latched; docs/models.md): a run's re-creation
    'sim/faults': 'std_msgs/msg/String',
    'sim/variation': 'std_msgs/msg/String',
}
LATCHED_TOPICS = ('tf_static', 'sim/faults', 'sim/variation')
RUN_METADATA = 'twin_run'
# The attachments that make a recording self-contained: what its report needs.
WORLD_ATTACHMENT = 'world.yaml'   # the world file's text, as the run read it
ROBOT_ATTACHMENT = 'robot.urdf'   # the robot description, expanded (xacro run)
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


class RecordingWriter:
    """Write serialized messages into one MCAP file, one channel per topic."""

    def __init__(self, path: Path):
        """Create ``path`` (and its folder) and start the file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, 'wb')
        self._writer = Writer(self._file)
        self._writer.start(profile='ros2', library='twin')
        self.count = 0

    def add_channel(self, topic: str, type_name: str) -> int:
        """Register a topic (its full name) of a message type; return its channel id."""
        schema = self._writer.register_schema(
            name=type_name, encoding='ros2msg', data=message_definition(type_name).encode())
        return self._writer.register_channel(topic=topic, message_encoding='cdr',
                                             schema_id=schema)

    def write(self, channel: int, sim_ns: int, data: bytes) -> None:
        """Write one serialized message, logged at simulated time ``sim_ns``."""
        self._writer.add_message(channel_id=channel, log_time=sim_ns, publish_time=sim_ns,
                                 data=data, sequence=self.count)
        self.count += 1

    def attach_run_files(self, world_file: str, robot_file: str) -> None:
        """
        Attach the world file's text and the expanded robot description of the run.

        A report then needs nothing but the recording, wherever it is copied to.

        :param world_file: the run's world file ('' for a bare ground plane: none attached)
        :param robot_file: the run's URDF or xacro file
        """
        # Here, not at the top: the core imports pybullet, which a recording otherwise
        # never needs (and which prints its build time).
        from twin_sim.description import load_robot_description
        if world_file:
            self._attach(WORLD_ATTACHMENT, Path(world_file).read_text(), 'application/yaml')
        self._attach(ROBOT_ATTACHMENT, load_robot_description(robot_file).urdf,
                     'application/xml')

    def _attach(self, name: str, text: str, media_type: str) -> None:
        self._writer.add_attachment(create_time=0, log_time=0, name=name,
                                    media_type=media_type, data=text.encode())

    def close(self, metadata: dict[str, float | str]) -> None:
        """
        Store the run's metadata and finish the file.

        :param metadata: e.g. sim_seconds and wall_seconds (numbers), world_file and
            robot_file (paths the report needs)
        """
        self._writer.add_metadata(RUN_METADATA, {
            k: f'{v:.6f}' if isinstance(v, float) else str(v) for k, v in metadata.items()})
        self._writer.finish()
        self._file.close()


def read_messages(path: Path) -> Iterator[tuple[str, object]]:
    """Yield (topic, decoded message) of a recording in log-time order."""
    for topic, _, msg in read_timed_messages(path):
        yield topic, msg


def read_timed_messages(path: Path, topics: Iterable[str] | None = None
                        ) -> Iterator[tuple[str, int, object]]:
    """
    Yield (topic, log time in ns, decoded message) of a recording in log-time order.

    :param topics: read only these topics (full names as recorded); None: every topic.
        Messages of other topics are not decoded, which saves most of the time.
    """
    for message in read_ros2_messages(str(path), topics=None if topics is None
                                      else list(topics)):
        yield message.channel.topic, message.log_time_ns, message.ros_msg


def recorded_topics(path: Path) -> dict[str, str]:
    """Return {topic: message type} of every channel of a recording."""
    with open(path, 'rb') as file:
        summary = make_reader(file).get_summary()
    if summary is None:
        return {}
    return {channel.topic: summary.schemas[channel.schema_id].name
            for channel in summary.channels.values()}


def read_run_metadata(path: Path) -> dict[str, str]:
    """Return the run's metadata as written (strings), or {} if it has none."""
    with open(path, 'rb') as file:
        for record in make_reader(file).iter_metadata():
            if record.name == RUN_METADATA:
                return dict(record.metadata)
    return {}


def read_attachments(path: Path) -> dict[str, str]:
    """Return a recording's attachments (text) by name, e.g. :data:`WORLD_ATTACHMENT`."""
    with open(path, 'rb') as file:
        return {attachment.name: attachment.data.decode()
                for attachment in make_reader(file).iter_attachments()}
