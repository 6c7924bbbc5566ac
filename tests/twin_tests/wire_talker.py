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
Publish one ``tf2_msgs/TFMessage`` and one ``nav_msgs/Odometry`` stream, for wire checks.

Run as ``python -m twin_tests.wire_talker``; it stops on SIGINT/SIGTERM or after
``--seconds`` (so a test that dies cannot leave it running).
"""

import argparse
import time

from geometry_msgs.msg import TransformStamped
from nav_msgs.msg import Odometry
import rclpy
from rclpy.executors import ExternalShutdownException
from tf2_msgs.msg import TFMessage
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled

ODOM_X = 1.25  # a value the listener checks, so it knows the payload crossed intact


def make_messages(stamp) -> tuple[TFMessage, Odometry]:
    """Build the TF and odometry messages the talker publishes."""
    transform = TransformStamped()
    transform.header.stamp = stamp
    transform.header.frame_id = 'odom'
    transform.child_frame_id = 'base_footprint'
    transform.transform.translation.x = ODOM_X
    odom = Odometry()
    odom.header = transform.header
    odom.child_frame_id = 'base_footprint'
    odom.pose.pose.position.x = ODOM_X
    return TFMessage(transforms=[transform]), odom


def main(args=None) -> None:
    """Publish at 20 Hz until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--seconds', type=float, default=60.0, help='stop after this long')
    options, ros_args = parser.parse_known_args(args)
    init_without_signal_handlers(ros_args)
    node = rclpy.create_node('wire_talker')
    tf_pub = node.create_publisher(TFMessage, 'tf', 10)
    odom_pub = node.create_publisher(Odometry, 'odom', 10)

    def publish():
        tf_msg, odom_msg = make_messages(node.get_clock().now().to_msg())
        tf_pub.publish(tf_msg)
        odom_pub.publish(odom_msg)

    node.create_timer(0.05, publish)
    started = time.monotonic()
    try:
        spin_until_signalled(node, lambda: time.monotonic() - started > options.seconds)
    except ExternalShutdownException:
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
