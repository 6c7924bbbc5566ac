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

"""The view stops cleanly (exit 0) on SIGINT or SIGTERM, even with a client mid-request."""

import signal
import subprocess
import sys

from conftest import free_port
from foxglove_client import FoxgloveClient
import pytest

# The view whose main thread stops for a line on stdin right after starting the server, as a
# busy machine can hold it up there: a signal then comes before the view spins.
STALLED_START = """
import sys
from twin_view import view_node

start_server = view_node.foxglove.start_server


def start_then_stall(**options):
    server = start_server(**options)
    sys.stdin.readline()
    return server


view_node.foxglove.start_server = start_then_stall
sys.exit(view_node.main())
"""


def start_view(python_args: list, port: int, log, **options) -> subprocess.Popen:
    """
    Start the view as a background job (``make test &``) does: with SIGINT ignored.

    :param python_args: what runs the view, after ``python``
    :param log: the file its output goes to
    """
    return subprocess.Popen(
        [sys.executable, *python_args, '--ros-args', '-p', f'port:={port}'], stdout=log,
        stderr=log, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN), **options)


@pytest.mark.parametrize('signal_number', [signal.SIGTERM, signal.SIGINT] * 2)
def test_signal_while_a_client_subscribes_exits_cleanly(signal_number, tmp_path):
    port = free_port()
    log = tmp_path / 'view.log'
    with open(log, 'w') as output:
        view = start_view(['-m', 'twin_view.view_node'], port, output)
    try:
        with FoxgloveClient(f'ws://127.0.0.1:{port}') as client:
            client.wait_channels({'/scan', '/tf', '/scene/robot'})
            for topic in ('/scan', '/tf', '/scene/robot'):  # each makes a ROS subscription
                client.subscribe(topic)
            view.send_signal(signal_number)  # while the view handles them
            assert view.wait(timeout=30) == 0, log.read_text()
            client.wait_closed()  # by the view's server, which it stopped
    finally:
        if view.poll() is None:
            view.kill()
            view.wait()


@pytest.mark.parametrize('signal_number', [signal.SIGTERM, signal.SIGINT])
def test_signal_before_the_view_spins_stops_it(signal_number, tmp_path):
    port = free_port()
    log = tmp_path / 'view.log'
    with open(log, 'w') as output:
        view = start_view(['-c', STALLED_START], port, output, stdin=subprocess.PIPE)
    try:
        with FoxgloveClient(f'ws://127.0.0.1:{port}') as client:
            client.wait_channels({'/scan'})  # the server runs, the view does not spin yet
            view.send_signal(signal_number)
            view.communicate(b'go on\n', timeout=30)
            assert view.returncode == 0, log.read_text()
            client.wait_closed()  # a server left running would drop the connection unclosed
    finally:
        if view.poll() is None:
            view.kill()
            view.wait()
