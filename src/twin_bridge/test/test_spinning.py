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


"""The bridge's spin: its callbacks run on rclpy's events executor where rclpy has one."""

import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor
from twin_bridge import spinning


@pytest.fixture
def node():
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node('spinning_test', context=context)
    yield node
    node.destroy_node()
    rclpy.shutdown(context=context)


def test_the_events_executor_is_used_where_rclpy_has_one(node):
    executor = spinning.events_executor(node.context)
    expected = (SingleThreadedExecutor if spinning.EventsExecutor is None else
                type(spinning.EventsExecutor(context=node.context)))
    assert type(executor) is expected
    executor.shutdown()


@pytest.mark.parametrize('make_executor', [None, spinning.events_executor])
def test_spinning_runs_callbacks_until_told_to_stop(node, make_executor):
    ticks = []
    node.create_timer(0.0, lambda: ticks.append(len(ticks)))
    spinning.spin_until_signalled(node, stop_when=lambda: len(ticks) >= 100,
                                  make_executor=make_executor)
    assert len(ticks) >= 100
