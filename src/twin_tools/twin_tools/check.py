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
Check a live ROS 2 graph against an interface contract (config/contract.yaml).

Run it against the twin or against the physical robot before a hardware session:
``twin check [--contract FILE] [--duration S] [--namespace NS] [--frame-prefix P]``.
It prints one row per check and exits 0 when every check passes, 1 otherwise (2: the
contract itself is unusable). A namespaced robot (``--namespace tb0``) follows Nav2's
convention: its topics, tf and tf_static included, are under the namespace, and its frame
ids are un-prefixed.
"""

import argparse
from dataclasses import dataclass
import importlib
import sys
import time

from ament_index_python.packages import PackageNotFoundError
import rclpy
from rclpy.qos import (DurabilityPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from tf2_msgs.msg import TFMessage
from twin.arguments import share
import yaml

RELIABILITY = {'reliable': ReliabilityPolicy.RELIABLE,
               'best_effort': ReliabilityPolicy.BEST_EFFORT}


@dataclass
class Row:
    """One check: what was expected, what was seen, and whether that passes."""

    check: str
    expected: str
    observed: str
    passed: bool


def message_class(type_name: str):
    """Import a message class from its name, e.g. ``sensor_msgs/msg/LaserScan``."""
    package, _, name = type_name.split('/')
    return getattr(importlib.import_module(f'{package}.msg'), name)


def load_contract(path: str) -> dict:
    """Read a contract; raise ValueError saying what is wrong with it."""
    try:
        with open(path) as file:
            contract = yaml.safe_load(file) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(str(error)) from None
    for section in ('published', 'subscribed'):
        for topic, spec in contract.get(section, {}).items():
            if 'type' not in spec:
                raise ValueError(f'{section} topic {topic!r} has no type')
            for type_name in spec['type'] if isinstance(spec['type'], list) else [spec['type']]:
                try:
                    message_class(type_name)
                except (ImportError, AttributeError, ValueError):
                    raise ValueError(f'{section} topic {topic!r}: unknown message type '
                                     f'{type_name!r}') from None
    return contract


def default_contract() -> str:
    """Return the contract shipped in share/twin/config."""
    try:
        return str(share() / 'config' / 'contract.yaml')
    except PackageNotFoundError:
        return 'config/contract.yaml'


class Observer:
    """Record what one published topic carries: stamps and frame ids."""

    def __init__(self):
        """Start with nothing seen."""
        self.stamps, self.frames, self.child_frames = [], set(), set()

    def __call__(self, msg) -> None:
        """Note one message."""
        header = getattr(msg, 'header', None)
        if header is not None:
            self.stamps.append(header.stamp.sec + header.stamp.nanosec * 1e-9)
            self.frames.add(header.frame_id)
        else:
            self.stamps.append(time.monotonic())
        if hasattr(msg, 'child_frame_id'):
            self.child_frames.add(msg.child_frame_id)

    def rate(self) -> float:
        """Return the message rate from the stamps, Hz (0 with fewer than two)."""
        if len(self.stamps) < 2 or self.stamps[-1] <= self.stamps[0]:
            return 0.0
        return (len(self.stamps) - 1) / (self.stamps[-1] - self.stamps[0])


class ContractCheck:
    """Watch a graph for a while, then judge it against the contract."""

    def __init__(self, node, contract: dict, frame_prefix: str):
        """Subscribe to every published topic of the contract whose type is right, and to TF."""
        self.node, self.contract, self.prefix = node, contract, frame_prefix
        self.observers = {}
        self.transforms = set()
        for topic, spec in contract.get('published', {}).items():
            self.observers[topic] = Observer()
            # Best effort matches reliable and best-effort publishers alike.
            node.create_subscription(message_class(spec['type']), topic, self.observers[topic],
                                     qos_profile_sensor_data)
        node.create_subscription(TFMessage, 'tf', self.on_tf, 100)
        node.create_subscription(TFMessage, 'tf_static', self.on_tf, QoSProfile(
            depth=100, durability=DurabilityPolicy.TRANSIENT_LOCAL))

    def on_tf(self, msg: TFMessage) -> None:
        """Note every parent -> child pair."""
        self.transforms.update((t.header.frame_id, t.child_frame_id) for t in msg.transforms)

    def rows(self) -> list[Row]:
        """Judge everything seen so far."""
        rows = []
        for topic, spec in self.contract.get('published', {}).items():
            rows += self._published(topic, spec)
        for topic, spec in self.contract.get('subscribed', {}).items():
            rows.append(self._subscribed(topic, spec))
        for parent, child in self.contract.get('transforms', []):
            pair = (self.prefix + parent, self.prefix + child)
            rows.append(Row(f'tf {parent} -> {child}', 'published', 'seen' if pair in
                            self.transforms else 'missing', pair in self.transforms))
        return rows

    def _published(self, topic: str, spec: dict) -> list[Row]:
        name = self.node.resolve_topic_name(topic)
        infos = self.node.get_publishers_info_by_topic(name)
        types = sorted({info.topic_type for info in infos})
        if not infos:
            return [Row(f'{name}: publisher', spec['type'], 'no publisher', False)]
        rows = [Row(f'{name}: type', spec['type'], ', '.join(types), types == [spec['type']])]
        if types != [spec['type']]:
            return rows
        if 'reliability' in spec:
            wanted = RELIABILITY[spec['reliability']]
            seen = sorted({info.qos_profile.reliability.name.lower() for info in infos})
            rows.append(Row(f'{name}: reliability', spec['reliability'], ', '.join(seen),
                            all(info.qos_profile.reliability == wanted for info in infos)))
        observer = self.observers[topic]
        if 'min_rate' in spec:
            rate = observer.rate()
            rows.append(Row(f'{name}: rate', f'>= {spec["min_rate"]:g} Hz', f'{rate:.1f} Hz',
                            rate >= spec['min_rate']))
        for key, seen in (('frame_id', observer.frames), ('child_frame_id',
                                                          observer.child_frames)):
            if key in spec:
                wanted = self.prefix + spec[key]
                rows.append(Row(f'{name}: {key}', wanted, ', '.join(sorted(seen)) or 'none',
                                seen == {wanted}))
        return rows

    def _subscribed(self, topic: str, spec: dict) -> Row:
        name = self.node.resolve_topic_name(topic)
        wanted = spec['type'] if isinstance(spec['type'], list) else [spec['type']]
        types = sorted({i.topic_type for i in self.node.get_subscriptions_info_by_topic(name)
                        if i.node_name != self.node.get_name()})
        return Row(f'{name}: subscriber', ' or '.join(wanted), ', '.join(types) or
                   'no subscriber', any(t in wanted for t in types))


def render(rows: list[Row]) -> str:
    """Return the rows as an aligned table with a closing count."""
    widths = [max(len(getattr(r, f)) for r in rows + [Row('check', 'expected', 'observed',
                                                          True)])
              for f in ('check', 'expected', 'observed')]
    lines = [f'{"check":<{widths[0]}}  {"expected":<{widths[1]}}  {"observed":<{widths[2]}}  '
             'result']
    for row in rows:
        lines.append(f'{row.check:<{widths[0]}}  {row.expected:<{widths[1]}}  '
                     f'{row.observed:<{widths[2]}}  {"PASS" if row.passed else "FAIL"}')
    failed = sum(not r.passed for r in rows)
    lines.append(f'{len(rows)} checks, {failed} failed')
    return '\n'.join(lines)


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Watch the graph for ``--duration`` seconds, print the table, exit 0 if all pass."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='example: twin check --duration 10 --namespace tb0')
    parser.add_argument('--contract', default=default_contract(), help='contract YAML file')
    parser.add_argument('--duration', type=float, default=5.0,
                        help='wall seconds to watch (at least a few periods of the slowest '
                             'topic)')
    parser.add_argument('--namespace', default='', help="the robot's namespace")
    parser.add_argument('--frame-prefix', default='',
                        help="prefix of the robot's frame ids (none in Nav2's convention)")
    options, ros_args = parser.parse_known_args(args)
    try:
        contract = load_contract(options.contract)
    except ValueError as error:
        print(f'twin check: cannot use the contract {options.contract}: {error}',
              file=sys.stderr)
        return 2
    rclpy.init(args=ros_args)
    node = rclpy.create_node('twin_check', namespace=options.namespace)
    try:
        check = ContractCheck(node, contract, options.frame_prefix)
        deadline = time.monotonic() + options.duration
        while time.monotonic() < deadline:
            rclpy.spin_once(node, timeout_sec=0.05)
        rows = check.rows()
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    print(render(rows))
    return 0 if all(row.passed for row in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
