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
Each figure is given per wall second and per CPU second of the process: on a shared
machine the wall figures measure the load, the CPU figures the code.
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
import json
import time

import numpy as np

from twin_gym.train import make_env


class Timer:
    """Wall and CPU seconds of this process between entering and leaving."""

    def __enter__(self) -> 'Timer':
        """Start both clocks."""
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_) -> None:
        """Stop both clocks."""
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def env_steps_per_second(steps: int) -> tuple[float, float]:
    """Return actions per wall and per CPU second of the goal-reaching environment."""
    env = make_env({'max_steps': 10**9})
    env.reset(seed=1)
    env.action_space.seed(1)
    with Timer() as timer:
        for _ in range(steps):
            if env.step(env.action_space.sample())[2]:
                env.reset()
    env.close()
    return steps / timer.wall, steps / timer.cpu


def core_steps_per_second(steps: int) -> tuple[float, float]:
    """Return control periods per wall and per CPU second of the bare core, same commands."""
    env = make_env({'max_steps': 10**9})
    env.reset(seed=1)
    twin, rng = env.twin, np.random.default_rng(1)
    with Timer() as timer:
        for _ in range(steps):
            twin.set_command(*rng.uniform(env.action_space.low, env.action_space.high))
            for _ in range(env.steps_per_action):
                twin.step()
    env.close()
    return steps / timer.wall, steps / timer.cpu


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.benchmark', description=__doc__)
    parser.add_argument('--steps', type=int, default=200)
    parser.add_argument('--processes', type=int, default=2)
    args = parser.parse_args()
    core = core_steps_per_second(args.steps)
    one = env_steps_per_second(args.steps)
    with ProcessPoolExecutor(args.processes) as pool:   # concurrent: each times its steps
        many = [sum(column) for column in zip(*pool.map(env_steps_per_second,
                                                        [args.steps] * args.processes))]
    figures = {}
    for clock, index in (('wall', 0), ('cpu', 1)):
        figures[clock] = {
            'core_control_periods_per_s': round(core[index], 1),
            'env_steps_per_s_1_process': round(one[index], 1),
            f'env_steps_per_s_{args.processes}_processes': round(many[index], 1),
            'scaling': round(many[index] / one[index] / args.processes, 2),
            'wrapper_overhead': round(core[index] / one[index] - 1.0, 3)}
    print(json.dumps(figures, indent=1))


if __name__ == '__main__':
    main()
