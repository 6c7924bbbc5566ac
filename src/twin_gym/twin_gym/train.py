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
Train a goal-reaching policy in the twin with CMA-ES (numpy only), with the variations on.

``python -m twin_gym.train --generations 30 --out policy.npz --curve curve.png`` (or the
``train`` executable) searches the weights of a small :class:`~twin_gym.policy.MlpPolicy`:
each generation scores every candidate on the same few seeded episodes (common random
numbers) in ``--workers`` processes. ``--algorithm ppo`` uses stable-baselines3 instead, an
optional extra (``pip install stable-baselines3``; torch is large, so ``make`` does not
install it); its actor is copied into the same ``.npz`` format.
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
import json
from pathlib import Path
import sys
import time

import numpy as np

from twin_gym.observation import ObservationConfig
from twin_gym.policy import MlpPolicy

_ENV = None   # one environment per worker process, built once


def observation_scale(config: ObservationConfig, max_linear: float,
                      max_angular: float) -> np.ndarray:
    """Return the divisor that brings every observation entry to about unit size."""
    return np.concatenate([np.full(config.beams, config.range_max),
                           [max_linear, max_angular, 2.0, 2.0]])


def make_env(options: dict):
    """Return the goal-reaching environment with ``options`` (keyword arguments)."""
    import gymnasium
    import twin_gym  # noqa: F401  (registers the ids)
    return gymnasium.make('twin/GoalReaching-v0', **options).unwrapped


def run_episode(env, policy: MlpPolicy, seed: int) -> tuple[float, bool, bool]:
    """Return the return of one episode, whether the goal was reached and whether it hit."""
    observation, _ = env.reset(seed=seed)
    total, done, info = 0.0, False, {}
    while not done:
        observation, reward, terminated, truncated, info = env.step(
            policy.act(observation).astype(np.float32))
        total += reward
        done = terminated or truncated
    return total, bool(info.get('reached')), bool(info.get('contact'))


def _init_worker(options: dict) -> None:
    global _ENV
    _ENV = make_env(options)


def _score(job: tuple[dict, list[int]]) -> list[tuple[float, bool, bool]]:
    arrays, seeds = job
    policy = MlpPolicy(arrays)
    return [run_episode(_ENV, policy, seed) for seed in seeds]


def arrays_of(policy: MlpPolicy) -> dict:
    """Return the arrays of a policy (what crosses to the worker processes)."""
    arrays = {'scale': policy.scale, 'limits': policy.limits}
    for index, (w, b) in enumerate(policy.layers):
        arrays[f'w{index}'], arrays[f'b{index}'] = w, b
    return arrays


def train_cma(args, template: MlpPolicy) -> tuple[MlpPolicy, list[dict]]:
    """Search the weights with CMA-ES; return the best mean policy and the learning curve."""
    import cma
    strategy = cma.CMAEvolutionStrategy(template.parameters(), args.sigma,
                                        {'popsize': args.population, 'seed': args.seed + 1,
                                         'verbose': -9})
    curve, rng, start = [], np.random.default_rng(args.seed), time.monotonic()
    options = {'max_steps': args.max_steps, 'twin_seed': args.seed}
    with ProcessPoolExecutor(args.workers, initializer=_init_worker,
                             initargs=(options,)) as pool:
        for generation in range(args.generations):
            seeds = [int(s) for s in rng.integers(1, 2**31 - 1, args.episodes)]
            candidates = strategy.ask()
            jobs = [(arrays_of(template.with_parameters(np.asarray(c))), seeds)
                    for c in candidates]
            results = list(pool.map(_score, jobs))
            returns = [np.mean([r[0] for r in result]) for result in results]
            strategy.tell(candidates, [-value for value in returns])
            mean = template.with_parameters(strategy.mean)
            evaluation = list(pool.map(_score, [(arrays_of(mean), seeds)]))[0]
            point = {'generation': generation + 1,
                     'episodes': (generation + 1) * args.episodes * (args.population + 1),
                     'wall_s': round(time.monotonic() - start, 1),
                     'best_return': float(max(returns)),
                     'mean_policy_return': float(np.mean([r[0] for r in evaluation])),
                     'mean_policy_reached': sum(r[1] for r in evaluation) / len(evaluation)}
            curve.append(point)
            print(json.dumps(point), flush=True)
            mean.save(args.out)   # every generation: an interrupted run keeps its best so far
    return template.with_parameters(strategy.mean), curve


