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
Tuning before deployment: search the controller's own ROS parameters with Optuna.

A campaign's ``tuning:`` section gives a search space over the controller's parameters and
the metric that ranks equal pass rates. Every trial is the campaign itself, its episodes
seeded as always, run with the trial's parameters; Optuna's TPE sampler, seeded, proposes
the next. The best set is then run beside the campaign's own parameters on held-out seeds
(episodes the search never saw), and written as a ROS parameter file
(``node: ros__parameters: ...``) that the controller loads unchanged (``--params-file``).

Pure (no ROS): the episodes are run by the function the caller passes (``cli.run_campaign``
on the chosen back-end).
"""

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Callable

import optuna
from scipy.stats import binomtest
from twin_campaign.campaign import Campaign, CampaignError, load
import yaml

# The metrics that can rank equal pass rates, and which way is better.
METRICS = {'time_to_goal_s': 'minimize', 'path_length_m': 'minimize',
           'min_clearance_m': 'maximize', 'max_speed_m_s': 'minimize',
           'odometry_drift_m': 'minimize'}
CONFIDENCE = 0.95

RunCampaign = Callable[[Campaign, Path, bool], list]   # (campaign, output, resume) -> rows


@dataclass(frozen=True)
class Dimension:
    """One parameter's range (``low``..``high``, by ``step``, on a log scale) or choices."""

    name: str
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple = ()


@dataclass(frozen=True)
class Tuning:
    """A campaign's ``tuning:`` section."""

    node: str                  # the controller's node name: the parameter file's top key
    space: tuple               # Dimension, ...
    trials: int
    seed: int                  # the sampler's
    metric: str                # ranks equal pass rates (METRICS)
    held_out_episodes: int
    held_out_seed: int


@dataclass(frozen=True)
class Score:
    """A set of episodes judged: passes, episodes, the metric's mean over the passes."""

    passed: int
    episodes: int
    metric: float
    maximize: bool = False     # the metric's direction (METRICS)

    @property
    def value(self) -> float:
        """
        Return the objective: pass rate first, then the metric.

        (passes + t) / episodes, with t in [0, 1) growing as the metric improves, so no
        metric makes up for one episode more that fails.
        """
        return (self.passed + self.tie_break) / self.episodes

    @property
    def tie_break(self) -> float:
        """Return the metric mapped into [0, 1), larger when better (0 when unmeasured)."""
        if not math.isfinite(self.metric):
            return 0.0
        size = max(self.metric, 0.0)
        return size / (1.0 + size) if self.maximize else 1.0 / (1.0 + size)

    def interval(self) -> tuple[float, float]:
        """Return the pass rate's Wilson confidence interval, at CONFIDENCE."""
        ci = binomtest(self.passed, self.episodes).proportion_ci(CONFIDENCE, method='wilson')
        return ci.low, ci.high


def score(rows: list[dict], metric: str) -> Score:
    """Judge a trial's rows: errors count as not passed; the metric over the passes only."""
    passed = [r for r in rows if r['outcome'] == 'pass']
    values = [float(r[metric]) for r in passed if math.isfinite(float(r.get(metric, math.nan)))]
    mean = sum(values) / len(values) if values else math.nan
    return Score(len(passed), len(rows), mean, METRICS[metric] == 'maximize')


@dataclass(frozen=True)
class Outcome:
    """What a tuning run found: the best parameters, their trial, and the held-out scores."""

    best: dict
    best_trial: int
    trials: list               # (number, parameters, Score) per trial
    held_out_best: Score
    held_out_shipped: Score
    parameter_file: Path


def read_tuning(campaign: Campaign) -> Tuning:
    """
    Read and check the ``tuning:`` section of a campaign file.

    :raises CampaignError: naming the file and key that cannot be used
    """
    document = yaml.safe_load(campaign.path.read_text()) or {}
    entry = document.get('tuning')
    where = f'{campaign.path}: tuning'
    if not isinstance(entry, dict):
        raise CampaignError(f'{where}: missing; --tune needs a tuning section with parameters '
                            '(docs/campaigns.md, "Tuning")')
    _known(entry, where, ('node', 'trials', 'seed', 'metric', 'held_out', 'parameters'))
    parameters = entry.get('parameters')
    if not isinstance(parameters, dict) or not parameters:
        raise CampaignError(f'{where}, parameters: give at least one, e.g. '
                            'speed: {low: 0.1, high: 0.3}')
    scenario_set = sorted({name for s in campaign.scenarios for name in s.controller_parameters
                           if name in parameters})
    if scenario_set:
        raise CampaignError(f'{where}, parameters: {scenario_set[0]!r} is also set by a '
                            "scenario's parameters, which would override every trial")
    held_out = entry.get('held_out') or {}
    _known(held_out, f'{where}, held_out', ('episodes', 'seed'))
    metric = entry.get('metric', 'time_to_goal_s')
    if metric not in METRICS:
        raise CampaignError(f'{where}, metric: {metric!r} is not one of {", ".join(METRICS)}')
    return Tuning(
        node=str(entry.get('node') or campaign.controller.module.rpartition('.')[2]),
        space=tuple(_dimension(where, name, value) for name, value in parameters.items()),
        trials=_count(entry, where, 'trials', 10),
        seed=_count(entry, where, 'seed', campaign.seed, minimum=0),
        metric=metric,
        held_out_episodes=_count(held_out, f'{where}, held_out', 'episodes', campaign.episodes),
        held_out_seed=_count(held_out, f'{where}, held_out', 'seed', campaign.seed + 1,
                             minimum=0))


