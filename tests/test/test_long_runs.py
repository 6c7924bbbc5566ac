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

"""Long-run and overload behaviour with a controller driving (reliability.md 15 and 20)."""

from diagnostic_msgs.msg import DiagnosticArray
from rosgraph_msgs.msg import Clock
from twin_bridge.testing import diagnostics_count, is_step_time
from twin_tools.soak import soak


def test_slower_physics_than_asked_gives_no_spurious_watchdog_timeouts(
        start_bridge, controller, listener, world_file):
    start_bridge(world_file('empty'), real_time_factor=1000.0)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    clocks = listener.record(Clock, '/clock', 100)
    controller('obstacle_stop', speed=0.15)
    listener.spin_until(lambda: diagnostics_count(diagnostics, 'cmd_vel_accepted') > 100 and
                        diagnostics_count(diagnostics, 'step_overruns') > 0, 90.0,
                        'the controller driving an overloaded twin')
    assert diagnostics_count(diagnostics, 'cmd_vel_watchdog_timeouts') == 0
    stamps = [c.clock.sec * 1_000_000_000 + c.clock.nanosec for c in clocks]
    assert all(b > a and is_step_time(b) for a, b in zip(stamps, stamps[1:]))


def test_a_short_soak_keeps_memory_bodies_and_graph_flat(tmp_path):
    result = soak(sim_seconds=120.0, reset_every=20.0, world='room',
                  controller='wall_follower', work_dir=tmp_path, warm_up=40.0)
    assert result['resets'] == 6
    start, end = result['start'], result['end']
    for key in ('physics_bodies', 'nodes', 'publishers'):
        assert start[key] == end[key], key
    print(f'short soak: RSS {end["rss_mb"] - start["rss_mb"]:+.2f} MB')
    assert end['rss_mb'] - start['rss_mb'] < 5.0


def test_as_fast_as_possible_the_bridge_keeps_no_growing_pacing_history(
        bridge_in_process, world_file):
    # The soak's leak: at real_time_factor 0 every /clock was marked for a jitter window
    # that only paced runs take, about 0.55 MB per simulated minute.
    node = bridge_in_process(world_file=str(world_file('empty')))
    for _ in range(480):
        node.advance()
    assert len(node.jitter.times) <= 1
