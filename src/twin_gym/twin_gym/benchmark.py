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
Environment steps per second, in 1 and N processes, and the wrapper's cost over the core.

``python -m twin_gym.benchmark [--steps 200] [--processes 2]``: a benchmark, not a test
(the figures depend on the machine and its load). One step is one action, 1/10 s of
simulated time; the core figure runs the same simulated time with ``Twin.step`` alone.
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
import json
import time

import numpy as np

from twin_gym.train import make_env


def env_steps_per_second(steps: int) -> float:
    """Return actions per wall second of the goal-reaching environment (random actions)."""
    env = make_env({'max_steps': 10**9})
    env.reset(seed=1)
    env.action_space.seed(1)
    start = time.perf_counter()
    for _ in range(steps):
        if env.step(env.action_space.sample())[2]:
            env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed


def core_steps_per_second(steps: int) -> float:
    """Return control periods per wall second of the bare core under the same commands."""
    env = make_env({'max_steps': 10**9})
    env.reset(seed=1)
    twin, rng = env.twin, np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(steps):
        twin.set_command(*rng.uniform(env.action_space.low, env.action_space.high))
        for _ in range(env.steps_per_action):
            twin.step()
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.benchmark', description=__doc__)
    parser.add_argument('--steps', type=int, default=200)
    parser.add_argument('--processes', type=int, default=2)
    args = parser.parse_args()
    core = core_steps_per_second(args.steps)
    one = env_steps_per_second(args.steps)
    with ProcessPoolExecutor(args.processes) as pool:   # concurrent: each times its steps
        many = sum(pool.map(env_steps_per_second, [args.steps] * args.processes))
    print(json.dumps({'core_control_periods_per_s': round(core, 1),
                      'env_steps_per_s_1_process': round(one, 1),
                      f'env_steps_per_s_{args.processes}_processes': round(many, 1),
                      'scaling': round(many / one / args.processes, 2),
                      'wrapper_overhead': round(core / one - 1.0, 3)}))


if __name__ == '__main__':
    main()