def _known(entry: dict, where: str, keys: tuple) -> None:
    unknown = sorted(set(entry) - set(keys))
    if unknown:
        raise CampaignError(f'{where}, {unknown[0]}: unknown key; known: {", ".join(keys)}')


def _count(entry: dict, where: str, key: str, default: int, minimum: int = 1) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CampaignError(f'{where}, {key}: expected an integer >= {minimum}, got {value!r}')
    return value


def _dimension(where: str, name: str, entry) -> Dimension:
    label = f'{where}, parameters, {name}'
    if not isinstance(entry, dict):
        raise CampaignError(f'{label}: expected {{low: L, high: H}} or {{choices: [...]}}, '
                            f'got {entry!r}')
    _known(entry, label, ('low', 'high', 'step', 'log', 'integer', 'choices'))
    if 'choices' in entry:
        if not isinstance(entry['choices'], list) or not entry['choices']:
            raise CampaignError(f'{label}, choices: expected a list of values')
        return Dimension(name, choices=tuple(entry['choices']))
    numbers = [entry.get(k) for k in ('low', 'high')]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers) or \
            numbers[0] >= numbers[1]:
        raise CampaignError(f'{label}: expected numbers low < high, got {numbers}')
    return Dimension(name, float(numbers[0]), float(numbers[1]), entry.get('step'),
                     bool(entry.get('log', False)), bool(entry.get('integer', False)))


def suggest(trial: optuna.Trial, space: tuple) -> dict:
    """
    Return a trial's parameters, typed as the controller declares them.

    Floats stay floats (1.0, not 1): ROS refuses an integer for a double parameter.
    """
    values = {}
    for d in space:
        if d.choices:
            values[d.name] = trial.suggest_categorical(d.name, list(d.choices))
        elif d.integer:
            values[d.name] = trial.suggest_int(d.name, int(d.low), int(d.high),
                                               step=int(d.step or 1), log=d.log)
        else:
            value = trial.suggest_float(d.name, d.low, d.high, step=d.step, log=d.log)
            values[d.name] = round(value, 10)   # a step's float noise (0.30000000000000004)
    return values


