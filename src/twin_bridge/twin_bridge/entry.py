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
The console scripts of the twin's nodes: a stop signal while a node's modules load ends it.

A node takes over SIGINT and SIGTERM once rclpy starts (twin_bridge.spinning), but loading
its modules (rclpy, PyBullet, NumPy) takes about a second first. A Ctrl-C in that second,
which ``ros2 launch`` passes on to every node, raised KeyboardInterrupt in the middle of an
import: a traceback and exit code -2 from each node. Nothing is open yet then (no DDS
participant, no file), so the process just ends, with exit code 0 as after a later Ctrl-C.
"""

import importlib
import os
import signal


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stopped_while_loading(_number, _frame) -> None:
    os._exit(0)   # no exception: it would surface inside whichever import was running


def run(target: str) -> int:
    """Import ``module:function`` with stop signals ending the process, then call it."""
    module_name, function = target.split(':')
    previous = {number: signal.signal(number, _stopped_while_loading)
                for number in STOP_SIGNALS}
    module = importlib.import_module(module_name)
    for number, handler in previous.items():   # the node installs its own as it starts
        signal.signal(number, handler)
    return getattr(module, function)()


def bridge() -> int:
    """Run the twin bridge node (``ros2 run twin_bridge twin_bridge``)."""
    return run('twin_bridge.bridge_node:main')