def plot_curve(curve: list[dict], path: Path) -> None:
    """Draw the mean policy's return and success rate per generation."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot
    figure, left = pyplot.subplots(figsize=(6, 3.5))
    generations = [p['generation'] for p in curve]
    left.plot(generations, [p['mean_policy_return'] for p in curve], label='mean policy')
    left.plot(generations, [p['best_return'] for p in curve], ':', label='best candidate')
    left.set_xlabel('generation')
    left.set_ylabel('return (mean over the episodes)')
    right = left.twinx()
    right.plot(generations, [p['mean_policy_reached'] for p in curve], 'g--',
               label='goals reached')
    right.set_ylim(0, 1.05)
    right.set_ylabel('goals reached (fraction)')
    left.legend(loc='lower right')
    left.set_title(f'CMA-ES in twin/GoalReaching-v0, variations on '
                   f'({curve[-1]["wall_s"]:.0f} s wall)')
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def parse(argv: list[str]) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.train', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--algorithm', choices=('cma', 'ppo'), default='cma')
    parser.add_argument('--generations', type=int, default=30)
    parser.add_argument('--population', type=int, default=16)
    parser.add_argument('--episodes', type=int, default=4,
                        help='seeded episodes per candidate and generation')
    parser.add_argument('--hidden', type=int, default=16,
                        help='units of the hidden layer (0: a linear policy)')
    parser.add_argument('--sigma', type=float, default=0.5, help='CMA-ES initial step size')
    parser.add_argument('--max-steps', type=int, default=250, help='actions per episode')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', type=Path, default=Path('policy.npz'))
    parser.add_argument('--curve', type=Path, help='write the learning curve (PNG) here')
    parser.add_argument('--ppo-steps', type=int, default=200_000)
    return parser.parse_args(argv)


def train_ppo(args, template: MlpPolicy) -> MlpPolicy:
    """Train with stable-baselines3 PPO (optional extra); copy its actor into numpy arrays."""
    try:
        from stable_baselines3 import PPO
        import torch
    except ImportError:
        sys.exit('--algorithm ppo needs stable-baselines3: pip install stable-baselines3')
    env = make_env({'max_steps': args.max_steps, 'twin_seed': args.seed})
    hidden = [w.shape[1] for w, _ in template.layers[:-1]]
    model = PPO('MlpPolicy', env, seed=args.seed, verbose=1, policy_kwargs={
        'net_arch': {'pi': hidden, 'vf': [64, 64]}, 'activation_fn': torch.nn.Tanh})
    model.learn(args.ppo_steps)
    # SB3 sees the raw observation and a Gaussian mean clipped to the action space; the numpy
    # policy divides by its scale and squashes with tanh: close enough for a deterministic run.
    layers = [m for m in model.policy.mlp_extractor.policy_net if hasattr(m, 'weight')]
    layers.append(model.policy.action_net)
    arrays = {'scale': np.ones_like(template.scale), 'limits': template.limits}
    for index, layer in enumerate(layers):
        arrays[f'w{index}'] = layer.weight.detach().numpy().T
        arrays[f'b{index}'] = layer.bias.detach().numpy()
    return MlpPolicy(arrays)


def main(argv: list[str] | None = None) -> None:
    """Train, save the weights and (``--curve``) the learning curve."""
    args = parse(sys.argv[1:] if argv is None else argv)
    probe = make_env({'max_steps': args.max_steps})
    config, limits = probe.observation_config, probe.action_space.high
    probe.close()
    template = MlpPolicy.random(
        [config.size, *([args.hidden] if args.hidden else []), 2],
        observation_scale(config, float(limits[0]), float(limits[1])),
        (float(limits[0]), float(limits[1])), np.random.default_rng(args.seed))
    if args.algorithm == 'ppo':
        train_ppo(args, template).save(args.out)
        return
    policy, curve = train_cma(args, template)
    policy.save(args.out)
    if args.curve:
        plot_curve(curve, args.curve)
        args.curve.with_suffix('.json').write_text(json.dumps(curve, indent=1) + '\n')
    print(f'wrote {args.out}' + (f' and {args.curve}' if args.curve else ''))


if __name__ == '__main__':
    main()