def sampler(seed: int, trials: int) -> optuna.samplers.TPESampler:
    """Return the seeded TPE sampler: a third of the trials random, then model-guided."""
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(1, trials // 3))


def trial_campaign(campaign: Campaign, parameters: dict, seed: int, episodes: int,
                   folder: Path) -> Campaign:
    """
    Write the campaign with these controller parameters, seed and episodes; load it.

    ``FOLDER/campaign.yaml`` is an ordinary campaign file (no tuning section): ``twin
    campaign`` re-runs the trial from it alone.
    """
    document = yaml.safe_load(campaign.path.read_text())
    document.pop('tuning', None)
    controller = document['controller']
    controller['parameters'] = {**(controller.get('parameters') or {}), **parameters}
    document.update(seed=seed, episodes=episodes)
    for key in ('faults_file', 'variations_file'):
        if document.get(key):
            document[key] = getattr(campaign, key)   # resolved when the campaign was loaded
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'campaign.yaml'
    path.write_text(f'# {campaign.path}, trial parameters {parameters}\n' +
                    yaml.safe_dump(document, sort_keys=False))
    return load(path)


def tune(campaign: Campaign, tuning: Tuning, output: Path, run: RunCampaign,
         resume: bool = False, say: Callable[[str], None] = print) -> Outcome:
    """
    Search the space, pick the best trial, check it on held-out seeds; write the file.

    :param run: runs a campaign's episodes into a folder and returns their rows
    :param resume: keep the episodes of trials already run with the same parameters (a
        seeded study proposes the same trials again, so an interrupted run goes on)
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction='maximize',
                                sampler=sampler(tuning.seed, tuning.trials))
    trials = []

    def evaluate(parameters: dict, seed: int, episodes: int, folder: Path) -> Score:
        """Run the campaign with these parameters; keep a resumed folder's same trial."""
        written = folder / 'campaign.yaml'
        before = written.read_text() if resume and written.is_file() else None
        trial = trial_campaign(campaign, parameters, seed, episodes, folder)
        return score(run(trial, folder, written.read_text() == before), tuning.metric)

    def objective(trial: optuna.Trial) -> float:
        parameters = suggest(trial, tuning.space)
        result = evaluate(parameters, campaign.seed, campaign.episodes,
                          output / 'trials' / f'{trial.number:03d}')
        trials.append((trial.number, parameters, result))
        say(f'twin campaign: trial {trial.number + 1}/{tuning.trials} {parameters}: '
            f'{result.passed}/{result.episodes} passed, {tuning.metric} {result.metric:.3f}')
        return result.value

    study.optimize(objective, n_trials=tuning.trials)
    best = next(p for number, p, _ in trials if number == study.best_trial.number)
    parameter_file = write_parameters(output / 'best_parameters.yaml', tuning.node, best)
    shipped, tuned = (evaluate(parameters, tuning.held_out_seed, tuning.held_out_episodes,
                               output / 'held_out' / name)
                      for name, parameters in (('shipped', {}), ('best', best)))
    return Outcome(best, study.best_trial.number, trials, tuned, shipped, parameter_file)


def write_parameters(path: Path, node: str, parameters: dict) -> Path:
    """Write ``node: ros__parameters: ...``, the file ``--ros-args --params-file`` takes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({node: {'ros__parameters': parameters}}, sort_keys=False))
    return path


def report(outcome: Outcome, campaign: Campaign, tuning: Tuning) -> str:
    """Return the tuning report in Markdown: the trials, the best set, the held-out check."""
    def rate(result: Score) -> str:
        low, high = result.interval()
        return (f'{result.passed}/{result.episodes} ({result.passed / result.episodes:.0%}; '
                f'{CONFIDENCE:.0%} Wilson {low:.2f}-{high:.2f})')
    names = [d.name for d in tuning.space]
    lines = [f'# Tuning: {campaign.path}', '',
             f'{tuning.trials} trials, each {campaign.episodes} x {len(campaign.scenarios)} '
             f'episodes (seed {campaign.seed}); Optuna TPE seeded {tuning.seed}; objective: '
             'pass rate, then '
             f'{tuning.metric} ({METRICS[tuning.metric]}).', '',
             '| trial | ' + ' | '.join(names) + f' | passed | {tuning.metric} | objective |',
             '|---' * (len(names) + 4) + '|']
    for number, parameters, result in outcome.trials:
        mark = ' (best)' if number == outcome.best_trial else ''
        lines.append(f'| {number}{mark} | ' + ' | '.join(f'{parameters[n]:g}' if isinstance(
            parameters[n], float) else str(parameters[n]) for n in names) +
            f' | {result.passed}/{result.episodes} | {result.metric:.3f} | '
            f'{result.value:.4f} |')
    lines += ['', f'Best: {outcome.best} (trial {outcome.best_trial}), written to '
              f'`{outcome.parameter_file}` (`--ros-args --params-file` loads it).', '',
              f'Held-out seeds (seed {tuning.held_out_seed}, {tuning.held_out_episodes} x '
              f'{len(campaign.scenarios)} episodes):', '',
              f'| parameters | passed | {tuning.metric} |', '|---|---|---|',
              f"| the campaign's own | {rate(outcome.held_out_shipped)} | "
              f'{outcome.held_out_shipped.metric:.3f} |',
              f'| best | {rate(outcome.held_out_best)} | {outcome.held_out_best.metric:.3f} |']
    return '\n'.join(lines) + '\n'


def command(campaign: Campaign, output: Path, run: RunCampaign, resume: bool) -> int:
    """
    Tune, write DIR/tuning.md and the parameter file, say where they are.

    :return: 0 when the best parameters passed every held-out episode, else 1
    """
    settings = read_tuning(campaign)
    outcome = tune(campaign, settings, output, run, resume)
    markdown = output / 'tuning.md'
    markdown.write_text(report(outcome, campaign, settings))
    best, shipped = outcome.held_out_best, outcome.held_out_shipped
    print(f'twin campaign: best {outcome.best}; held out: {best.passed}/{best.episodes} passed '
          f"(the campaign's own parameters: {shipped.passed}/{shipped.episodes}); "
          f'{outcome.parameter_file}, {markdown}')
    return 0 if best.passed == best.episodes else 1
