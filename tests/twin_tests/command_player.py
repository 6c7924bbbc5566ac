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
Publish a fixed velocity schedule in simulated time: the "controller" of determinism tests.

Parameters: ``schedule`` = [t0, v0, w0, t1, v1, w1, ...] (s, m/s, rad/s). Each command goes
out once, as soon as ``/clock`` reaches its time; with the twin paused at exactly that time,
it is received at exactly that simulated time in every run.
"""

from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from twin_examples.common import run, VelocityCommander


class CommandPlayer(Node):
    """Send each scheduled command when simulated time reaches it."""

    def __init__(self):
        """Read the schedule and follow /clock."""
        super().__init__('command_player')
        flat = self.declare_parameter('schedule', [0.0, 0.0, 0.0]).value
        self.schedule = [tuple(flat[i:i + 3]) for i in range(0, len(flat), 3)]
        self.sent = 0
        self.commander = VelocityCommander(self, 'cmd_vel', stamped=False)
        self.create_subscription(Clock, '/clock', self.on_clock,
                                 QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))

    def on_clock(self, msg: Clock) -> None:
        """Send the commands whose time has come."""
        now = msg.clock.sec + msg.clock.nanosec * 1e-9
        while self.sent < len(self.schedule) and self.schedule[self.sent][0] <= now + 1e-9:
            _, linear, angular = self.schedule[self.sent]
            self.commander.send(linear, angular)
            self.sent += 1


def main(args=None) -> None:
    """Run the node."""
    run(CommandPlayer, args)


if __name__ == '__main__':
    main()
