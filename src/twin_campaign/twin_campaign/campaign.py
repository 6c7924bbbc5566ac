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
The campaign file (YAML, ``config/campaigns/``): a controller, scenarios, episodes, criteria.

Pure: reading and checking the file, and listing its episodes. Every error names the file,
the entry and the key, and says what to write instead (docs/campaigns.md).
"""

from dataclasses import dataclass, field
import importlib
import importlib.util
import math
from pathlib import Path
import shutil

import numpy as np
import yaml

EXAMPLES = ('obstacle_stop', 'wall_follower', 'go_to_goal')
SPAWN_STREAM = 5   # the spawn draw's stream, apart from the bridge's (seed, episode) streams
CRITERIA = ('goal_tolerance', 'no_contact', 'min_clearance', 'stop_after_fault',
            'max_speed', 'custom')


class CampaignError(ValueError):
    """A campaign file that cannot be used; the message says where and what to do."""


@dataclass(frozen=True)
class Controller:
    """
    The controller under test and its parameters (or a launch file's arguments).

    ``module``: a Python module run with ``python -m`` (an example's, or any); ``launch``: a
    launch file run with ``ros2 launch`` instead. ``goal_topic``: where it takes a goal as
    a ``geometry_msgs/PoseStamped`` (e.g. ``goal_pose``); '' when it takes none.
    """

    module: str
    parameters: dict = field(default_factory=dict)
    launch: str = ''
    goal_topic: str = ''


@dataclass(frozen=True)
class SpawnRegion:
    """Where episodes start: uniform in a box of (x, y, yaw) bounds, or one of a list."""

    box: tuple = ()       # ((x low, x high), (y low, y high), (yaw low, yaw high))
    choices: tuple = ()   # ((x, y, yaw), ...)

    def draw(self, rng: np.random.Generator) -> tuple:
        """Return one start pose (x m, y m, yaw rad) drawn with ``rng``."""
        if self.choices:
            return self.choices[int(rng.integers(len(self.choices)))]
        return tuple(float(rng.uniform(low, high)) for low, high in self.box)


@dataclass(frozen=True)
class Scenario:
    """A world, a start pose or region, an optional goal (world frame), a time limit (sim s)."""

    name: str
    world: str
    spawn: tuple | SpawnRegion = (0.0, 0.0, 0.0)
    goal: tuple | None = None
    time_limit: float = 30.0
    controller_parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Campaign:
    """Everything one campaign file says."""

    path: Path
    controller: Controller
    scenarios: tuple
    episodes: int
    seed: int
    criteria: dict
    variations_file: str = ''
    faults_file: str = ''
    real_time_factor: float = 0.0
    start_timeout: float = 60.0    # wall s for the twin and the controller to come up
    lockstep_period: float = 0.0   # sim s of the controller's period in lock-step; 0: off


@dataclass(frozen=True)
class Episode:
    """One episode: a scenario and its index; the bridge draws from (seed, index)."""

    scenario: str
    index: int

    @property
    def key(self) -> str:
        """Return the episode's name, unique in a campaign, e.g. ``corridor-003``."""
        return f'{self.scenario}-{self.index:03d}'


def load(path: str | Path) -> Campaign:
    """
    Read and check a campaign file.

    :raises CampaignError: naming the file, entry and key that cannot be used
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as error:
        raise CampaignError(f'{path}: cannot read it: {error.strerror}') from None
    except yaml.YAMLError as error:
        raise CampaignError(f'{path}: not valid YAML: {error}') from None
    if not isinstance(document, dict):
        raise CampaignError(f'{path}: expected a mapping with controller, scenarios, episodes')
    where = _Where(path)
    where.known(document, 'the file', ('controller', 'scenarios', 'episodes', 'seed',
                                       'criteria', 'variations_file', 'faults_file',
                                       'real_time_factor', 'start_timeout',
                                       'lockstep_period', 'tuning'))   # tuning: tuning.py
    scenarios = where.required(document, 'the file', 'scenarios', list)
    if not scenarios:
        raise CampaignError(f'{path}: scenarios is empty; give at least one')
    campaign = Campaign(
        path=path,
        controller=_controller(where, where.required(document, 'the file', 'controller', dict)),
        scenarios=tuple(_scenario(where, i, entry) for i, entry in enumerate(scenarios)),
        episodes=where.number(document, 'the file', 'episodes', int, 1, minimum=1),
        seed=where.number(document, 'the file', 'seed', int, 0, minimum=0),
        criteria=_criteria(where, document.get('criteria') or {}),
        variations_file=_relative_file(where, document, 'variations_file'),
        faults_file=_relative_file(where, document, 'faults_file'),
        real_time_factor=where.number(document, 'the file', 'real_time_factor', float, 0.0),
        start_timeout=where.number(document, 'the file', 'start_timeout', float, 60.0,
                                   minimum=1.0),
        lockstep_period=where.number(document, 'the file', 'lockstep_period', float, 0.0))
    names = [s.name for s in campaign.scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CampaignError(f'{path}: scenario names must differ; repeated: {duplicates}')
    return campaign


def episodes(campaign: Campaign) -> list[Episode]:
    """Return every episode of a campaign: each scenario's episodes 0 .. episodes-1."""
    return [Episode(s.name, i) for s in campaign.scenarios for i in range(campaign.episodes)]


def spawn_of(scenario: Scenario, seed: int, index: int) -> tuple:
    """
    Return episode ``index``'s start pose (x, y, yaw) in the world.

    A region is drawn from (seed, index) alone, like the bridge's variations: the same
    episode starts at the same pose whichever back-end runs it, and every scenario's
    episode ``index`` draws alike from the same region.
    """
    if not isinstance(scenario.spawn, SpawnRegion):
        return scenario.spawn
    return scenario.spawn.draw(np.random.default_rng([seed, index, SPAWN_STREAM]))


def goal_in_odom(goal: tuple, spawn: tuple) -> tuple:
    """Return a world-frame goal (x, y) in the odometry frame of a robot that started at spawn."""
    x, y, yaw = spawn
    dx, dy = goal[0] - x, goal[1] - y
    return (math.cos(yaw) * dx + math.sin(yaw) * dy, -math.sin(yaw) * dx + math.cos(yaw) * dy)


def launch_problem(campaign: Campaign) -> str:
    """Return why this machine cannot start the campaign's launch file ('' when it can)."""
    if not campaign.controller.launch:
        return ''
    if shutil.which('ros2') and importlib.util.find_spec('launch_ros'):
        return ''
    return (f'{campaign.path}: controller, launch: {campaign.controller.launch} needs ROS 2 '
            "launch ('ros2 launch'), which is not installed here (the pip path has no launch):"
            ' run the campaign where a ROS 2 distribution is sourced, or give the controller '
            'as example or module (its node, python -m)')


def custom_criterion(reference: str):
    """
    Return the function ``module:function`` names (called with the episode's trace).

    :raises CampaignError: when the module or function cannot be found
    """
    module, _, name = reference.partition(':')
    try:
        function = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise CampaignError(f'criteria.custom: cannot load {reference!r} ({error}); write '
                            f"'module:function' with the module on the Python path") from None
    return function


class _Where:
    """Check values of one file, naming file, entry and key in every error."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, entry: str, key: str, problem: str) -> CampaignError:
        return CampaignError(f'{self.path}: {entry}, {key}: {problem}')

    def known(self, mapping: dict, entry: str, keys: tuple) -> None:
        unknown = sorted(set(mapping) - set(keys))
        if unknown:
            raise self.fail(entry, unknown[0], f'unknown key; known: {", ".join(keys)}')

    def required(self, mapping: dict, entry: str, key: str, kind: type):
        if key not in mapping:
            raise self.fail(entry, key, 'missing')
        if not isinstance(mapping[key], kind):
            raise self.fail(entry, key, f'expected a {kind.__name__}, got {mapping[key]!r}')
        return mapping[key]

    def number(self, mapping: dict, entry: str, key: str, kind: type, default,
               minimum: float = 0.0):
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (kind is int and not isinstance(value, int)) or value < minimum:
            raise self.fail(entry, key, f'expected a{"n integer" if kind is int else " number"}'
                                        f' >= {minimum:g}, got {value!r}')
        return kind(value)

    def pose(self, mapping: dict, entry: str, key: str, size: int):
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != size or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise self.fail(entry, key, f'expected {size} numbers [x, y{", yaw" * (size > 2)}]'
                                        f', got {value!r}')
        return tuple(float(v) for v in value)


def _controller(where: _Where, entry: dict) -> Controller:
    where.known(entry, 'controller', ('example', 'module', 'launch', 'parameters', 'goal_topic'))
    if sum(key in entry for key in ('example', 'module', 'launch')) != 1:
        raise where.fail('controller', 'example', 'give exactly one of example (one of '
                         f'{", ".join(EXAMPLES)}), module (a Python module with a main) or '
                         'launch (a launch file)')
    if 'example' in entry and entry['example'] not in EXAMPLES:
        raise where.fail('controller', 'example',
                         f'{entry["example"]!r} is not one of {", ".join(EXAMPLES)}')
    module = (f'twin_examples.{entry["example"]}' if 'example' in entry
              else str(entry.get('module', '')))
    parameters = entry.get('parameters') or {}
    if not isinstance(parameters, dict):
        raise where.fail('controller', 'parameters', 'expected a mapping of ROS parameters '
                         '(of launch arguments, with launch)')
    goal_topic = entry.get('goal_topic', '')
    if not isinstance(goal_topic, str):
        raise where.fail('controller', 'goal_topic', f'expected a topic name, got {goal_topic!r}')
    launch = _relative_file(where, entry, 'launch', 'controller') if 'launch' in entry else ''
    return Controller(module, dict(parameters), launch, goal_topic)


def _scenario(where: _Where, index: int, entry) -> Scenario:
    label = f'scenarios[{index}]'
    if not isinstance(entry, dict):
        raise where.fail(label, 'name', f'expected a mapping, got {entry!r}')
    where.known(entry, label, ('name', 'world', 'spawn', 'goal', 'time_limit', 'parameters'))
    name = str(where.required(entry, label, 'name', str))
    label = f'scenario {name!r}'
    if not name.replace('_', '').isalnum():
        raise where.fail(label, 'name', 'use letters, digits and _ only (it names files)')
    parameters = entry.get('parameters') or {}
    if not isinstance(parameters, dict):
        raise where.fail(label, 'parameters', 'expected a mapping of controller parameters')
    return Scenario(
        name=name, world=str(where.required(entry, label, 'world', str)),
        spawn=_spawn(where, label, entry.get('spawn')),
        goal=where.pose(entry, label, 'goal', 2),
        time_limit=where.number(entry, label, 'time_limit', float, 30.0, minimum=0.1),
        controller_parameters=dict(parameters))


def _spawn(where: _Where, label: str, value) -> tuple | SpawnRegion:
    """Read a spawn: [x, y, yaw], {box: {x: [lo, hi], y: .., yaw: ..}} or {choice: [...]}."""
    if value is None or isinstance(value, list):
        return where.pose({'spawn': value}, label, 'spawn', 3) or (0.0, 0.0, 0.0)
    if not isinstance(value, dict) or len(value) != 1 or not {'box', 'choice'} & set(value):
        raise where.fail(label, 'spawn', 'expected [x, y, yaw], {box: {x: [low, high], y: '
                         '[low, high], yaw: [low, high]}} or {choice: [[x, y, yaw], ...]}')
    if 'choice' in value:
        choices = value['choice']
        if not isinstance(choices, list) or not choices:
            raise where.fail(label, 'spawn.choice', 'expected a list of [x, y, yaw]')
        return SpawnRegion(choices=tuple(where.pose({'spawn.choice': c}, label, 'spawn.choice',
                                                    3) for c in choices))
    box = value['box'] if isinstance(value['box'], dict) else {}
    where.known(box, label, ('x', 'y', 'yaw'))
    bounds = []
    for axis in ('x', 'y', 'yaw'):
        given = box.get(axis, 0.0 if axis == 'yaw' else None)
        given = [given, given] if isinstance(given, (int, float)) else given
        if not isinstance(given, list) or len(given) != 2 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in given) or \
                given[0] > given[1]:
            raise where.fail(label, f'spawn.box.{axis}', 'expected [low, high] (or one number)'
                             f'{", default 0" if axis == "yaw" else ""}, got {given!r}')
        bounds.append((float(given[0]), float(given[1])))
    return SpawnRegion(box=tuple(bounds))


def _criteria(where: _Where, entry) -> dict:
    if not isinstance(entry, dict):
        raise where.fail('criteria', 'criteria', 'expected a mapping')
    where.known(entry, 'criteria', CRITERIA)
    criteria = {}
    for key, value in entry.items():
        if key == 'no_contact':
            if not isinstance(value, bool):
                raise where.fail('criteria', key, f'expected true or false, got {value!r}')
            criteria[key] = value
        elif key == 'custom':
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and ':' in v for v in values):
                raise where.fail('criteria', key, "expected 'module:function' (or a list)")
            criteria[key] = tuple(values)
        else:
            criteria[key] = where.number(entry, 'criteria', key, float, None)
    return criteria


def _relative_file(where: _Where, document: dict, key: str, entry: str = 'the file') -> str:
    """Return a file named relative to the campaign file, checked to exist; '' for none."""
    value = document.get(key) or ''
    if not value:
        return ''
    candidates = [where.path.parent / str(value), Path(str(value))]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise where.fail(entry, key, f'{value!r} not found (relative to the campaign '
                                     'file or the current folder)')
    return str(found.resolve())
