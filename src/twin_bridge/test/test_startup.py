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

"""Bad configuration stops the bridge at start with one line that names the problem."""

from pathlib import Path

import pytest
from rosgraph_msgs.msg import Clock
from twin_bridge.testing import BridgeProcess
import yaml

CONFIG = Path(__file__).resolve().parents[3] / 'config' / 'twin_bridge.yaml'
ROBOT_XACRO = CONFIG.parents[1] / 'urdf' / 'twin_burger.urdf.xacro'


# The rules themselves are unit tests (test_parameters.py); these two check that a refusal
# reaches the user as one line and exit 1, from the core and from the command line.
@pytest.mark.parametrize('overrides, ros_args, message', [
    ({'robot_description_file': '/nowhere/robot.urdf'}, (),
     '/nowhere/robot.urdf: robot description not found'),
    # After the shipped file, as `twin run --param` passes it: rcl dropped it silently.
    ({}, ('--params-file', str(CONFIG), '-p', f'robot_description_file:={ROBOT_XACRO}',
          '-p', 'cmd_vel_timeout:=abc'),
     "parameter cmd_vel_timeout = 'abc': expected a number, like 0.5"),
])
def test_bad_configuration_exits_non_zero_with_a_clear_message(tmp_path, test_parameters,
                                                               overrides, ros_args, message):
    bridge = BridgeProcess({**test_parameters, **overrides}, tmp_path, ros_args=ros_args)
    assert bridge.process.wait(timeout=60) == 1
    log = bridge.log()
    assert message in log
    assert 'Traceback' not in log


def test_gui_without_a_display_is_one_line_not_x_server_errors(tmp_path, test_parameters,
                                                               monkeypatch):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    bridge = BridgeProcess({**test_parameters, 'gui': True}, tmp_path)
    assert bridge.process.wait(timeout=60) == 1
    assert 'gui is true, but there is no display' in bridge.log()
    assert 'X server' not in bridge.log()


def test_an_integer_where_a_float_is_expected_is_accepted(start_bridge, listener):
    start_bridge(real_time_factor=2)   # YAML `2` means 2.0
    clocks = listener.record(Clock, '/clock')
    listener.spin_until(lambda: len(clocks) > 2, 30.0, '/clock')


def test_the_shipped_parameter_file_starts_the_bridge(start_bridge, listener):
    # Every value of config/twin_bridge.yaml as rcl reads it, e.g. `robots: []`.
    shipped = yaml.safe_load(CONFIG.read_text())['/**']['ros__parameters']
    start_bridge(**{**shipped, 'robot_description_file': str(ROBOT_XACRO)})
    clocks = listener.record(Clock, '/clock')
    listener.spin_until(lambda: len(clocks) > 2, 30.0, '/clock')
