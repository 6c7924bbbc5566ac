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

import os
from pathlib import Path
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


# A node module whose loading is interrupted: the signal comes in the middle of its import.
INTERRUPTED_WHILE_LOADING = """
import os, signal, sys
os.kill(os.getpid(), int(sys.argv[1]))
for _ in range(10 ** 6):   # the signal is handled here, between two bytecodes
    pass
def main():
    return 3
"""

LOADED = """
import __main__, signal
def main():
    now = tuple(signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM))
    print(now == __main__.STARTED_WITH)
    return 0
"""

THROUGH_THE_ENTRY = """
import signal, sys
from twin_bridge.entry import run
# default, or ignored in a background job ('make test &'): what the node must get back
STARTED_WITH = tuple(signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM))
sys.exit(run(sys.argv[2] + ':main'))
"""


def through_the_entry(tmp_path, module: str, source: str, signal_number=signal.SIGINT,
                      sigint=signal.SIG_DFL):
    """Run ``source`` as a node module through the entry; SIGINT inherited as ``sigint``."""
    (tmp_path / f'{module}.py').write_text(source)
    path = os.pathsep.join([str(tmp_path), os.environ.get('PYTHONPATH', '')])
    return subprocess.run([sys.executable, '-c', THROUGH_THE_ENTRY, str(int(signal_number)),
                           module], capture_output=True, text=True, timeout=60,
                          env={**os.environ, 'PYTHONPATH': path},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))


@pytest.mark.parametrize('signal_number', [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize('sigint', [signal.SIG_DFL, signal.SIG_IGN])
def test_a_signal_while_a_node_loads_ends_it_quietly(tmp_path, signal_number, sigint):
    # ros2 launch passes a Ctrl-C on to nodes still importing rclpy and PyBullet: each
    # printed a KeyboardInterrupt traceback and exited -2.
    done = through_the_entry(tmp_path, 'interrupted_node', INTERRUPTED_WHILE_LOADING,
                             signal_number, sigint)
    assert (done.returncode, done.stderr) == (0, '')


@pytest.mark.parametrize('sigint', [signal.SIG_DFL, signal.SIG_IGN])   # a background job
def test_once_loaded_the_node_gets_the_signal_handlers_it_started_with(tmp_path, sigint):
    done = through_the_entry(tmp_path, 'loaded_node', LOADED, sigint=sigint)
    assert (done.returncode, done.stdout.strip()) == (0, 'True'), done.stderr


def test_the_twin_nodes_console_scripts_go_through_the_entry():
    setups = Path(__file__).resolve().parents[2]
    for package, script in (('twin_bridge', 'twin_bridge'), ('twin_view', 'view'),
                            ('twin_shadow', 'shadow_node')):
        setup = (setups / package / 'setup.py').read_text()
        assert f"'{script} = {package}.entry:" in setup, package
