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
numbers) in ``--workers`` processes, then scores the search's mean policy on fixed held-out
seeds (SELECTION_SEEDS). The best policy by that score (goals reached without contact, then
return) is kept, never the last: it is written to ``--out`` only when ``--out`` holds no
policy, holds a worse one (scored on the same seeds) or ``--force`` is given, otherwise
beside it (``NAME.new.npz``). ``--algorithm ppo`` uses stable-baselines3 instead, an
optional extra (``pip install stable-baselines3``; torch is large, so ``make`` does not
install it); its actor is copied into the same ``.npz`` format.
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
import json
from pathlib import Path
import sys
import time

import numpy as np

from twin_gym.observation import ObservationConfig
from twin_gym.policy import GOAL_DISTANCE_CAP_M, load_policy, MlpPolicy

# Held-out seeds score the search's mean policy each generation; the evaluation's seeds
# (twin_gym.evaluate, 1000 up) stay unseen. Training episodes are drawn from 1 .. 2**31.
FIRST_SELECTION_SEED = 500

_ENVS: dict = {}             # per worker process: one environment per beam count, built once
_OPTIONS: dict = {}


@dataclass(frozen=True, order=True)
class Score:
    """A policy's score on seeded episodes: goals reached without contact, then the return."""

    reached: int
    mean_return: float

    def __str__(self) -> str:
        """Return e.g. ``7 reached, return 12.3``."""
        return f'{self.reached} reached, return {self.mean_return:.1f}'


def observation_scale(config: ObservationConfig, max_linear: float,
                      max_angular: float) -> np.ndarray:
    """Return the divisor that brings every observation entry to about unit size."""
    return np.concatenate([np.full(config.beams, config.range_max),
                           [max_linear, max_angular, 2.0, 2.0]])


def feature_scale(config: ObservationConfig, max_linear: float,
                  max_angular: float) -> np.ndarray:
    """Return the divisor of :func:`twin_gym.policy.features` (proximities are 0 .. 1)."""
    return np.concatenate([np.ones(config.beams), [max_linear, max_angular, 1.0, 1.0,
                                                   GOAL_DISTANCE_CAP_M]])


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


def score_of(results: list[tuple[float, bool, bool]]) -> Score:
    """Return the score of episodes' (return, reached, contact)."""
    return Score(sum(reached and not contact for _, reached, contact in results),
                 float(np.mean([total for total, _, _ in results])))


def _init_worker(options: dict) -> None:
    _OPTIONS.update(options)


def _score(job: tuple[dict, list[int]]) -> list[tuple[float, bool, bool]]:
    arrays, seeds = job
    policy = MlpPolicy(arrays)
    if policy.beams not in _ENVS:
        _ENVS[policy.beams] = make_env({**_OPTIONS, 'beams': policy.beams})
    return [run_episode(_ENVS[policy.beams], policy, seed) for seed in seeds]


class Keeper:
    """
    Keep the best policy seen, and write it where it may go.

    :param out: the requested file; an existing policy there is scored first (``incumbent``)
    :param force: overwrite ``out`` whatever it holds
    """

    def __init__(self, out: Path, force: bool, incumbent: Score | None):
        """Remember where to write and what the existing policy scored."""
        self.out, self.force, self.incumbent = out, force, incumbent
        self.best: tuple[Score, MlpPolicy] | None = None

    def offer(self, score: Score, policy: MlpPolicy) -> bool:
        """Keep and write ``policy`` if it beats the best so far; return whether it did."""
        if self.best is not None and score <= self.best[0]:
            return False
        self.best = (score, policy)
        policy.save(self.destination())
        return True

    def destination(self) -> Path:
        """Return ``out``, or ``NAME.new.npz`` beside it while the incumbent is better."""
        if self.force or self.incumbent is None or self.best[0] > self.incumbent:
            return self.out
        return self.out.with_name(self.out.stem + '.new.npz')


def incumbent_score(pool, out: Path, seeds: list[int]) -> Score | None:
    """Return the score of the policy already at ``out`` (None: no usable policy there)."""
    if not out.exists():
        return None
    try:
        policy = load_policy(out)
    except ValueError:
        return None
    score = held_out_score(pool, policy, seeds)
    print(f'{out} holds a policy: {score} on the held-out seeds', flush=True)
    return score


def held_out_score(pool, policy: MlpPolicy, seeds: list[int]) -> Score:
    """Return the score of ``policy`` on ``seeds``, one job per seed (shared by the pool)."""
    arrays = policy.arrays()
    return score_of([result for part in pool.map(_score, [(arrays, [seed]) for seed in seeds])
                     for result in part])


def selection_seeds(count: int) -> list[int]:
    """Return the held-out seeds that score policies."""
    return list(range(FIRST_SELECTION_SEED, FIRST_SELECTION_SEED + count))


def train_cma(args, template: MlpPolicy, pool, keeper: Keeper) -> list[dict]:
    """Search the weights with CMA-ES, offering each generation's mean; return the curve."""
    import cma
    strategy = cma.CMAEvolutionStrategy(template.parameters(), args.sigma,
                                        {'popsize': args.population, 'seed': args.seed + 1,
                                         'verbose': -9})
    curve, rng, start = [], np.random.default_rng(args.seed), time.monotonic()
    for generation in range(args.generations):
        seeds = [int(s) for s in rng.integers(1, 2**31 - 1, args.episodes)]
        candidates = strategy.ask()
        jobs = [(template.with_parameters(np.asarray(c)).arrays(), seeds) for c in candidates]
        returns = [score_of(result).mean_return for result in pool.map(_score, jobs)]
        strategy.tell(candidates, [-value for value in returns])
        mean = template.with_parameters(strategy.mean)
        held_out = held_out_score(pool, mean, selection_seeds(args.selection))
        point = {'generation': generation + 1,
                 'episodes': (generation + 1) * (args.episodes * args.population +
                                                 args.selection),
                 'wall_s': round(time.monotonic() - start, 1),
                 'best_return': float(max(returns)),
                 'mean_policy_return': held_out.mean_return,
                 'mean_policy_reached': held_out.reached / args.selection,
                 'kept': keeper.offer(held_out, mean)}
        curve.append(point)
        print(json.dumps(point), flush=True)
        if args.curve:   # every generation: an interrupted run keeps its curve too
            write_curve(curve, args.curve)
    return curve


