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


"""
The shipped tuning campaign, shortened (2 trials of 1 episode): real bridges and controllers.

The parameter file it writes is loaded by the controller itself, and the seeded study,
resumed, proposes the same trials (so it runs no episode again).
"""

from pathlib import Path

import rclpy
from twin_bridge.testing import isolate_ros_graph
from twin_campaign.cli import main
from twin_examples.go_to_goal import GoToGoal
import yaml

CAMPAIGNS = Path(__file__).resolve().parents[3] / 'config' / 'campaigns'


def short_tuning_campaign(tmp_path: Path) -> Path:
    """Return the shipped tuning campaign cut to one scenario, 2 trials of 1 episode."""
    document = yaml.safe_load((CAMPAIGNS / 'go_to_goal_tuning.yaml').read_text())
    document.update(scenarios=document['scenarios'][:1], episodes=1,
                    variations_file=str(CAMPAIGNS / document['variations_file']))
    document['tuning'].update(trials=2, held_out={'episodes': 1, 'seed': 1021})
    path = tmp_path / 'short.yaml'
    path.write_text(yaml.safe_dump(document))
    return path


def episode_files(output: Path) -> dict:
    """Return every episode result under DIR with its modification time."""
    return {p: p.stat().st_mtime_ns for p in output.rglob('episodes/*.json')}


def test_a_short_tuning_run_writes_a_file_the_controller_loads_and_resumes_the_same(
        tmp_path):
    path, output = short_tuning_campaign(tmp_path), tmp_path / 'out'
    assert main([str(path), '--output', str(output), '--tune', '--workers', '2']) in (0, 1)
    parameter_file = output / 'best_parameters.yaml'
    best = yaml.safe_load(parameter_file.read_text())['go_to_goal']['ros__parameters']
    assert set(best) == {'speed', 'heading_gain'}
    trials = [yaml.safe_load((output / 'trials' / n / 'campaign.yaml').read_text())
              for n in ('000', '001')]
    assert best in [{k: t['controller']['parameters'][k] for k in best} for t in trials]
    assert '| 1 ' in (output / 'tuning.md').read_text()
    assert len(episode_files(output)) == 4     # 2 trials + the held-out shipped and best

    kept = episode_files(output)
    assert main([str(path), '--output', str(output), '--tune', '--resume']) in (0, 1)
    assert episode_files(output) == kept       # the same trials proposed: nothing re-run
    assert yaml.safe_load(parameter_file.read_text())['go_to_goal']['ros__parameters'] == best

    isolate_ros_graph()
    rclpy.init(args=['--ros-args', '--params-file', str(parameter_file)])
    try:
        node = GoToGoal()
        assert {name: node.get_parameter(name).value for name in best} == best
        node.destroy_node()
    finally:
        rclpy.try_shutdown()
