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
See that data flows: list the topics, print a topic's messages, or measure its rate.

In the spirit of ``ros2 topic`` (which the PyPI environment does not have), not a copy of it:
types come from the graph, a subscription matches its publishers' QoS, and rates are in wall
time (a twin at real-time factor 4 publishes a 5 Hz scan at 20 Hz of wall time) unless
``--sim-time`` times them by ``/clock``.
"""

import argparse
import array
from collections import deque
import statistics
import sys
import time

from rosgraph_msgs.msg import Clock
from twin_tools.graph import (GraphClient, GraphError, HelpFormatter, NOT_RUNNING,
                              run_with_client)
import yaml

EXAMPLE = ('examples:\n  twin topic list\n  twin topic echo odom --count 1\n'
           '  twin topic hz scan')


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the command line of ``twin topic``: an action and its arguments."""
    result = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0], epilog=EXAMPLE,
        formatter_class=HelpFormatter)
    result.add_argument('--timeout', type=float, default=5.0,
                        help='seconds to wait for the topic to appear in the graph')
    actions = result.add_subparsers(dest='action', metavar='ACTION', required=True)
    listing = actions.add_parser('list', help='every topic in the graph with its type')
    listing.add_argument('--wait', type=float, default=1.0,
                         help='seconds of discovery after the first topic of another node')
    echo = actions.add_parser('echo', help="print a topic's messages as YAML")
    echo.add_argument('topic', help='e.g. odom, /clock, tb0/scan')
    echo.add_argument('--count', type=int, default=0, help='stop after N messages; 0: Ctrl-C')
    hz = actions.add_parser('hz', help="print a topic's rate every second (wall time)")
    hz.add_argument('topic', help='e.g. scan')
    hz.add_argument('--count', type=int, default=0, help='stop after N rate lines; 0: Ctrl-C')
    hz.add_argument('--window', type=int, default=100,
                    help='how many of the latest intervals the rate is taken over')
    hz.add_argument('--sim-time', action='store_true',
                    help="per simulated second (the twin's /clock): a 5 Hz scan reads 5 Hz "
                         'at any real-time factor')
    return result


def plain(value):
    """Return a message (or a field of one) as plain data: dicts, lists, numbers, text."""
    if hasattr(value, 'get_fields_and_field_types'):
        return {name: plain(getattr(value, name)) for name in value.get_fields_and_field_types()}
    if isinstance(value, (list, tuple, array.array)) or type(value).__name__ == 'ndarray':
        return [plain(item) for item in value]
    if hasattr(value, 'item'):   # a numpy scalar
        return value.item()
    return value


def message_yaml(msg) -> str:
    """Return a message as YAML, arrays on one line, as ``ros2 topic echo`` prints it."""
    return yaml.safe_dump(plain(msg), default_flow_style=None, sort_keys=False, width=99)


class Rate:
    """The arrival rate of a topic over a window of the latest intervals (wall time)."""

    def __init__(self, window: int):
        """Keep the last ``window`` intervals between arrivals."""
        self.last, self.intervals = None, deque(maxlen=window)

    def arrived(self, now: float) -> None:
        """Note one message arriving at ``now`` (seconds)."""
        if self.last is not None:
            self.intervals.append(now - self.last)
        self.last = now

    def line(self) -> str | None:
        """Return the rate line, or None before two messages arrived."""
        if not self.intervals:
            return None
        mean = statistics.fmean(self.intervals)
        deviation = statistics.pstdev(self.intervals)
        return (f'average rate: {1.0 / mean:.3f} Hz  min {min(self.intervals):.3f} s  '
                f'max {max(self.intervals):.3f} s  std dev {deviation:.5f} s  '
                f'window {len(self.intervals)}')


class SimClock:
    """The newest simulated time (``/clock``), s: what ``--sim-time`` times arrivals by."""

    def __init__(self, client: GraphClient):
        """Follow /clock."""
        self.seconds = 0.0
        client.node.create_subscription(Clock, '/clock', self.on_clock,
                                        client.subscriber_qos('/clock'))

    def on_clock(self, msg: Clock) -> None:
        """Keep the newest time."""
        self.seconds = msg.clock.sec + msg.clock.nanosec * 1e-9

    def __call__(self) -> float:
        """Return the newest simulated time, s."""
        return self.seconds


def list_topics(client: GraphClient, options) -> int:
    """Print every topic and its type, once discovery has found another node's topics."""
    every_node_has = {'/rosout', '/parameter_events'}

    def others() -> bool:
        return any(name not in every_node_has
                   for name, _ in client.node.get_topic_names_and_types())
    if not client.spin_until(others, options.timeout):
        raise GraphError(f'no topics after {options.timeout:g} s; {NOT_RUNNING}')
    client.spin_until(lambda: False, options.wait)   # the rest of the graph, a moment more
    topics = client.node.get_topic_names_and_types()
    width = max(len(name) for name, _ in topics)
    for name, types in topics:
        print(f'{name:<{width}}  {", ".join(types)}', flush=True)
    return 0


def echo(client: GraphClient, options) -> int:
    """Print each message of the topic as YAML until Ctrl-C or ``--count``."""
    kind = client.message_class_of(options.topic, 'publisher', options.timeout)
    printed = []

    def show(msg) -> None:
        print(message_yaml(msg) + '---', flush=True)
        printed.append(1)
    client.node.create_subscription(kind, options.topic, show,
                                    client.subscriber_qos(options.topic))
    client.spin_until(lambda: options.count and len(printed) >= options.count, None)
    return 0


def hz(client: GraphClient, options) -> int:
    """Print the topic's rate every wall second until Ctrl-C or ``--count`` lines."""
    kind = client.message_class_of(options.topic, 'publisher', options.timeout)
    rate, lines = Rate(options.window), []
    now = SimClock(client) if options.sim_time else time.monotonic
    client.node.create_subscription(kind, options.topic, lambda _: rate.arrived(now()),
                                    client.subscriber_qos(options.topic), raw=True)
    next_line = time.monotonic() + 1.0

    def report() -> bool:
        nonlocal next_line
        if time.monotonic() >= next_line:
            next_line += 1.0
            line = rate.line()
            print(line or f'no messages on {options.topic} yet', flush=True)
            if line:
                lines.append(line)
        return bool(options.count) and len(lines) >= options.count
    client.spin_until(report, None)
    return 0


ACTIONS = {'list': list_topics, 'echo': echo, 'hz': hz}


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Look at the graph's topics (``twin topic``)."""
    options = parser(prog).parse_args(args)
    return run_with_client('twin_topic_cli', prog or 'twin topic',
                           lambda client: ACTIONS[options.action](client, options))


if __name__ == '__main__':
    sys.exit(main())
