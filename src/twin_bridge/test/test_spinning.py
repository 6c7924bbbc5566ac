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

"""A stop signal that comes while a node starts ends its spin: never lost, never raised."""

import signal
import subprocess
import sys

import pytest

# Signalled between rclpy.init and the spin, as a busy machine can deliver a launch's or a
# test's SIGINT while the node is still being built.
SIGNALLED_WHILE_STARTING = """
import os, signal, sys
import rclpy
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled

init_without_signal_handlers()
os.kill(os.getpid(), int(sys.argv[1]))
node = rclpy.create_node('starting')   # no KeyboardInterrupt in here
spin_until_signalled(node)
node.destroy_node()
rclpy.try_shutdown()
print('stopped cleanly')
"""


@pytest.mark.parametrize('signal_number', [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_starting_ends_the_spin_even_with_sigint_inherited_ignored(
        signal_number):
    # A background job ('make test &') starts with SIGINT ignored; the node must still stop.
    done = subprocess.run(
        [sys.executable, '-c', SIGNALLED_WHILE_STARTING, str(int(signal_number))],
        capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert done.returncode == 0, done.stderr
    assert 'stopped cleanly' in done.stdout
