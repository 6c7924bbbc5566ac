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


@pytest.mark.parametrize('signal_number', [signal.SIGTERM, signal.SIGINT] * 2)
def test_signal_while_a_client_subscribes_exits_cleanly(signal_number, tmp_path):
    port = free_port()
    log = tmp_path / 'view.log'
    with open(log, 'w') as output:
        view = subprocess.Popen([sys.executable, '-m', 'twin_view.view_node', '--ros-args',
                                 '-p', f'port:={port}'], stdout=output, stderr=output)
    try:
        with FoxgloveClient(f'ws://127.0.0.1:{port}') as client:
            client.wait_channels({'/scan', '/tf', '/scene/robot'})
            for topic in ('/scan', '/tf', '/scene/robot'):  # each makes a ROS subscription
                client.subscribe(topic)
            view.send_signal(signal_number)  # while the view handles them
            assert view.wait(timeout=30) == 0, log.read_text()
    finally:
        if view.poll() is None:
            view.kill()
            view.wait()
