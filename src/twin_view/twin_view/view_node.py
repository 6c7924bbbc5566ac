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
``view``: a Foxglove WebSocket server showing the twin live, for a browser or the Foxglove app.

It reads the twin's topics only while a client watches a channel that needs them, so with no
client connected it adds nothing to the twin's work. A client's Teleop panel publishing on
``cmd_vel`` is republished to the twin, whose command gate treats it like any other command.
Documented in this package's README.
"""

from collections import Counter
from dataclasses import dataclass, field
import json
import queue
import sys
from typing import Callable

from diagnostic_msgs.msg import DiagnosticArray
import foxglove
from foxglove.channels import (FrameTransformsChannel, LaserScanChannel, PoseInFrameChannel,
                               PosesInFrameChannel, SceneUpdateChannel)
from foxglove.websocket import Capability
from geometry_msgs.msg import Twist, TwistStamped
from nav_msgs.msg import Odometry
from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
import rclpy
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.node import Node
from rclpy.qos import (DurabilityPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from sensor_msgs.msg import LaserScan
from std_msgs.msg import String
from tf2_msgs.msg import TFMessage
from twin_bridge.command_types import COMMAND_TYPES
from twin_bridge.parameters import start_pose
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_sim.description import DescriptionError
from twin_sim.world import Pose
from twin_sim.worlds import load_world
from twin_view import messages
from twin_view.shapes import loaded_world_shapes, relative_to, robot_shapes, root_link
from twin_view.teleop import check_channel, parse_velocity, same_topic, TeleopError

RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
DIAGNOSTICS_SCHEMA = foxglove.Schema(
    name='diagnostic_msgs/msg/DiagnosticArray', encoding='jsonschema',
    data=json.dumps({'type': 'object', 'properties': {
        'header': {'type': 'object'}, 'status': {'type': 'array'}}}).encode())

# name: (default, description[, (lowest, highest)])
PARAMETERS = {
    'host': ('127.0.0.1', 'address the WebSocket server listens on; 0.0.0.0 for every '
             'interface (the view then has no authentication: trusted networks only)'),
    'port': (8765, 'TCP port of the WebSocket server; 0: any free port', (0, 65535)),
    'world_file': ('', 'world file whose objects are drawn (empty: none)'),
    'spawn.x': (0.0, 'where the robot started in the world (overrides the world file), m'),
    'spawn.y': (0.0, 'as spawn.x, m'),
    'spawn.yaw': (0.0, 'as spawn.x, rad'),
    'odom_frame': ('odom', 'frame of odom and ground_truth/odom, at the start pose'),
    'command_type': ('auto', "type cmd_vel is republished as: 'auto' (as the twin subscribes), "
                     "'geometry_msgs/msg/Twist' or 'geometry_msgs/msg/TwistStamped'"),
    'trail.spacing': (0.05, 'smallest distance between the poses of a drawn path, m',
                      (0.0, 10.0)),
    'trail.length': (2000, 'most poses kept in a drawn path', (1, 1_000_000)),
}


class ViewError(Exception):
    """The view cannot start as configured; the message says what to change."""


def descriptor(description: str, bounds: tuple | None = None) -> ParameterDescriptor:
    """Return a read-only parameter's descriptor, with its range when it has one."""
    result = ParameterDescriptor(description=description, read_only=True)
    if bounds is not None and isinstance(bounds[0], int):
        result.integer_range = [IntegerRange(from_value=bounds[0], to_value=bounds[1])]
    elif bounds is not None:
        result.floating_point_range = [FloatingPointRange(from_value=bounds[0],
                                                          to_value=bounds[1])]
    return result


@dataclass(frozen=True)
class Source:
    """A ROS topic the view reads: one subscription however many channels use it."""

    topic: str
    message_type: type = field(compare=False)
    qos: QoSProfile = field(compare=False)


@dataclass
class Feed:
    """
    One Foxglove channel: what it shows, from which ROS topic, and how.

    :param source: the ROS topic it needs (None: the view makes its content itself)
    :param show: turn a ROS message into what the channel logs (None: nothing to log)
    :param latched: a client that subscribes late gets the last message again
    """

    channel: object
    source: Source | None
    show: Callable | None
    latched: bool = False
    last: object = None


