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
Drive the robot from the keyboard, with the keys of teleop_twist_keyboard.

Publishes on ``cmd_vel`` what the robot subscribes to there (Twist or TwistStamped, read
from the graph), at 10 Hz while a motion is held, so the twin's command timeout never
stops it. Speeds start at half the robot's limits (the bridge's ``limits.*`` parameters)
and never exceed them. Works against the twin and the physical robot alike.
"""

import argparse
from dataclasses import dataclass
import os
import select
import sys
import termios
import time
import tty

from geometry_msgs.msg import Twist, TwistStamped
from rcl_interfaces.srv import GetParameters
from rclpy.duration import Duration
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from twin.arguments import shipped_parameter
from twin_bridge.command_types import COMMAND_TYPES
from twin_tools.graph import GraphClient, GraphError, HelpFormatter

EXAMPLE = 'examples:\n  twin drive\n  twin drive --robot tb0'
KEYS = """\
Moving around:          speeds:
   u    i    o          q/z : all speeds up/down by 10%
   j    k    l          w/x : linear speed only
   m    ,    .          e/c : angular speed only
k or any other key: stop.  Ctrl-C: stop and quit."""
# key: (forward, turn) directions, as teleop_twist_keyboard's moveBindings
MOVES = {'i': (1, 0), 'o': (1, -1), 'j': (0, 1), 'l': (0, -1), 'u': (1, 1), ',': (-1, 0),
         '.': (-1, 1), 'm': (-1, -1)}
# key: (linear factor, angular factor), as teleop_twist_keyboard's speedBindings
SPEEDS = {'q': (1.1, 1.1), 'z': (0.9, 0.9), 'w': (1.1, 1.0), 'x': (0.9, 1.0),
          'e': (1.0, 1.1), 'c': (1.0, 0.9)}
PUBLISH_PERIOD_S = 0.1
LIMITS = ('limits.max_linear_velocity', 'limits.max_angular_velocity')


@dataclass
class Teleop:
    """The keyboard's state: a held motion and two speeds inside the robot's limits."""

    max_linear: float
    max_angular: float
    linear: float = 0.0
    angular: float = 0.0
    forward: int = 0
    turn: int = 0

    def __post_init__(self):
        """Start at half the limits, as a person would begin."""
        self.linear, self.angular = self.max_linear / 2.0, self.max_angular / 2.0

    def press(self, key: str) -> bool:
        """Apply one key; return whether the speeds changed (worth telling)."""
        if key in SPEEDS:
            linear, angular = SPEEDS[key]
            self.linear = min(self.linear * linear, self.max_linear)
            self.angular = min(self.angular * angular, self.max_angular)
            return True
        self.forward, self.turn = MOVES.get(key, (0, 0))
        return False

    def command(self) -> tuple[float, float]:
        """Return (linear m/s, angular rad/s) to send now."""
        return self.forward * self.linear, self.turn * self.angular

    def speeds(self) -> str:
        """Return the speeds as a line for the person at the keyboard."""
        return (f'speed {self.linear:.3f} m/s (max {self.max_linear:g}), '
                f'turn {self.angular:.3f} rad/s (max {self.max_angular:g})')


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the command line of ``twin drive``."""
    result = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0], epilog=f'{KEYS}\n\n{EXAMPLE}',
        formatter_class=HelpFormatter)
    result.add_argument('--robot', default='',
                        help='the robot to drive, among several (its name, e.g. tb0)')
    result.add_argument('--timeout', type=float, default=10.0,
                        help='seconds to wait for the robot to subscribe to cmd_vel')
    return result


def robot_limits(client: GraphClient, timeout: float) -> tuple[float, float]:
    """Return the twin's velocity limits, or the shipped defaults where no twin answers."""
    defaults = tuple(shipped_parameter(name) for name in LIMITS)
    try:
        bridge = client.node_offering('/sim/pause', min(timeout, 2.0))
        values = client.call(GetParameters, f'{bridge}/get_parameters',
                             GetParameters.Request(names=list(LIMITS)), timeout).values
    except GraphError:
        return defaults   # the physical robot: TurtleBot3 Burger's limits
    found = tuple(value.double_value for value in values)
    return found if len(found) == 2 and all(v > 0 for v in found) else defaults


