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


"""Every test here talks over DDS: the shared fixtures keep it on this machine and domain."""

import pytest

pytest_plugins = ['twin_bridge.fixtures']


@pytest.fixture
def test_parameters(test_parameters) -> dict:
    """Start the system tests' bridges with ground truth in world coordinates."""
    return {**test_parameters, 'ground_truth_frame': 'world'}


@pytest.fixture
def controller(start_node):
    """Start an example controller on simulated time, speaking Twist as the test bridges do."""
    return lambda name, **parameters: start_node(
        f'twin_examples.{name}', **{'use_sim_time': True, 'enable_stamped_cmd_vel': False,
                                    **parameters})
