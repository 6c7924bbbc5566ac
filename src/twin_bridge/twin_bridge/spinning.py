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
from rclpy.executors import SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received = []   # stop signals since init_without_signal_handlers


def init_without_signal_handlers(args=None) -> None:
    """
    ``rclpy.init`` with SIGINT and SIGTERM caught first, for :func:`spin_until_signalled`.

    From here on a stop signal only sets a flag: one that comes while the node is being
    built ends the spin as soon as it starts, instead of being lost (a process started as a
    background job inherits SIGINT *ignored*) or raised in the middle of the node's set-up.
    """
    _received.clear()
    _catch_stop_signals()
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)


def _catch_stop_signals() -> None:
    for number in STOP_SIGNALS:
        signal.signal(number, lambda number, _frame: _received.append(number))


def spin_until_signalled(node, stop_when=lambda: False, executor=None) -> None:
    """
    Spin ``node`` until SIGINT or SIGTERM arrives (or came while starting), or ``stop_when()``.

    The signal only sets a flag, checked between callbacks. An exception raised by the
    signal itself (KeyboardInterrupt) could land inside rclpy's C++ calls and surface as an
    unrelated error.

    :param executor: what spins the node (a SingleThreadedExecutor when None); it is shut
        down at the end
    """
    _catch_stop_signals()   # also for a node whose context was not made by this module
    executor = executor or SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        while not _received and not stop_when() and rclpy.ok(context=node.context):
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.remove_node(node)
        executor.shutdown()