class Publisher:
    """Publish commands as the robot takes them: Twist, or TwistStamped in its time."""

    def __init__(self, client: GraphClient, topic: str, timeout: float):
        """
        Find the type the robot subscribes to; use sim time when a /clock is published.

        :raises GraphError: when nothing subscribes to ``topic``, or with another type
        """
        type_name = client.topic_type(topic, 'subscription', timeout)
        if type_name not in COMMAND_TYPES:
            raise GraphError(f'{topic} takes {type_name}, not a Twist or TwistStamped')
        self.client, self.kind = client, COMMAND_TYPES[type_name]
        if client.node.get_publishers_info_by_topic('/clock'):
            client.node.set_parameters([Parameter('use_sim_time', value=True)])
        self.publisher = client.node.create_publisher(
            self.kind, topic, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.topic = client.node.resolve_topic_name(topic)

    def send(self, linear: float, angular: float) -> None:
        """Publish one command (a stamped one only once the clock runs)."""
        now = self.client.node.get_clock().now()
        if self.kind is Twist:
            msg = twist = Twist()
        else:
            if now.nanoseconds == 0:
                return   # no /clock yet: a zero stamp would be taken as 'now' with a warning
            msg = TwistStamped()
            msg.header.stamp = now.to_msg()
            twist = msg.twist
        twist.linear.x, twist.angular.z = linear, angular
        self.publisher.publish(msg)

    def stop(self) -> None:
        """Send a zero command and wait (a moment) until the robot has it."""
        self.send(0.0, 0.0)
        self.publisher.wait_for_all_acked(Duration(seconds=1.0))


def read_key(timeout: float) -> str | None:
    """Return a key typed on stdin within ``timeout`` seconds, or None."""
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    return os.read(sys.stdin.fileno(), 1).decode(errors='replace') if ready else None


def drive(client: GraphClient, options) -> None:
    """Turn keys into commands until Ctrl-C; stop the robot on the way out."""
    topic = f'{options.robot}/cmd_vel' if options.robot else 'cmd_vel'
    publisher = Publisher(client, topic, options.timeout)
    teleop = Teleop(*robot_limits(client, options.timeout))
    print(f'{KEYS}\n\ndriving {publisher.topic} ({publisher.kind.__name__}); '
          f'{teleop.speeds()}', flush=True)
    pressed, next_send = False, time.monotonic()
    try:
        while not client.stopped:
            key = read_key(PUBLISH_PERIOD_S / 2)
            if key == '\x03':   # Ctrl-C where the terminal passes it as a key
                break
            if key is not None and teleop.press(key):
                print(teleop.speeds(), flush=True)
            pressed = pressed or key is not None
            client.spin_once(0.0)
            # Nothing before the first key: another controller may be driving.
            if pressed and (key is not None or time.monotonic() >= next_send):
                publisher.send(*teleop.command())
                next_send = time.monotonic() + PUBLISH_PERIOD_S
    finally:
        if pressed:
            publisher.stop()


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Drive the robot from the keyboard (``twin drive``)."""
    options = parser(prog).parse_args(args)
    name = prog or 'twin drive'
    if not sys.stdin.isatty():
        print(f'{name}: the keys are read from a terminal; run it in one', file=sys.stderr)
        return 2
    saved = termios.tcgetattr(sys.stdin)
    client = GraphClient('twin_drive')
    try:
        tty.setcbreak(sys.stdin.fileno())   # keys arrive one by one, unechoed
        drive(client, options)
        return 0
    except GraphError as error:
        print(f'{name}: {error}', file=sys.stderr)
        return 1
    finally:
        termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
        client.close()


if __name__ == '__main__':
    sys.exit(main())
