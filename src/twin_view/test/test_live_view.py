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

"""The view over a real WebSocket, beside a real bridge: what a Foxglove app would see."""

import json
import math

from foxglove_client import decode, FoxgloveClient
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy

SHOWN = {'/scan', '/tf', '/tf_static', '/diagnostics', '/ground_truth/pose', '/odom/pose',
         '/ground_truth/path', '/odom/path', '/scene/robot', '/scene/world'}
TWIN_TOPICS = ('/scan', '/odom', '/ground_truth/odom', '/tf', '/diagnostics')


def view_subscriptions(listener, topic: str) -> int:
    """Return how many subscriptions the view node holds on ``topic``."""
    return sum(info.node_name == 'view'
               for info in listener.node.get_subscriptions_info_by_topic(topic))


def test_client_receives_channels_and_decodes_scan_and_pose(twin_and_view):
    with FoxgloveClient(twin_and_view) as client:
        channels = client.wait_channels(SHOWN)

        scan_channel, pose_channel = channels['/scan'], channels['/ground_truth/pose']
        assert scan_channel['schemaName'] == 'foxglove.LaserScan'
        scan = decode(scan_channel, client.next_message(client.subscribe('/scan')))
        assert scan.frame_id == 'base_scan'
        assert len(scan.ranges) == 360
        # In the arena: walls within the LIDAR's reach, and open directions (+inf) too.
        assert any(0.12 <= r <= 3.5 for r in scan.ranges)
        assert scan.start_angle == 0.0 and scan.end_angle > 6.2

        pose = decode(pose_channel, client.next_message(client.subscribe('/ground_truth/pose')))
        assert pose.frame_id == 'odom'
        assert abs(pose.pose.position.x) < 0.05 and abs(pose.pose.position.y) < 0.05
        assert math.isclose(pose.pose.orientation.w, 1.0, abs_tol=0.01)


def test_scene_shows_the_world_and_the_robot(twin_and_view):
    with FoxgloveClient(twin_and_view) as client:
        channels = client.wait_channels(SHOWN)
        world = decode(channels['/scene/world'],
                       client.next_message(client.subscribe('/scene/world')))
        (entity,) = world.entities
        assert entity.frame_id == 'odom' and len(entity.cubes) >= 4  # the arena's walls at least

        robot = decode(channels['/scene/robot'],
                       client.next_message(client.subscribe('/scene/robot')))
        (body,) = robot.entities
        assert body.frame_id == 'base_footprint' and body.frame_locked
        assert len(body.cubes) == 1 and len(body.cylinders) >= 2  # chassis, wheels (and LIDAR)

        diagnostics = decode(channels['/diagnostics'],
                             client.next_message(client.subscribe('/diagnostics')))
        assert any(status['values'] for status in diagnostics['status'])


def test_view_reads_twin_topics_only_while_watched(twin_and_view, listener):
    with FoxgloveClient(twin_and_view) as client:
        client.wait_channels(SHOWN)
        listener.spin_until(lambda: listener.node.get_node_names().count('view') == 1, 30.0,
                            'the view node')
        for topic in TWIN_TOPICS:
            assert view_subscriptions(listener, topic) == 0, topic

        subscription = client.subscribe('/scan')
        listener.spin_until(lambda: view_subscriptions(listener, '/scan') == 1, 30.0,
                            'the view to subscribe to /scan')
        assert view_subscriptions(listener, '/odom') == 0
        client.unsubscribe(subscription)
        listener.spin_until(lambda: view_subscriptions(listener, '/scan') == 0, 30.0,
                            'the view to drop /scan')
        client.subscribe('/odom/path')
        listener.spin_until(lambda: view_subscriptions(listener, '/odom') == 1, 30.0,
                            'the view to subscribe to /odom')
    # A client that leaves without unsubscribing counts as gone.
    listener.spin_until(lambda: view_subscriptions(listener, '/odom') == 0, 30.0,
                        'the view to drop /odom')


@pytest.mark.parametrize('stamped', [False, True])
def test_teleop_on_cmd_vel_drives_the_twin(stamped, start_twin_and_view, listener):
    url = start_twin_and_view(enable_stamped_cmd_vel=stamped)  # the view follows the twin
    truth = listener.record(Odometry, '/ground_truth/odom',
                            QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
    listener.wait_matched('/ground_truth/odom')
    with FoxgloveClient(url) as client:
        client.wait_channels(SHOWN)
        command = client.advertise('/cmd_vel', 'geometry_msgs/msg/Twist')
        forward = json.dumps({'linear': {'x': 0.2, 'y': 0.0, 'z': 0.0},
                              'angular': {'x': 0.0, 'y': 0.0, 'z': 0.0}}).encode()

        def driven_forward() -> bool:
            client.publish(command, forward)  # as Teleop does while a button is held
            return bool(truth) and truth[-1].pose.pose.position.x > 0.1

        listener.spin_until(driven_forward, 60.0, 'the robot to drive 0.1 m forward')
        assert abs(truth[-1].pose.pose.position.y) < 0.05
    # The view publishes on cmd_vel only while a client advertises a command channel.
    listener.spin_until(lambda: not any(
        info.node_name == 'view'
        for info in listener.node.get_publishers_info_by_topic('/cmd_vel')), 30.0,
        'the view to drop its cmd_vel publisher once the client left')


def test_a_guessed_command_type_follows_the_subscriber_that_shows_later(view_alone, listener):
    # Teleop before the twin is discovered: Twist goes out; a TwistStamped twin then gets it.
    with FoxgloveClient(view_alone) as client:
        command = client.advertise('/cmd_vel', 'geometry_msgs/msg/Twist')
        forward = json.dumps({'linear': {'x': 0.2, 'y': 0.0, 'z': 0.0},
                              'angular': {'x': 0.0, 'y': 0.0, 'z': 0.0}}).encode()

        def view_publishes_twist() -> bool:
            client.publish(command, forward)
            return any(info.node_name == 'view' and info.topic_type == 'geometry_msgs/msg/Twist'
                       for info in listener.node.get_publishers_info_by_topic('/cmd_vel'))

        def stamped_received() -> bool:
            client.publish(command, forward)
            return bool(received)

        listener.spin_until(view_publishes_twist, 30.0,
                            'the view to publish cmd_vel as Twist, nothing subscribing')
        received = listener.record(TwistStamped, '/cmd_vel',
                                   QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
        listener.spin_until(stamped_received, 30.0, 'a TwistStamped subscriber to get commands')
        assert received[-1].twist.linear.x == 0.2
