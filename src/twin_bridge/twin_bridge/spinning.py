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

"""Run a node until SIGINT or SIGTERM, without ever interrupting a callback."""

import signal

import rclpy
from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions

try:   # rclpy 7.1 (Jazzy) and later
    from rclpy.experimental import EventsExecutor
except ImportError:   # older rclpy: the ordinary executor
    EventsExecutor = None


def init_without_signal_handlers(args=None) -> None:
    """``rclpy.init`` leaving signals to :func:`spin_until_signalled`."""
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)


def events_executor(context) -> Executor:
    """
    Return rclpy's events executor, or a single-threaded one where rclpy has none.

    The events executor dispatches from C++: a callback costs microseconds, where the
    single-threaded executor rebuilds its wait set from every entity of the node in Python
    before each one (a millisecond for the bridge, whose stepping timer is always due when
    running as fast as possible).
    """
    if EventsExecutor is None:
        return SingleThreadedExecutor(context=context)
    return EventsExecutor(context=context)


def spin_until_signalled(node, stop_when=lambda: False, make_executor=None) -> None:
    """
    Spin ``node`` until SIGINT or SIGTERM arrives, or ``stop_when()`` holds.

    The signal only sets a flag, checked between callbacks. An exception raised by the
    signal itself (KeyboardInterrupt) could land inside rclpy's C++ calls and surface as an
    unrelated error; and a process started as a background job inherits SIGINT *ignored*,
    which installing the handler here also overrides.

    :param make_executor: builds the executor from the node's context (e.g.
        :func:`events_executor`); the default is a single-threaded executor
    """
    stop = []
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.append(number))
    executor = (make_executor or SingleThreadedExecutor)(context=node.context)
    executor.add_node(node)
    try:
        while not stop and not stop_when() and rclpy.ok(context=node.context):
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.remove_node(node)
        executor.shutdown()
