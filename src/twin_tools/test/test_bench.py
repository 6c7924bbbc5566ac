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


def test_the_scenarios_run_and_report_a_positive_factor():
    assert bench.bare_factor(0.05) > 0.0
    assert bench.core_factor(0.05) > 0.0
    assert bench.core_factor(0.05, robots=2) > 0.0


def test_the_table_names_every_target_and_keeps_the_notes(tmp_path):
    s = {'median': 2.0, 'min': 1.0, 'max': 3.0}
    results = {
        'machine': 'x86_64, 2 cores', 'bare': s, 'core': s, 'bridge': s,
        'bridge_delivered': {'scan': 1.0}, 'bridge_peak_rss_mb': 100.0,
        'paced': {'factor': 1.0, 'cpu': 0.4, 'jitter_p50_ms': 0.3, 'jitter_p99_ms': 3.0,
                  'published_jitter_p99_ms': s, 'seconds': 60.0},
        'latency': {'steps': s, 'within_one_step': 0.97, 'wall_ms': s, 'transport_ms': s,
                    'samples': 100},
        'lidar_core': {360: s}, 'robots': {4: {'core': s, 'bridge': s}},
        'parallel': {2: {'aggregate': 4.0, 'single': 2.0}}}
    table = bench.markdown(results)
    for target in ('ratio ≥ 0.7', '1.00 ± 0.01', 'p99 < 2 ms', '≤ 1 step', '≤ 250 MB',
                   '≥ 0.9 × N', '4 robot(s) in one arena'):
        assert target in table
    notes = tmp_path / 'benchmarks.md'
    notes.write_text('# old table\n\n## Reading the numbers\n\nkept\n')
    assert bench._notes(notes) == '\n## Reading the numbers\n\nkept\n'
