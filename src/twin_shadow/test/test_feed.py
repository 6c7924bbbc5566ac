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

"""The feed puts each robot message at its robot time, however late the node reads it."""

from types import SimpleNamespace

from twin_shadow.feed import NS_PER_S, RobotFeed

MS = NS_PER_S // 1000


class Calls:
    """A shadow that notes what it was handed, in order: (what, robot time in ms)."""

    def __init__(self):
        """Nothing handed over yet."""
        self.events, self.calls = [], []

    def on_command(self, stamp_ns, linear, angular):
        """Note a command."""
        self.calls.append(('command', stamp_ns // MS))

    def on_odometry(self, stamp_ns, *pose_and_twist):
        """Note an odometry message."""
        self.calls.append(('odom', stamp_ns // MS))


def odometry(ms: int) -> SimpleNamespace:
    """Return an odometry message stamped ``ms``."""
    point = SimpleNamespace(x=0.0, y=0.0, z=0.0)
    return SimpleNamespace(
        header=SimpleNamespace(stamp=SimpleNamespace(sec=ms // 1000,
                                                     nanosec=ms % 1000 * MS)),
        pose=SimpleNamespace(pose=SimpleNamespace(
            position=point, orientation=SimpleNamespace(x=0.0, y=0.0, z=0.0, w=1.0))),
        twist=SimpleNamespace(twist=SimpleNamespace(linear=point, angular=point)))


def twist(ms: int | None = None) -> SimpleNamespace:
    """Return a Twist (0.1 m/s), or a TwistStamped stamped ``ms``."""
    twist = SimpleNamespace(linear=SimpleNamespace(x=0.1), angular=SimpleNamespace(z=0.0))
    if ms is None:
        return twist
    return SimpleNamespace(header=odometry(ms).header, twist=twist)


def test_a_command_read_ahead_of_the_queue_waits_for_its_robot_time():
    shadow = Calls()
    feed = RobotFeed(shadow)
    feed.offer('odom', odometry(1000))
    feed.offer('cmd_vel', twist(1300))   # sent 0.3 s after what the node has read so far
    for ms in (1100, 1200, 1300):
        feed.offer('odom', odometry(ms))
    assert shadow.calls == [('odom', 1000), ('odom', 1100), ('odom', 1200),
                            ('command', 1300), ('odom', 1300)]


def test_a_command_without_a_time_takes_the_robot_s_newest_stamp():
    shadow = Calls()
    feed = RobotFeed(shadow)
    feed.offer('cmd_vel', twist())   # before any stamp: at the first one
    feed.offer('odom', odometry(500))
    feed.offer('cmd_vel', twist())
    assert shadow.calls == [('command', 500), ('odom', 500), ('command', 500)]