class ViewNode(Node):
    """Serve the twin to Foxglove clients; see the module docstring and README."""

    def __init__(self):
        super().__init__('view')
        self.value = self._declare_parameters()
        self.foxglove_context = foxglove.Context()
        self.events = queue.SimpleQueue()  # from the server's threads to the executor's
        self.wake = self.create_guard_condition(self._handle_events)
        self.watchers = Counter()  # channel id -> subscribed clients
        self.subscriptions_by_topic = {}
        self.command_channels = set()  # (client id, client channel id) accepted as commands
        self.command_publisher = None
        self.command_type_guessed = False   # 'auto' found no subscriber: Twist until one shows
        self.sim_ns = 0
        self.feeds = self._make_feeds()
        try:
            self.server = foxglove.start_server(
                name='twin', host=self.value['host'], port=self.value['port'],
                capabilities=[Capability.ClientPublish, Capability.Time],
                supported_encodings=['json'], server_listener=_Listener(self),
                context=self.foxglove_context)
        except RuntimeError as error:  # the SDK's FoxgloveError: bind failed, bad host
            raise ViewError(f'cannot serve on {self.value["host"]}:{self.value["port"]}: '
                            f'{error}; choose another with -p port:=N (or host)') from None
        self.get_logger().info(
            f'live view on ws://{self.value["host"]}:{self.server.port}: in the Foxglove app, '
            'Open connection -> Foxglove WebSocket -> that address')

    def _declare_parameters(self) -> dict:
        """Declare every parameter; return their values, or raise ViewError naming one."""
        try:
            for name, (default, description, *bounds) in PARAMETERS.items():
                self.declare_parameter(name, default, descriptor(description, *bounds))
        except (InvalidParameterTypeException, InvalidParameterValueException) as error:
            raise ViewError(f'{error}; see the parameters in twin_view/README.md') from None
        value = {name: self.get_parameter(name).value for name in PARAMETERS}
        if value['command_type'] not in {'auto', *COMMAND_TYPES}:
            raise ViewError(f'command_type {value["command_type"]!r} is not one of auto, '
                            f'{", ".join(COMMAND_TYPES)}')
        return value

    def _name(self, topic: str) -> str:
        """Return a topic's full name: in the node's namespace, after any remapping."""
        return self.resolve_topic_name(topic)

    def _make_feeds(self) -> dict:
        """Create every channel (nobody watches yet) and return them by channel id."""
        ctx = {'context': self.foxglove_context}
        ground_truth = Source(self._name('ground_truth/odom'), Odometry, RELIABLE)
        odom = Source(self._name('odom'), Odometry, RELIABLE)
        trail = {'spacing': self.value['trail.spacing'], 'length': self.value['trail.length']}
        odom_trail, truth_trail = messages.Trail(**trail), messages.Trail(**trail)
        feeds = [
            Feed(LaserScanChannel(self._name('scan'), **ctx),
                 Source(self._name('scan'), LaserScan, qos_profile_sensor_data),
                 messages.laser_scan),
            Feed(FrameTransformsChannel(self._name('tf'), **ctx),
                 Source(self._name('tf'), TFMessage, RELIABLE), messages.frame_transforms),
            Feed(FrameTransformsChannel(self._name('tf_static'), **ctx),
                 Source(self._name('tf_static'), TFMessage, LATCHED),
                 messages.frame_transforms, latched=True),
            Feed(PoseInFrameChannel(self._name('ground_truth/pose'), **ctx), ground_truth,
                 messages.pose_in_frame),
            Feed(PoseInFrameChannel(self._name('odom/pose'), **ctx), odom,
                 messages.pose_in_frame),
            Feed(PosesInFrameChannel(self._name('ground_truth/path'), **ctx), ground_truth,
                 lambda msg: truth_trail.message() if truth_trail.add(msg) else None),
            Feed(PosesInFrameChannel(self._name('odom/path'), **ctx), odom,
                 lambda msg: odom_trail.message() if odom_trail.add(msg) else None),
            Feed(foxglove.Channel('/diagnostics', schema=DIAGNOSTICS_SCHEMA,
                                  message_encoding='json', **ctx),
                 Source('/diagnostics', DiagnosticArray, RELIABLE),
                 messages.diagnostics),
            Feed(SceneUpdateChannel(self._name('scene/robot'), **ctx),
                 Source(self._name('robot_description'), String, LATCHED),
                 self._robot_scene, latched=True),
            Feed(SceneUpdateChannel(self._name('scene/world'), **ctx), None, None,
                 latched=True, last=self._world_scene()),
        ]
        return {feed.channel.id(): feed for feed in feeds}

    def _world_scene(self):
        """Return the world file's objects in the odom frame (None without a world file)."""
        world_file = self.value['world_file']
        if not world_file:
            return None
        world = load_world(world_file)
        spawn = start_pose(Pose(x=self.value['spawn.x'], y=self.value['spawn.y'],
                                yaw=self.value['spawn.yaw']), world.spawn)   # as the bridge
        shapes = relative_to(loaded_world_shapes(world), spawn)  # odom is where it started
        return messages.scene_update('world', self.value['odom_frame'], shapes)

    def _robot_scene(self, description):
        """Return the robot's visuals, locked to its root link (moved by tf)."""
        try:
            shapes = robot_shapes(description.data)
        except DescriptionError as error:
            self.get_logger().error(f'cannot draw the robot: {error}')
            return None
        return messages.scene_update('robot', root_link(description.data), shapes,
                                     frame_locked=True)

    # -- events from the server's threads, handled one at a time on the executor's thread --

    def post(self, handler: Callable, *args) -> None:
        """Run ``handler(*args)`` on the executor's thread (called from the server's)."""
        self.events.put((handler, args))
        self.wake.trigger()

    def _handle_events(self) -> None:
        while not self.events.empty():
            handler, args = self.events.get()
            handler(*args)

    def on_subscribe(self, channel_id: int) -> None:
        """Start reading the channel's ROS topic if it is its first watcher; replay latched."""
        feed = self.feeds.get(channel_id)
        if feed is None:
            return
        self.watchers[channel_id] += 1
        self._update_subscriptions()
        if feed.latched and feed.last is not None:
            feed.channel.log(feed.last)

    def on_unsubscribe(self, channel_id: int) -> None:
        """Stop reading ROS topics nobody watches any longer."""
        if self.watchers[channel_id] > 0:
            self.watchers[channel_id] -= 1
        self._update_subscriptions()

    def _update_subscriptions(self) -> None:
        wanted = {feed.source for cid, feed in self.feeds.items()
                  if feed.source is not None and self.watchers[cid] > 0}
        for source in list(self.subscriptions_by_topic):
            if source not in wanted:
                self.destroy_subscription(self.subscriptions_by_topic.pop(source))
        for source in wanted - set(self.subscriptions_by_topic):
            self.subscriptions_by_topic[source] = self.create_subscription(
                source.message_type, source.topic,
                lambda msg, s=source: self._on_message(s, msg), source.qos)

    def _on_message(self, source: Source, msg) -> None:
        stamp = getattr(getattr(msg, 'header', None), 'stamp', None)
        if stamp is not None and messages.stamp_ns(stamp) > self.sim_ns:
            self.sim_ns = messages.stamp_ns(stamp)
            self.server.broadcast_time(self.sim_ns)
        for channel_id, feed in self.feeds.items():
            if feed.source == source and self.watchers[channel_id] > 0:
                shown = feed.show(msg)
                if shown is not None:
                    feed.last = shown if feed.latched else None
                    feed.channel.log(shown, log_time=self.sim_ns)

    # -- commands from a client's Teleop panel --

    def on_client_advertise(self, client_id: int, channel) -> None:
        """Accept a client's channel on the command topic, or say why it is ignored."""
        if not same_topic(channel.topic, self._name('cmd_vel')):
            return
        try:
            check_channel(channel.encoding, channel.schema_name)
        except TeleopError as error:
            self.get_logger().warning(f'client {client_id}, channel {channel.topic}: {error}')
            return
        if self.command_publisher is None:
            self.command_publisher = self._command_publisher()
        self.command_channels.add((client_id, channel.id))

    def on_client_unadvertise(self, client_id: int, channel_id: int) -> None:
        """Drop the command publisher once no client commands (the twin then warns of none)."""
        self.command_channels.discard((client_id, channel_id))
        if not self.command_channels and self.command_publisher is not None:
            self.destroy_publisher(self.command_publisher)
            self.command_publisher = None

    def on_message_data(self, client_id: int, channel_id: int, data: bytes) -> None:
        """Republish a client's command on cmd_vel."""
        if (client_id, channel_id) not in self.command_channels:
            return
        try:
            velocity = parse_velocity(data)
        except TeleopError as error:
            self.get_logger().warning(f'client {client_id}: command ignored: {error}',
                                      throttle_duration_sec=2.0)
            return
        if self.command_type_guessed:
            self._follow_the_subscribed_command_type()
        twist = Twist()
        (twist.linear.x, twist.linear.y, twist.linear.z) = velocity.linear
        (twist.angular.x, twist.angular.y, twist.angular.z) = velocity.angular
        if self.command_publisher.msg_type is TwistStamped:
            # Stamp 0: "received now". The view does not follow /clock (that would load the
            # twin), and the twin judges stamps against its simulated time.
            twist = TwistStamped(twist=twist)
        self.command_publisher.publish(twist)

    def _command_publisher(self):
        """Publish cmd_vel as ``command_type``, or ('auto') as the twin subscribes to it."""
        topic, wanted = self._name('cmd_vel'), self.value['command_type']
        if wanted == 'auto':
            found = self._subscribed_command_types()
            wanted = found[0] if found else 'geometry_msgs/msg/Twist'
            self.command_type_guessed = not found
            if not found:
                self.get_logger().warning(f'nothing subscribes to {topic} yet: commands go out '
                                          'as geometry_msgs/msg/Twist until something does')
        return self.create_publisher(COMMAND_TYPES[wanted], topic, RELIABLE)

    def _subscribed_command_types(self) -> list[str]:
        """Return the command types cmd_vel's subscribers take (discovery may lag)."""
        return [info.topic_type for info in
                self.get_subscriptions_info_by_topic(self._name('cmd_vel'))
                if info.topic_type in COMMAND_TYPES]

    def _follow_the_subscribed_command_type(self) -> None:
        """Once a guessed command type's subscriber shows, publish as it subscribes."""
        found = self._subscribed_command_types()
        if not found:
            return
        self.command_type_guessed = False
        if COMMAND_TYPES[found[0]] is not self.command_publisher.msg_type:
            self.destroy_publisher(self.command_publisher)
            self.command_publisher = self._command_publisher()

    def close(self) -> None:
        """Stop the server (clients see the connection close)."""
        self.server.stop()