def write_curve(curve: list[dict], path: Path) -> None:
    """Write the learning curve as a PNG and its numbers beside it (``.json``)."""
    plot_curve(curve, path)
    path.with_suffix('.json').write_text(json.dumps(curve, indent=1) + '\n')


def plot_curve(curve: list[dict], path: Path) -> None:
    """Draw the mean policy's return and success rate per generation."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot
    figure, left = pyplot.subplots(figsize=(6, 3.5))
    generations = [p['generation'] for p in curve]
    left.plot(generations, [p['mean_policy_return'] for p in curve],
              label='mean policy, held-out seeds')
    left.plot(generations, [p['best_return'] for p in curve], ':',
              label="best candidate, the generation's seeds")
    left.set_xlabel('generation')
    left.set_ylabel('return (mean over the episodes)')
    right = left.twinx()
    right.plot(generations, [p['mean_policy_reached'] for p in curve], 'g--',
               label='held-out goals reached')
    kept = [p for p in curve if p.get('kept')]
    right.plot([p['generation'] for p in kept], [p['mean_policy_reached'] for p in kept], 'g*',
               label='kept (best so far)')
    right.set_ylim(0, 1.05)
    right.set_ylabel('held-out goals reached without contact', color='g')
    left.legend(loc='lower right', fontsize='small')
    right.legend(loc='upper left', fontsize='small')
    left.set_title(f'CMA-ES in twin/GoalReaching-v0, variations on '
                   f'({curve[-1]["wall_s"]:.0f} s wall)')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def parse(argv: list[str]) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(prog='python -m twin_gym.train', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--algorithm', choices=('cma', 'ppo'), default='cma')
    parser.add_argument('--generations', type=int, default=30)
    parser.add_argument('--population', type=int, default=12)
    parser.add_argument('--episodes', type=int, default=3,
                        help='seeded episodes per candidate and generation')
    parser.add_argument('--selection', type=int, default=8,
                        help='held-out seeded episodes that score the mean policy')
    parser.add_argument('--hidden', type=int, default=0,
                        help='units of the hidden layer (0: a linear policy)')
    parser.add_argument('--proximity-range', type=float, default=0.6,
                        help='m: read the scan as proximities within this (twin_gym.policy.'
                             'features); 0: the raw observation')
    parser.add_argument('--beams', type=int, default=24, help='scan sectors observed')
    parser.add_argument('--variations', type=Path,
                        help='variation file (default: config/variations/policy_training.yaml)')
    parser.add_argument('--sigma', type=float, default=0.5, help='CMA-ES initial step size')
    parser.add_argument('--max-steps', type=int, default=200, help='actions per episode')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', type=Path, default=Path('policy.npz'))
    parser.add_argument('--force', action='store_true',
                        help='overwrite --out even when it holds a better policy')
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
    if template.proximity_range is not None:
        sys.exit('--algorithm ppo trains on the raw observation: add --proximity-range 0')
    env = make_env({**environment_options(args), 'beams': template.beams})
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


def environment_options(args) -> dict:
    """Return the training environment's options (keyword arguments)."""
    return {'max_steps': args.max_steps, 'twin_seed': args.seed, 'exact_reset': False,
            **({'variations': args.variations} if args.variations else {})}


def template_policy(args) -> MlpPolicy:
    """Return the untrained policy of the options' shape: zero weights (it stands still)."""
    probe = make_env({'max_steps': args.max_steps, 'beams': args.beams, 'variations': None})
    config, (max_linear, max_angular) = probe.observation_config, probe.action_space.high
    probe.close()
    limits = (float(max_linear), float(max_angular))
    if args.proximity_range > 0:
        scale, inputs = feature_scale(config, *limits), config.size + 1
    else:
        scale, inputs = observation_scale(config, *limits), config.size
    policy = MlpPolicy.random([inputs, *([args.hidden] if args.hidden else []), 2], scale,
                              limits, np.random.default_rng(args.seed),
                              args.proximity_range if args.proximity_range > 0 else None)
    if args.hidden:
        return policy
    return policy.with_parameters(np.zeros(policy.parameter_count))


def main(argv: list[str] | None = None) -> None:
    """Train, save the best weights and (``--curve``) the learning curve."""
    args = parse(sys.argv[1:] if argv is None else argv)
    template = template_policy(args)
    curve = None
    with ProcessPoolExecutor(args.workers, initializer=_init_worker,
                             initargs=(environment_options(args),)) as pool:
        seeds = selection_seeds(args.selection)
        keeper = Keeper(args.out, args.force, incumbent_score(pool, args.out, seeds))
        if args.algorithm == 'ppo':
            policy = train_ppo(args, template)
            keeper.offer(held_out_score(pool, policy, seeds), policy)
        else:
            curve = train_cma(args, template, pool, keeper)
    score, _ = keeper.best
    print(f'best: {score} of {args.selection} held-out goals; wrote {keeper.destination()}'
          + ('' if keeper.destination() == args.out else
             f' ({args.out} holds a better policy: {keeper.incumbent}; --force replaces it)')
          + (f' and {args.curve}' if curve and args.curve else ''), flush=True)


if __name__ == '__main__':
    main()
