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

"""Mistakes in how the view is started: exit 1 with one line that says what to change."""

import socket
import subprocess
import sys

import pytest


def run_view(*parameters: str) -> subprocess.CompletedProcess:
    """Run the view with ``name:=value`` parameters until it exits (it should, at once)."""
    arguments = [arg for parameter in parameters for arg in ('-p', parameter)]
    return subprocess.run([sys.executable, '-m', 'twin_view.view_node', '--ros-args',
                           *arguments], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('parameter, message', [
    ('world_file:=/no/such/world.yaml', '/no/such/world.yaml: world file not found'),
    ('port:=70000', 'port'),
    ('command_type:=Twist', "command_type 'Twist' is not one of auto"),
])
def test_bad_parameter_stops_the_view_with_a_message(parameter, message):
    result = run_view('port:=0', parameter)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert 'Traceback' not in result.stderr


def test_port_in_use_stops_the_view_with_a_message():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_view(f'port:={port}')
    assert result.returncode == 1, result.stderr
    assert f'cannot serve on 127.0.0.1:{port}' in result.stderr
    assert 'Traceback' not in result.stderr
