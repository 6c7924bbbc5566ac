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

"""The benchmark's plumbing (its numbers are measured by `make bench`, never asserted here)."""

from twin_tools import bench


def test_the_scenarios_run_and_report_positive_factors():
    for factors in (bench.bare_factor(0.05), bench.core_factor(0.05),
                    bench.core_factor(0.05, robots=2)):
        assert factors['wall'] > 0.0 and factors['cpu'] > 0.0


def test_the_bare_loop_drives_the_cores_circle():
    left, right = bench.wheel_speeds()
    assert 0.0 < abs(left) < abs(right)   # forward and turning left, as DRIVE asks


def test_messages_per_simulated_second_count_every_robot_and_the_clock():
    assert bench.messages_per_sim_second(1, 0.0) == 405 + 240
    assert bench.messages_per_sim_second(16, 0.01) == 16 * 405 + 100


def test_the_table_names_every_target_and_keeps_the_notes(tmp_path):
    s = {'median': 2.0, 'min': 1.0, 'max': 3.0}
    speed = {'wall': s, 'cpu': s}
    bridge = {'speed': speed, 'to_bare': s, 'to_core': s, 'delivered': {'scan': 1.0},
              'cpu_share': s, 'peak_rss_mb': 100.0}
    timer = {'sim_p50_ms': 0.8, 'sim_p99_ms': 4.2, 'wall_p50_ms': 0.9, 'wall_p99_ms': 5.0}
    results = {
        'machine': 'x86_64, 2 cores', 'bare': speed, 'core': speed, 'core_ratio': s,
        'clock_default': 0.01, 'bridge': {name: bridge for name in bench.CLOCK_PERIODS},
        'paced': {'factor': 1.0, 'cpu': 0.4, 'jitter_p50_ms': 0.3, 'jitter_p99_ms': 3.0,
                  'published_jitter_p99_ms': s, 'seconds': 60.0, 'peak_rss_mb': 120.0},
        'wakeup': {'p50_ms': 0.1, 'p99_ms': 4.1},
        'sim_timer': {name: timer for name in bench.CLOCK_PERIODS},
        'latency': {'steps': s, 'within_one_step': 0.97, 'wall_ms': s, 'transport_ms': s,
                    'samples': 100},
        'publish_cost': {'best_effort_us': 20.0, 'reliable_us': 30.0,
                         'best_effort_unsubscribed_us': 5.0, 'reliable_unsubscribed_us': 6.0},
        'lidar_core': {360: speed},
        'robots': {16: {'core': speed, 'bridge': bridge, 'messages_per_sim_s': 6580.0}},
        'parallel': {2: {'aggregate': 4.0, 'single': 2.0}}}
    table = bench.markdown(results)
    for target in ('≥ 0.8', '≥ 0.40', '≥ 0.45', '1.00 ± 0.01', 'p99 < 2 ms', '≤ 1 step',
                   '≤ 250 MB', '≥ 0.9 × N', '16 robot(s) in one arena', '6580 messages',
                   'bridge / bare', 'bridge / core', '50 Hz sim-time timer',
                   '(the shipped default)', 'reliable 30.0 µs', "the machine's floor"):
        assert target in table
    notes = tmp_path / 'benchmarks.md'
    notes.write_text('# old table\n\n## Reading the numbers\n\nkept\n')
    assert bench._notes(notes) == '\n## Reading the numbers\n\nkept\n'


def test_only_runs_the_scenarios_named(monkeypatch):
    monkeypatch.setattr(bench.os, 'sched_setaffinity', lambda *args: None)   # pytest's own
    ran = []
    for name in bench.SCENARIOS:
        monkeypatch.setitem(bench.SCENARIOS, name, lambda repeats, seconds, shipped, name=name:
                            ran.append(name) or {name: repeats})
    results = bench.run_all(2, 1.0, ('robots', 'speed'))
    assert ran == ['speed', 'robots']   # in the full run's order
    assert results['speed'] == results['robots'] == 2 and 'paced' not in results
    assert results['clock_default'] == bench.settings_clock_period()
    bench.run_all(1, 1.0)
    assert ran[2:] == list(bench.SCENARIOS)   # none named: all of them
