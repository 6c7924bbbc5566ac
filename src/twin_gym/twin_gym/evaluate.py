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
Score a goal-reaching policy on seeded goals in the core: nominal, and on a perturbed twin.

``python -m twin_gym.evaluate [--weights FILE] [--goals 10] [--perturbed]`` runs the goals
without the training variations; ``--perturbed`` gives the body wheels 2 % larger (left) and
2 % smaller (right) than the firmware believes, and doubles the LIDAR's and IMU's noise.
It prints one line per goal and the count reached without contact.
"""

import argparse
from dataclasses import replace
from pathlib import Path
import sys

from twin_gym.policy import load_policy
from twin_gym.train import make_env, run_episode
from twin_sim import ImuConfig, LidarConfig, PhysicalConfig

BURGER_WHEEL_RADIUS_M = 0.033
FIRST_GOAL_SEED = 1000   # evaluation seeds stay clear of the trainer's (drawn from 1 up)


def perturbed_changes(radius: float = BURGER_WHEEL_RADIUS_M) -> dict:
    """Return the TwinConfig changes of the perturbed twin: wheels +-2 %, noise doubled."""
    lidar, imu = LidarConfig(), ImuConfig()
    return {'physical': PhysicalConfig(left_wheel_radius=radius * 1.02,
                                       right_wheel_radius=radius * 0.98),
            'lidar': replace(lidar, range_noise_std=2 * lidar.range_noise_std),
            'imu': replace(imu, gyro_noise_std=2 * imu.gyro_noise_std,
                           accel_noise_std=2 * imu.accel_noise_std)}


def evaluate(weights: Path | None, goals: int, perturbed: bool, max_steps: int) -> int:
    """Run ``goals`` seeded goals; print each; return how many were reached without contact."""
    policy = load_policy(weights)
    env = make_env({'variations': None, 'max_steps': max_steps,
                    'config_changes': perturbed_changes() if perturbed else None})
    reached = 0
    try:
        for seed in range(FIRST_GOAL_SEED, FIRST_GOAL_SEED + goals):
            total, arrived, contact = run_episode(env, policy, seed)
            goal = env.goal_odom
            print(f'goal {seed} at ({goal[0]:.2f}, {goal[1]:.2f}) in odom: '
                  f'{"reached" if arrived else "missed"}'
                  f'{", contact" if contact else ""} (return {total:.1f})', flush=True)
            reached += arrived and not contact
    finally:
        env.close()
    return reached


def main(argv: list[str] | None = None) -> None:
    """Evaluate and print the score; exit 1 when the policy file is unusable."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.evaluate', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--weights', type=Path, help='policy .npz (default: the shipped one)')
    parser.add_argument('--goals', type=int, default=10)
    parser.add_argument('--perturbed', action='store_true')
    parser.add_argument('--max-steps', type=int, default=300, help='actions per goal (10 Hz)')
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        reached = evaluate(args.weights, args.goals, args.perturbed, args.max_steps)
    except ValueError as error:
        sys.exit(f'error: {error}')
    print(f'{reached} of {args.goals} goals reached without contact'
          f'{" on the perturbed twin" if args.perturbed else ""}')


if __name__ == '__main__':
    main()
