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
A short-lived node for the verbs that talk to a running graph (``drive``, ``sim``, ``topic``).

What any ROS tool does, over the same contract: types come from the graph (who publishes or
subscribes to a topic), services are called and waited for with a deadline, and Ctrl-C only
sets a flag checked between callbacks (as :mod:`twin_bridge.spinning`). A missing twin is a
:class:`GraphError` whose message says what to start.
"""

import argparse
from contextlib import contextmanager
import os
import signal
import sys
import time

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions
from twin_tools.check import message_class

NOT_RUNNING = 'is the twin running (twin run, in another shell, on the same ROS_DOMAIN_ID)?'


@contextmanager
def pybullet_banner_hidden():
    """
    Hide what is written to stderr meanwhile: pybullet's import prints its build time there.

    For imports of ``twin_bridge`` modules (they reach the core, which imports pybullet) by
    a verb whose output a person reads; an import error still raises as usual.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, 'w') as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter,
                    argparse.RawDescriptionHelpFormatter):
    """The verbs' help: every option's default, and the examples' lines as written."""


class GraphError(Exception):
    """What a verb could not find or do in the graph; the message says what to do."""


class GraphClient:
    """One node in a context of its own, spun by the verb until a predicate holds."""

    def __init__(self, name: str, parameters: list | None = None):
        """
        Create the node; SIGINT and SIGTERM from now on only set :attr:`stopped`.

        :param parameters: rclpy Parameters, e.g. ``use_sim_time``
        """
        self.context = rclpy.Context()
        rclpy.init(context=self.context, signal_handler_options=SignalHandlerOptions.NO)
        self.node = rclpy.create_node(name, context=self.context,
                                      parameter_overrides=parameters or [])
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.stopped = False
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._stop)

    def _stop(self, *_) -> None:
        self.stopped = True

    def spin_once(self, timeout: float = 0.05) -> None:
        """Run the callbacks that are ready, waiting at most ``timeout`` seconds for one."""
        self.executor.spin_once(timeout_sec=timeout)

    def spin_until(self, predicate, timeout: float | None) -> bool:
        """Spin until ``predicate()`` holds (True), the timeout passes or Ctrl-C (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not predicate():
            if self.stopped or (deadline is not None and time.monotonic() > deadline):
                return False
            self.spin_once()
        return True

    def topic_type(self, topic: str, role: str, timeout: float) -> str:
        """
        Return the type of ``topic`` as the graph has it (e.g. ``geometry_msgs/msg/Twist``).

        :param role: ``publisher`` (what one reads) or ``subscription`` (what one sends)
        :raises GraphError: when nothing in the graph has the topic in that role
        """
        name = self.node.resolve_topic_name(topic)
        info = (self.node.get_publishers_info_by_topic if role == 'publisher' else
                self.node.get_subscriptions_info_by_topic)
        if not self.spin_until(lambda: info(name), timeout):
            raise GraphError(f'no {role} of {name} after {timeout:g} s; {NOT_RUNNING}')
        types = sorted({endpoint.topic_type for endpoint in info(name)})
        if len(types) > 1:
            raise GraphError(f'{name} has {role}s of several types: {", ".join(types)}')
        return types[0]

    def subscriber_qos(self, topic: str) -> QoSProfile:
        """Return a QoS that matches every publisher of ``topic`` (as ``ros2 topic echo``)."""
        publishers = self.node.get_publishers_info_by_topic(self.node.resolve_topic_name(topic))
        best_effort = any(p.qos_profile.reliability == ReliabilityPolicy.BEST_EFFORT
                          for p in publishers)
        latched = publishers and all(
            p.qos_profile.durability == DurabilityPolicy.TRANSIENT_LOCAL for p in publishers)
        return QoSProfile(
            depth=10,
            reliability=ReliabilityPolicy.BEST_EFFORT if best_effort else
            ReliabilityPolicy.RELIABLE,
            durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else
            DurabilityPolicy.VOLATILE)

    def message_class_of(self, topic: str, role: str, timeout: float):
        """Return the message class of ``topic`` as the graph has it; see :meth:`topic_type`."""
        return message_class(self.topic_type(topic, role, timeout))

    def call(self, service_type, name: str, request, timeout: float):
        """
        Call a service and return its response.

        :raises GraphError: when the service is not offered, or does not answer, in time
        """
        client = self.node.create_client(service_type, name)
        try:
            if not self.spin_until(client.service_is_ready, timeout):
                raise GraphError(f'no service {self.node.resolve_service_name(name)} after '
                                 f'{timeout:g} s; {NOT_RUNNING}')
            future = client.call_async(request)
            if not self.spin_until(future.done, timeout):
                raise GraphError(f'{name} did not answer within {timeout:g} s')
            return future.result()
        finally:
            self.node.destroy_client(client)

    def node_offering(self, service: str, timeout: float) -> str:
        """
        Return the full name of the node offering ``service`` (e.g. ``/twin_bridge``).

        :raises GraphError: when no node offers it in time
        """
        full_service = self.node.resolve_service_name(service)

        def find() -> str | None:
            for name, namespace in self.node.get_node_names_and_namespaces():
                services = self.node.get_service_names_and_types_by_node(name, namespace)
                if any(found == full_service for found, _ in services):
                    return f'{namespace.rstrip("/")}/{name}'
            return None
        if not self.spin_until(find, timeout):
            raise GraphError(f'no node offers {full_service} after {timeout:g} s; '
                             f'{NOT_RUNNING}')
        return find()

    def close(self) -> None:
        """Destroy the node and its context."""
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)


def run_with_client(node_name: str, prog: str, action) -> int:
    """
    Run ``action(client)`` with a fresh :class:`GraphClient`; return its exit code.

    A :class:`GraphError` is one line on stderr, prefixed with ``prog``, and exit code 1; a
    reader that went away (``twin topic echo odom | head``) ends it quietly.
    """
    client = GraphClient(node_name)
    try:
        return action(client)
    except GraphError as error:
        print(f'{prog}: {error}', file=sys.stderr)
        return 1
    except BrokenPipeError:   # as the Python docs advise: no more output, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        client.close()
