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
Score a goal-reaching policy on seeded goals in the core, and write those goals as a campaign.

``python -m twin_gym.evaluate [--weights FILE] [--goals 10] [--perturbed]`` runs the goals
without the training variations; ``--perturbed`` gives the body wheels 2 % larger (left) and
2 % smaller (right) than the firmware believes, and doubles the LIDAR's and IMU's noise.
It prints one line per goal and the count reached without contact.

``--campaign FILE`` writes the same goals instead as a campaign file (docs/campaigns.md) that
runs the policy node, a separate process, against the bridge over DDS: ``twin campaign
FILE --output DIR`` then counts the goals reached without contact (``DIR/report.md``). The
shipped ones are ``config/campaigns/policy_goal_room*.yaml``.
"""

import argparse
from dataclasses import replace
from pathlib import Path
import sys

from twin_gym.envs import REACHED_M
from twin_gym.policy import load_policy
from twin_gym.train import make_env, run_episode
from twin_sim import ImuConfig, LidarConfig, PhysicalConfig
import yaml

BURGER_WHEEL_RADIUS_M = 0.033
FIRST_GOAL_SEED = 1000   # evaluation seeds stay clear of the trainer's (drawn from 1 up)
GOAL_TIME_LIMIT_S = 30.0  # simulated s per goal (300 actions at 10 Hz)
GOAL_ROOM = 'src/twin_gym/twin_gym/data/goal_room.yaml'   # from the workspace root


def perturbed_changes(radius: float = BURGER_WHEEL_RADIUS_M) -> dict:
    """Return the TwinConfig changes of the perturbed twin: wheels +-2 %, noise doubled."""
    lidar, imu = LidarConfig(), ImuConfig()
    return {'physical': PhysicalConfig(left_wheel_radius=radius * 1.02,
                                       right_wheel_radius=radius * 0.98),
            'lidar': replace(lidar, range_noise_std=2 * lidar.range_noise_std),
            'imu': replace(imu, gyro_noise_std=2 * imu.gyro_noise_std,
                           accel_noise_std=2 * imu.accel_noise_std)}


def goal_seeds(goals: int) -> range:
    """Return the seeds of the evaluation's goals."""
    return range(FIRST_GOAL_SEED, FIRST_GOAL_SEED + goals)


def evaluate(weights: Path | None, goals: int, perturbed: bool, max_steps: int) -> int:
    """Run ``goals`` seeded goals; print each; return how many were reached without contact."""
    policy = load_policy(weights)
    env = make_env({'variations': None, 'max_steps': max_steps, 'beams': policy.beams,
                    'config_changes': perturbed_changes() if perturbed else None})
    reached = 0
    try:
        for seed in goal_seeds(goals):
            total, arrived, contact = run_episode(env, policy, seed)
            goal = env.goal_odom
            print(f'goal {seed} at ({goal[0]:.2f}, {goal[1]:.2f}) in odom: '
                  f'{"reached" if arrived else "missed"}'
                  f'{", contact" if contact else ""} (return {total:.1f})', flush=True)
            reached += arrived and not contact
    finally:
        env.close()
    return reached


def seeded_goals(goals: int) -> list[tuple[int, tuple, tuple, tuple]]:
    """Return each evaluation goal's seed, spawn (x, y, yaw), goal in the world and in odom."""
    env = make_env({'variations': None})
    try:
        found = []
        for seed in goal_seeds(goals):
            env.reset(seed=seed)
            start = env.twin.robots[0].start
            found.append((seed, (start.position[0], start.position[1], start.yaw),
                          env.goal_world, env.goal_odom))
    finally:
        env.close()
    return found


def goal_campaign(goals: int, weights: Path | None, variations_file: str | None) -> dict:
    """
    Return the evaluation's goals for the policy node as a campaign (a YAML document).

    Each goal is a scenario: the node is told the goal in its odometry frame, the campaign
    judges the true position against the goal in the world (docs/campaigns.md).
    """
    parameters = {'weights': str(weights)} if weights else {}
    document = {
        'controller': {'module': 'twin_examples.policy', 'parameters': parameters},
        'scenarios': [{'name': f'goal_{seed}', 'world': GOAL_ROOM, 'spawn': _rounded(spawn),
                       'goal': _rounded(world), 'time_limit': GOAL_TIME_LIMIT_S,
                       'parameters': {'goal': _rounded(odom)}}
                      for seed, spawn, world, odom in seeded_goals(goals)],
        'episodes': 1, 'seed': 0, 'real_time_factor': 1.0,
        # The node stops within REACHED_M of the goal by its odometry; the truth may lie a
        # few cm further (wheel odometry drifts), so the campaign allows 5 cm more.
        'criteria': {'goal_tolerance': REACHED_M + 0.05, 'no_contact': True}}
    if variations_file:
        document['variations_file'] = variations_file
    return document


def _rounded(values) -> list[float]:
    return [round(float(v), 4) for v in values]


def write_campaign(path: Path, goals: int, weights: Path | None,
                   variations_file: str | None) -> None:
    """Write the campaign of the evaluation's goals to ``path``, with a header that says how."""
    command = f'python -m twin_gym.evaluate --campaign {path}' + (
        f' --variations-file {variations_file}' if variations_file else '')
    header = (f'# The policy node (twin_examples.policy) against the bridge over DDS, in the '
              f'goal room:\n# the {goals} goals of `python -m twin_gym.evaluate` (seeds '
              f'{FIRST_GOAL_SEED} up). Written by\n#   {command}\n# Run from the workspace '
              f'root:\n#   twin campaign {path} --output DIR\n')
    body = yaml.safe_dump(goal_campaign(goals, weights, variations_file), sort_keys=False,
                          default_flow_style=None, width=99)
    path.write_text(header + body)


def main(argv: list[str] | None = None) -> None:
    """Evaluate and print the score, or write the campaign; exit 1 on an unusable file."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.evaluate', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--weights', type=Path, help='policy .npz (default: the shipped one)')
    parser.add_argument('--goals', type=int, default=10)
    parser.add_argument('--perturbed', action='store_true')
    parser.add_argument('--max-steps', type=int, default=round(GOAL_TIME_LIMIT_S * 10),
                        help='actions per goal (10 Hz)')
    parser.add_argument('--campaign', type=Path, metavar='FILE',
                        help='write the goals as a campaign file for the DDS run instead')
    parser.add_argument('--variations-file', metavar='FILE',
                        help="with --campaign: the bridge's variation file (relative to FILE)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.campaign:
        write_campaign(args.campaign, args.goals, args.weights, args.variations_file)
        print(f'wrote {args.campaign}')
        return
    try:
        reached = evaluate(args.weights, args.goals, args.perturbed, args.max_steps)
    except ValueError as error:
        sys.exit(f'error: {error}')
    print(f'{reached} of {args.goals} goals reached without contact'
          f'{" on the perturbed twin" if args.perturbed else ""}')


if __name__ == '__main__':
    main()
