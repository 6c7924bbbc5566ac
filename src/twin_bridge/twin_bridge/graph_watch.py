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

"""Watch the ROS graph for publishers that should not be there, and name them once each."""

from itertools import chain

from rclpy.qos import DurabilityPolicy, ReliabilityPolicy


def node_name(info) -> str:
    """Return the fully qualified name of the node behind an endpoint."""
    return f'{info.node_namespace.rstrip("/")}/{info.node_name}'


def qos_mismatch(offered, requested) -> str | None:
    """
    Return why a publisher's QoS cannot serve a subscription's, or None when it can.

    Of the policies the twin sets, reliability and durability. (rclpy's
    ``qos_check_compatible`` also compares deadlines and liveliness, which the graph reports
    as set where the twin's own profiles leave them unset: it finds every pair incompatible.)
    """
    if (offered.reliability == ReliabilityPolicy.BEST_EFFORT and
            requested.reliability == ReliabilityPolicy.RELIABLE):
        return 'a reliable subscription of a best-effort publisher'
    if (offered.durability == DurabilityPolicy.VOLATILE and
            requested.durability == DurabilityPolicy.TRANSIENT_LOCAL):
        return 'a transient-local subscription of a volatile publisher'
    return None


class GraphWatch:
    """
    Warn about what makes a twin's graph ambiguous.

    A ``cmd_vel`` publisher of the other Twist type (its commands never arrive), several
    ``cmd_vel`` publishers (commands interleave), another publisher of ``/clock``,
    ``odom`` or ``tf`` (a real robot or a second simulator on the same graph), and another
    node of this node's own name (a second bridge on this ``ROS_DOMAIN_ID``), whose
    publishers cannot be told from this node's own; and an endpoint on one of the node's
    topics whose QoS cannot match the node's (no message passes between them), which rclpy's
    per-endpoint event handlers would report, had the node not done without them.

    Walking the endpoints of every topic builds objects for each endpoint (9 ms of CPU per
    walk with 16 robots, every topic read); counting them costs a third of that. A check
    walks only when the counts or the nodes changed since the last walk, and every
    ``WALK_AT_LEAST_EVERY`` checks, for a change the counts cannot see (an endpoint replaced
    by another).
    """

    WALK_AT_LEAST_EVERY = 15   # checks: 30 s at the bridge's 2 s

    def __init__(self, node, namespaces: list[str], stamped: bool):
        """
        Watch on behalf of ``node``.

        :param namespaces: each robot's topic prefix ('' or 'tb0/'), relative to the node
        :param stamped: the node takes TwistStamped on cmd_vel, not Twist
        """
        self.node, self.stamped = node, stamped
        self.command_type = 'geometry_msgs/msg/' + ('TwistStamped' if stamped else 'Twist')
        self.warned = set()
        # Topics no one but this node should publish, and each robot's commands.
        self.watched_topics = ['/clock'] + [node.resolve_topic_name(namespace + name)
                                            for namespace in namespaces
                                            for name in ('odom', 'tf')]
        self.command_topics = [node.resolve_topic_name(namespace + 'cmd_vel')
                               for namespace in namespaces]
        self.walked = None   # the graph's fingerprint at the last walk
        self.checks_without_walk = 0

    def check(self) -> None:
        """Look at the graph now; warn about anything new."""
        fingerprint = self.fingerprint()
        if (fingerprint == self.walked and
                self.checks_without_walk + 1 < self.WALK_AT_LEAST_EVERY):
            self.checks_without_walk += 1
            return
        self.walked, self.checks_without_walk = fingerprint, 0
        self.walk()

    def fingerprint(self) -> tuple:
        """
        Return what changes when an endpoint or node the walk looks at comes or goes.

        The nodes, and the endpoints counted on each topic the walk reads: the publishers of
        the watched topics and of those this node subscribes to (cmd_vel among them), the
        subscriptions of those it publishes.
        """
        node = self.node
        subscribed = (endpoint.topic_name for endpoint in node.subscriptions)
        return (sorted(node.get_node_names_and_namespaces()),
                [node.count_publishers(topic)
                 for topic in chain(self.watched_topics, subscribed)],
                [node.count_subscribers(endpoint.topic_name) for endpoint in node.publishers])

    def walk(self) -> None:
        """Read every endpoint of the watched topics; warn about anything new."""
        node = self.node
        me = (node.get_namespace(), node.get_name())
        self._check_namesakes(me)
        for topic in self.command_topics:
            self._check_commands(topic)
        for topic in self.watched_topics:
            for info in node.get_publishers_info_by_topic(topic):
                if (info.node_namespace, info.node_name) != me:
                    self._warn_once(('other', topic, node_name(info)),
                                    f'{node_name(info)} also publishes {topic}: a real robot '
                                    'or a second simulator is on this graph')
        self._check_qos()

    def _check_namesakes(self, me: tuple[str, str]) -> None:
        count = sum((namespace, name) == me
                    for name, namespace in self.node.get_node_names_and_namespaces())
        if count > 1:
            full_name = f'{me[0].rstrip("/")}/{me[1]}'
            self._warn_once(('namesake', full_name),
                            f'{count - 1} other node(s) named {full_name} on this graph: a '
                            'second simulation runs on the same ROS_DOMAIN_ID, and /clock, odom '
                            'and tf interleave; stop it or give one another ROS_DOMAIN_ID')

    def _check_commands(self, topic: str) -> None:
        commands = self.node.get_publishers_info_by_topic(topic)
        for info in commands:
            if info.topic_type != self.command_type:
                self._warn_once(('type', node_name(info), info.topic_type),
                                f'{node_name(info)} publishes {info.topic_type} on {topic}, '
                                f'but this twin expects {self.command_type} '
                                f'(enable_stamped_cmd_vel is {str(self.stamped).lower()}): '
                                'its commands are ignored')
        if len(commands) > 1:
            names = ', '.join(sorted(node_name(info) for info in commands))
            self._warn_once(('several', topic, names), f'{len(commands)} publishers on {topic}'
                            f' ({names}): their commands interleave')

    def _check_qos(self) -> None:
        node = self.node
        for mine, theirs, verb in ((node.publishers, node.get_subscriptions_info_by_topic,
                                    'subscribes to'),
                                   (node.subscriptions, node.get_publishers_info_by_topic,
                                    'publishes')):
            for endpoint in mine:
                for info in theirs(endpoint.topic_name):
                    offered, requested = endpoint.qos_profile, info.qos_profile
                    if verb == 'publishes':
                        offered, requested = requested, offered
                    problem = qos_mismatch(offered, requested)
                    if problem:
                        self._warn_once(('qos', endpoint.topic_name, node_name(info)),
                                        f'{node_name(info)} {verb} {endpoint.topic_name} with '
                                        f'a QoS incompatible with the twin: {problem}, so no '
                                        'message passes between them')

    def _warn_once(self, key, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.node.get_logger().warn(message)
