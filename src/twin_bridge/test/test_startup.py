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


@pytest.mark.parametrize('overrides, message', [
    ({'robot_description_file': '/nowhere/robot.urdf'},
     '/nowhere/robot.urdf: robot description not found'),
    ({'lidar.samples': -3}, 'parameter lidar.samples = -3: must be within [1, 100000]'),
    ({'real_time_factor': 'fast'}, "parameter real_time_factor = 'fast': expected a float"),
    ({'over_limit_policy': 'yolo'}, 'must be one of saturate, reject'),
    ({'lidar_samples': 360}, 'unknown parameter(s) lidar_samples'),
    ({'wheels.left_joint': 'left'}, "no joint named 'left' for a wheel"),
    ({'world_file': '/nowhere/world.yaml'}, '/nowhere/world.yaml: world file not found'),
    ({'robots': ['tb0', 'tb1'], 'robot_spawns': [0.0, 0.0, 0.0]},
     'robot_spawns has 3 values, but robots names 2: give x, y, yaw for each, 6 values'),
    ({'robots': ['tb0', 'tb 1'], 'robot_spawns': [0.0] * 6},
     "robots: 'tb 1' is not a usable namespace"),
    ({'robots': ['tb0', 'tb0'], 'robot_spawns': [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]},
     'robots: names must differ'),
    ({'robots': [1, 2]}, 'parameter robots = [1, 2]: must be a list of str'),
])
def test_bad_configuration_exits_non_zero_with_a_clear_message(tmp_path, test_parameters,
                                                               overrides, message):
    bridge = BridgeProcess({**test_parameters, **overrides}, tmp_path)
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
