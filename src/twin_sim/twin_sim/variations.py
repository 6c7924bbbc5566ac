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
Domain randomisation: distributions over named quantities, drawn per episode.

A variation file (YAML) maps quantity names to distributions::

    variations:
      floor.friction: {uniform: [0.6, 1.0]}
      robot.mass: {normal: [1.0, 0.03], apply: scale}      # x the nominal mass
      lidar.range_noise_std: {log_uniform: [0.005, 0.03]}
      odometry.encoder_ticks_per_revolution: {choice: [1024, 4096]}
      obstacles.x: {uniform: [-0.05, 0.05], apply: add}    # each obstacle its own draw
      spawn.yaw: {uniform: [-3.14159, 3.14159]}
      physical.right_wheel_radius: {normal: [1.0, 0.005], apply: scale}   # the body's wheel
      drive.time_constant: {uniform: [0.02, 0.08]}

Distributions: ``uniform: [low, high]``, ``normal: [mean, std]``, ``log_uniform: [low, high]``
(low > 0) and ``choice: [a, b, ...]`` (equally likely). ``apply`` says how a drawn number
becomes the value: ``set`` (the default; it is the value), ``scale`` (times the nominal
value) or ``add`` (plus the nominal value). :data:`QUANTITIES` lists the names; a sensor or
drive figure has its bridge parameter's name.

