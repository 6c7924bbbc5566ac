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

"""Security settings (SROS2): the twin refuses to run unauthenticated when asked not to."""

import os
import subprocess
import sys

import pytest
from twin_bridge.security import security_problem


@pytest.mark.parametrize('environ, refused', [
    ({}, False),
    ({'ROS_SECURITY_STRATEGY': 'Permissive'}, False),
    ({'ROS_SECURITY_STRATEGY': 'Enforce'}, True),
    ({'ROS_SECURITY_KEYSTORE': '/keys'}, True),
    ({'ROS_SECURITY_ENCLAVE_OVERRIDE': '/twin/twin_bridge'}, True),
    ({'ROS_SECURITY_ENABLE': 'false', 'ROS_SECURITY_STRATEGY': 'Enforce'}, True),
    ({'ROS_SECURITY_ENABLE': 'true', 'ROS_SECURITY_STRATEGY': 'Enforce',
      'ROS_SECURITY_KEYSTORE': '/keys'}, False),
])
def test_requested_but_inactive_security_is_refused(environ, refused):
    assert (security_problem(environ) is not None) == refused


def run_bridge(robot_xacro, **environ):
    return subprocess.run(
        [sys.executable, '-m', 'twin_bridge.bridge_node', '--ros-args',
         '-p', f'robot_description_file:={robot_xacro}'],
        env={**os.environ, **environ}, capture_output=True, text=True, timeout=60)


def test_the_bridge_refuses_to_start_unauthenticated(robot_xacro):
    result = run_bridge(robot_xacro, ROS_SECURITY_STRATEGY='Enforce')
    assert result.returncode == 1
    assert 'refusing to run unauthenticated' in result.stderr
    assert 'Traceback' not in result.stderr


def test_enforced_security_without_credentials_fails_clearly(robot_xacro, tmp_path):
    result = run_bridge(robot_xacro, ROS_SECURITY_ENABLE='true',
                        ROS_SECURITY_STRATEGY='Enforce',
                        ROS_SECURITY_KEYSTORE=str(tmp_path / 'empty_keystore'))
    assert result.returncode == 1
    assert 'cannot start' in result.stderr and 'ROS_SECURITY_KEYSTORE' in result.stderr
    assert 'Traceback' not in result.stderr


def test_an_unreadable_parameter_file_is_one_clear_line(tmp_path):
    bad = tmp_path / 'params.yaml'
    bad.write_text('/**:\n  ros__parameters:\n    real_time_factor: [1,\n')
    result = subprocess.run([sys.executable, '-m', 'twin_bridge.bridge_node', '--ros-args',
                             '--params-file', str(bad)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert f'{bad}, line 4: cannot read the parameter file: expected the node content' in \
        result.stderr
    assert 'Traceback' not in result.stderr