class _Listener:
    """The server's callbacks, called on its threads: each hands its event to the node."""

    def __init__(self, node: ViewNode):
        self.node = node

    def on_subscribe(self, client, channel) -> None:
        self.node.post(self.node.on_subscribe, channel.id)

    def on_unsubscribe(self, client, channel) -> None:
        self.node.post(self.node.on_unsubscribe, channel.id)

    def on_client_advertise(self, client, channel) -> None:
        self.node.post(self.node.on_client_advertise, client.id, channel)

    def on_client_unadvertise(self, client, client_channel_id: int) -> None:
        self.node.post(self.node.on_client_unadvertise, client.id, client_channel_id)

    def on_message_data(self, client, client_channel_id: int, data: bytes) -> None:
        self.node.post(self.node.on_message_data, client.id, client_channel_id, data)


def main(args=None) -> int:
    """Run the view until Ctrl-C or SIGTERM; exit 1 with a message for a bad setting."""
    init_without_signal_handlers(args)   # a stop signal from here on ends the spin
    node = None
    try:
        node = ViewNode()
        # A signal ends the spin between callbacks, never in one; one while starting, at once.
        spin_until_signalled(node)
    except (DescriptionError, ViewError) as error:
        print(f'view: {error}', file=sys.stderr)
        return 1
    finally:
        if node is not None:
            node.close()
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