Episode ``k``'s draw depends only on ``(seed, k)`` and the quantity's name (and, for
``obstacles.*`` and ``spawn.*``, the body's name): each draw has its own
``numpy.random.SeedSequence`` stream, so no draw depends on what ran before or on the order
of the file. This module is pure; the twin applies a draw at reset (one that changes the
physical wheels reloads the robots' bodies).
"""

from dataclasses import dataclass, fields, replace
import math
from pathlib import Path
from typing import Sequence
import zlib

import numpy as np
import yaml

# One stream family for every variation draw, apart from the sensors' noise streams.
VARIATIONS_STREAM = 0x7661726961   # 'varia'

# Quantities of the world and the robot's body (the twin applies them to the World), with
# their unit, and whether each obstacle (or robot) draws its own value.
WORLD_QUANTITIES = {
    'floor.friction': ('', 'lateral friction coefficient of the ground'),
    'obstacles.friction': ('', 'lateral friction coefficient of each obstacle'),
    'obstacles.x': ('m', "each obstacle's x position in the world"),
    'obstacles.y': ('m', "each obstacle's y position in the world"),
    'obstacles.yaw': ('rad', "each obstacle's heading in the world"),
    'robot.mass': ('kg', "the robot's total mass (every link scaled alike)"),
    'robot.inertia': ('', "factor on every robot link's moments of inertia (nominal 1)"),
    'spawn.x': ('m', "each robot's start x in the world"),
    'spawn.y': ('m', "each robot's start y in the world"),
    'spawn.yaw': ('rad', "each robot's start heading in the world"),
}
PER_BODY = ('obstacles.', 'spawn.')

# The configuration groups whose numeric fields may vary (and are applied at reset).
CONFIG_GROUPS = ('lidar', 'imu', 'odometry', 'drive', 'physical')
NOT_VARIED = {'rate', 'samples', 'angle_min', 'angle_max', 'range_min', 'range_max', 'link',
              'sweep'}   # a different sensor, not a different unit of the same one
# What the firmware believes is one robot's settings, not a property of the unit in hand.
FIRMWARE = {'drive.wheel_radius', 'drive.wheel_separation', 'drive.max_wheel_torque'}


class VariationError(ValueError):
    """A variation file or entry that cannot be used; the message names the place."""


@dataclass(frozen=True)
class Distribution:
    """
    One quantity's distribution.

    :param kind: 'uniform', 'normal', 'log_uniform' or 'choice'
    :param args: (low, high), (mean, std) or the choices
    :param apply: 'set', 'scale' or 'add': how a draw becomes the value
    """

    kind: str
    args: tuple
    apply: str = 'set'

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one number."""
        if self.kind == 'uniform':
            return float(rng.uniform(*self.args))
        if self.kind == 'normal':
            return float(rng.normal(*self.args))
        if self.kind == 'log_uniform':
            low, high = self.args
            return float(math.exp(rng.uniform(math.log(low), math.log(high))))
        return self.args[int(rng.integers(len(self.args)))]

    def value(self, drawn: float, nominal: float):
        """Return the quantity's value for a drawn number and the nominal value."""
        if self.apply == 'scale':
            return nominal * drawn
        if self.apply == 'add':
            return nominal + drawn
        return drawn


DISTRIBUTION_ARGS = {'uniform': 2, 'normal': 2, 'log_uniform': 2, 'choice': None}


def config_quantities(config) -> dict[str, str]:
    """
    Return the TwinConfig quantities that may vary, by name: their path in the config.

    The name is the path (``lidar.range_noise_std``), as the bridge's parameter is named; a
    caller with other names maps them onto these paths. They are the sensors' figures, the
    drive's dynamics (``drive.time_constant``, ``drive.dead_time``) and the body's physical
    wheels (``physical.left_wheel_radius``, ...); the firmware's nominal geometry is not.
    """
    found = {}
    for group in CONFIG_GROUPS:
        section = getattr(config, group)
        for item in fields(section):
            value, path = getattr(section, item.name), f'{group}.{item.name}'
            if item.name not in NOT_VARIED and path not in FIRMWARE and \
                    isinstance(value, (int, float)) and not isinstance(value, bool):
                found[path] = path
    return found


def get_path(config, path: str):
    """Return the value at a dotted path of nested dataclasses."""
    for part in path.split('.'):
        config = getattr(config, part)
    return config


def replace_path(config, path: str, value):
    """Return ``config`` with the dotted ``path`` set to ``value`` (nested dataclasses)."""
    head, _, rest = path.partition('.')
    old = getattr(config, head)
    if rest:
        return replace(config, **{head: replace_path(old, rest, value)})
    return replace(config, **{head: round(value) if isinstance(old, int) else float(value)})


def varied_config(config, variations: 'Variations', drawn: dict) -> tuple[object, dict]:
    """
    Return ``config`` (a TwinConfig) with the drawn configuration quantities applied.

    ``scale`` and ``add`` start from ``config``'s values, so a caller whose config says 0 for
    "the description's" (the physical wheels) gives the description's values in its place.

    :param drawn: from :meth:`Variations.draw`
    :returns: the new configuration, and the value of each quantity it changed
    """
    values = {}
    for name, path in variations.paths.items():
        values[name] = variations.distributions[name].value(drawn[name], get_path(config, path))
        config = replace_path(config, path, values[name])
    return config, values


class Variations:
    """The distributions of a variation file, drawn per episode."""

    def __init__(self, distributions: dict[str, Distribution], paths: dict[str, str],
                 source: str = ''):
        """
        Hold checked distributions.

        :param paths: of the configuration quantities among them, the path in TwinConfig
        :param source: where they came from, for messages
        """
        self.distributions, self.paths, self.source = dict(distributions), paths, source

    def draw(self, seed: int, episode: int,
             bodies: dict[str, Sequence[str]] | None = None) -> dict[str, float]:
        """
        Return episode ``episode``'s drawn numbers (before ``apply``), by name.

        :param bodies: for ``obstacles`` and ``spawn``, the names of the bodies that each draw
            their own number; their draws are named ``obstacles.x/<body>``
        """
        drawn = {}
        for name, distribution in self.distributions.items():
            group = name.split('.')[0]
            keys = [name] if not name.startswith(PER_BODY) else [
                f'{name}/{body}' for body in (bodies or {}).get(group, ())]
            for key in keys:
                drawn[key] = distribution.sample(_stream(seed, episode, key))
        return drawn


def _stream(seed: int, episode: int, key: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(
        [VARIATIONS_STREAM, seed], spawn_key=(episode, zlib.crc32(key.encode()))))


def parse_variations(data, source: str, known: dict[str, str]) -> Variations:
    """
    Check a loaded variation document (``{variations: {name: distribution}}``).

    :param known: the configuration quantities that may vary, by name: their path in
        TwinConfig (see :func:`config_quantities`); the world's are :data:`WORLD_QUANTITIES`
    :raises VariationError: naming the source, the quantity and the key
    """
    if data is None:
        return Variations({}, {}, source)
    if not isinstance(data, dict) or set(data) - {'variations'} or \
            not isinstance(data.get('variations') or {}, dict):
        raise VariationError(f'{source}: expected a mapping with one key, variations (a '
                             f'mapping of quantity names to distributions), got {data!r}')
    allowed = set(known) | set(WORLD_QUANTITIES)
    distributions = {}
    for name, entry in (data.get('variations') or {}).items():
        where = f'{source}: variations.{name}'
        if name not in allowed:
            raise VariationError(f'{where}: unknown quantity; known: '
                                 f'{", ".join(sorted(allowed))}')
        distributions[name] = _distribution(entry, where)
    return Variations(distributions, {name: known[name] for name in distributions
                                      if name in known}, source)


def load_variations(path: str | Path, known: dict[str, str]) -> Variations:
    """
    Read and check a variation file.

    :param known: the configuration quantities that may vary: name -> path in TwinConfig
    :raises VariationError: naming the file, the quantity and the key
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise VariationError(f'{path}: variation file not found')
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise VariationError(f'{path}: not valid YAML: {error}') from None
    return parse_variations(data, str(path), known)


def _distribution(entry, where: str) -> Distribution:
    if not isinstance(entry, dict):
        raise VariationError(f'{where}: expected a mapping like {{uniform: [0.5, 1.0]}}, got '
                             f'{entry!r}')
    kinds = set(entry) & set(DISTRIBUTION_ARGS)
    unknown = set(entry) - set(DISTRIBUTION_ARGS) - {'apply'}
    if unknown or len(kinds) != 1:
        raise VariationError(f'{where}: expected one of {", ".join(DISTRIBUTION_ARGS)} and '
                             f'optionally apply, got {", ".join(sorted(entry)) or "nothing"}')
    kind = kinds.pop()
    apply = entry.get('apply', 'set')
    if apply not in ('set', 'scale', 'add'):
        raise VariationError(f'{where}.apply: expected set, scale or add, got {apply!r}')
    args = entry[kind]
    count = DISTRIBUTION_ARGS[kind]
    if not isinstance(args, list) or not args or (count and len(args) != count) or not all(
            isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a)
            for a in args):
        shape = f'{count} numbers' if count else 'a non-empty list of numbers'
        raise VariationError(f'{where}.{kind}: expected {shape}, got {args!r}')
    if kind in ('uniform', 'log_uniform') and not args[0] < args[1]:
        raise VariationError(f'{where}.{kind}: expected low < high, got {args}')
    if kind == 'log_uniform' and args[0] <= 0:
        raise VariationError(f'{where}.log_uniform: low must be positive, got {args[0]}')
    if kind == 'normal' and args[1] <= 0:
        raise VariationError(f'{where}.normal: std must be positive, got {args[1]}')
    return Distribution(kind, tuple(args), apply)


@dataclass(frozen=True)
class NominalWorld:
    """
    The world's varied quantities as built, which every episode's values start from.

    :param friction: of every body but the robots, by name
    :param poses: of every obstacle and robot, by name
    :param dynamics: of every robot's links, by name (see ``World.dynamics``)
    :param robots: the robots' body names
    """

    friction: dict
    poses: dict
    dynamics: dict
    robots: tuple

    @classmethod
    def of(cls, world, robots: Sequence[str]) -> 'NominalWorld':
        """Read them from a World whose robots are named ``robots``."""
        others = [name for name in world.bodies if name not in robots]
        return cls({name: world.friction(name) for name in others},
                   {name: world.pose(name) for name in world.bodies},
                   {name: world.dynamics(name) for name in robots}, tuple(robots))

    @property
    def obstacles(self) -> list[str]:
        """Return the names of the bodies that are neither the floor nor a robot."""
        return [name for name in self.friction if name != FLOOR]


FLOOR = 'ground'   # the body World.add_ground names


def apply_to_world(world, variations: Variations, drawn: dict,
                   nominal: NominalWorld) -> dict[str, float]:
    """
    Set a World's friction, robot masses and body poses to the drawn values.

    :param drawn: from :meth:`Variations.draw` with ``nominal``'s obstacles and robots
    :returns: the value of each quantity set (per body: ``obstacles.x/<body>``)
    """
    values, poses = {}, {}
    mass_factor, inertia_factor = 1.0, 1.0
    for key, number in drawn.items():
        name, _, body = key.partition('/')
        if name not in WORLD_QUANTITIES:
            continue
        distribution = variations.distributions[name]
        group, quantity = name.split('.')
        if name == 'floor.friction':
            body = FLOOR
        if quantity == 'friction':
            values[key] = distribution.value(number, nominal.friction[body])
            world.set_friction(body, values[key])
        elif group in ('obstacles', 'spawn'):
            pose = poses.get(body, nominal.poses[body])
            values[key] = distribution.value(number, getattr(nominal.poses[body], quantity))
            poses[body] = replace(pose, **{quantity: values[key]})
        elif name == 'robot.mass':
            total = sum(mass for mass, _ in nominal.dynamics[nominal.robots[0]])
            values[key] = distribution.value(number, total)
            mass_factor = values[key] / total
        else:   # robot.inertia
            values[key] = inertia_factor = distribution.value(number, 1.0)
    for body, pose in poses.items():
        world.place(body, pose)
    if {'robot.mass', 'robot.inertia'} & set(variations.distributions):
        for robot in nominal.robots:
            world.set_dynamics(robot, [
                (mass * mass_factor, tuple(i * mass_factor * inertia_factor for i in inertia))
                for mass, inertia in nominal.dynamics[robot]])
    return values
