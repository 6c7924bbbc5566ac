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
The twin's ROS 2 node.

For now it owns simulated time: it advances a fixed physics step on a steady (wall) timer,
paced by ``real_time_factor``, and publishes ``/clock``.
"""

import time

from builtin_interfaces.msg import Time
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock


class BridgeNode(Node):
    """Advance simulated time and publish it on ``/clock``."""

    def __init__(self):
        super().__init__('twin_bridge')
        self.physics_step = self.declare_parameter('physics_step', 1.0 / 240.0).value
        self.real_time_factor = self.declare_parameter('real_time_factor', 1.0).value
        self.sim_time_ns = 0
        self.clock_pub = self.create_publisher(
            Clock, '/clock', QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
        self.wall_start = time.monotonic()
        # A wall timer: the node must not wait on the /clock it publishes itself.
        self.create_timer(self.physics_step / max(self.real_time_factor, 1e-3), self.step,
                          clock=rclpy.clock.Clock(clock_type=rclpy.clock.ClockType.STEADY_TIME))

    def step(self) -> None:
        """Advance one physics step and publish the new time."""
        self.sim_time_ns += round(self.physics_step * 1e9)
        seconds, nanoseconds = divmod(self.sim_time_ns, 1_000_000_000)
        self.clock_pub.publish(Clock(clock=Time(sec=seconds, nanosec=nanoseconds)))


def main(args=None) -> None:
    """Run the bridge until Ctrl-C or an external shutdown."""
    rclpy.init(args=args)
    node = BridgeNode()
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
