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
World files: a small YAML format for ground, walls, boxes, cylinders, meshes and models.

Format (every key optional except each object's kind and name; lengths in m, angles in rad)::

    spawn: {x: -2.0, y: -0.5, yaw: 0.0}     # where the robot starts
    ground: {friction: 1.0}                  # or `ground: false` for none
    objects:
      - wall: {name: north, from: [-2, 2], to: [2, 2], height: 0.5, thickness: 0.1}
      - box: {name: crate, size: [0.3, 0.3, 0.3], pose: {x: 1, z: 0.15, yaw: 0.3}}
      - cylinder: {name: pillar, radius: 0.1, height: 0.5, pose: {x: 0, y: 1, z: 0.25}}
      - mesh: {name: rock, file: meshes/rock.obj, scale: [1, 1, 1], pose: {x: 2}}
      - model: {name: shelf, file: models/shelf.urdf, pose: {x: 3}, fixed: true}

Every object also takes ``mass`` (0, the default, is static), ``friction`` and, for shapes,
``color`` ([r, g, b, a]). Files are relative to the world file, or ``package://`` URIs.

A Nav2 map is a world too: its YAML (``image`` and ``resolution`` keys) is accepted wherever a
world file is, and a world file takes one with ``map: {file: map.yaml, height: 0.5, unknown:
free}``; then ``spawn: {random: {clearance: 0.3, seed: 0}}`` draws the start from free space.
"""

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Callable

import numpy as np
from twin_sim.description import DescriptionError, read_text, resolve_uri
from twin_sim.occupancy_map import free_spawn, is_map_yaml, MapGrid, obstacle_boxes, read_map
from twin_sim.world import Pose, World
import yaml

# Each object is a body, and a body takes about a millisecond to add (more, the more there
# are); a file past these limits would stall the start for minutes without a word.
MAX_OBJECTS = 2000
MAX_FILE_BYTES = 1_000_000

WORLD_KEYS = {'spawn', 'ground', 'objects', 'map', 'name', 'description'}
POSE_KEYS = {'x', 'y', 'z', 'yaw', 'pitch', 'roll'}
COMMON_KEYS = {'name', 'pose', 'mass', 'friction'}
MAP_KEYS = {'file', 'height', 'unknown', 'color', 'friction'}
UNKNOWN_CELLS = ('free', 'wall')
KIND_KEYS = {
    'box': {'size', 'color'},
    'cylinder': {'radius', 'height', 'color'},
    'wall': {'from', 'to', 'height', 'thickness', 'color'},
    'mesh': {'file', 'scale'},
    'model': {'file', 'fixed'},
}


@dataclass(frozen=True)
class WorldDescription:
    """A loaded world file: where the robot starts, and how to build the world."""

    source: str
    spawn: Pose | None
    build: Callable[[World], None]
    grid: MapGrid | None = None   # the Nav2 map the world was built from, if any


def load_world(path: str | Path) -> WorldDescription:
    """
    Read and check a world file, or a Nav2 map YAML (a world of ground and the map's walls).

    :raises DescriptionError: naming the file, the entry and what is wrong
    """
    path = Path(path).expanduser()
    data = _read_yaml(path)
    checker = _Checker(path)
    if is_map_yaml(data):
        return _world(checker, {'map': {}}, read_map(path, data))
    checker.keys(data, WORLD_KEYS, 'the file')
    grid = None
    if 'map' in data:
        checker.keys(data['map'], MAP_KEYS, 'map')
        try:
            grid = read_map(checker.file(data['map'].get('file'), 'map.file'))
        except DescriptionError as error:
            checker.fail('map.file', str(error))
    return _world(checker, data, grid)


def _world(checker: '_Checker', data: dict, grid: MapGrid | None) -> WorldDescription:
    """Check every entry of a world now, and return how to build it."""
    add_map = None if grid is None else _map_builder(checker, data['map'], grid)
    spawn = _spawn(checker, data['spawn'], grid) if 'spawn' in data else None
    ground = data.get('ground', {})
    if ground is not False:
        checker.keys(ground, {'friction'}, 'ground')
        friction = checker.non_negative(ground.get('friction', 1.0), 'ground.friction')
    objects = _objects(checker, data.get('objects') or [])

    def build(world: World) -> None:
        if ground is not False:
            world.add_ground(friction=friction)
        if add_map is not None:
            add_map(world)
        for add in objects:
            add(world)

    return WorldDescription(str(checker.path), spawn, build, grid)


def _objects(checker: '_Checker', entries) -> list[Callable[[World], None]]:
    if not isinstance(entries, list):
        checker.fail('objects', f'expected a list of objects, got {entries!r}')
    if len(entries) > MAX_OBJECTS:
        checker.fail('objects', f'{len(entries)} objects; the twin takes at most {MAX_OBJECTS} '
                     '(each is a body, and thousands take minutes to build): merge them, or '
                     'draw them into a Nav2 map and use map:')
    return [checker.entry(index, entry) for index, entry in enumerate(entries)]


def _read_yaml(path: Path) -> dict:
    """Parse a world file; every way it can be unreadable is an error naming it."""
    if not path.is_file():
        raise DescriptionError(f'{path}: world file not found')
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DescriptionError(f'{path}: {size / 1e6:.1f} MB; world files are read up to '
                               f'{MAX_FILE_BYTES / 1e6:g} MB (about {MAX_OBJECTS} objects): '
                               'draw large worlds as a Nav2 map and use map:')
    try:
        data = yaml.safe_load(read_text(path, 'a YAML world file or Nav2 map'))
    except yaml.YAMLError as error:
        raise DescriptionError(f'{path}: not valid YAML: {error}') from None
    except RecursionError:
        raise DescriptionError(f'{path}: nested too deeply to be a world file') from None
    if data is None:
        raise DescriptionError(f'{path}: the file is empty; for ground only write '
                               '`objects: []` (as worlds/empty.yaml), or give no world file')
    if not isinstance(data, dict):
        raise DescriptionError(f'{path}: expected a mapping of spawn, ground, objects, map; '
                               f'got {type(data).__name__}')
    return data


def _spawn(checker: '_Checker', data, grid: MapGrid | None) -> Pose:
    """Return the given start, or one drawn from the map's free space."""
    if not (isinstance(data, dict) and 'random' in data):
        return checker.pose(data, 'spawn')
    checker.keys(data, {'random'}, 'spawn')
    checker.keys(data['random'], {'clearance', 'seed'}, 'spawn.random')
    if grid is None:
        checker.fail('spawn.random', 'needs a map: to draw from; give x, y, yaw instead')
    clearance = checker.number(data['random'].get('clearance', 0.3), 'spawn.random.clearance')
    seed = data['random'].get('seed', 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        checker.fail('spawn.random.seed', f'expected a whole number >= 0, got {seed!r}')
    try:
        x, y, yaw = free_spawn(grid, clearance, np.random.default_rng(seed))
    except ValueError as error:
        checker.fail('spawn.random', str(error))
    return Pose(x=x, y=y, yaw=yaw)


def _map_builder(checker: '_Checker', spec: dict, grid: MapGrid) -> Callable[[World], None]:
    """Return what adds the map's walls; the boxes are merged now, so errors come early."""
    height = checker.positive(spec.get('height', 0.5), 'map.height')
    unknown = spec.get('unknown', 'free')
    if unknown not in UNKNOWN_CELLS:
        checker.fail('map.unknown', f'expected one of {", ".join(UNKNOWN_CELLS)}, got '
                     f'{unknown!r}')
    centres, sizes = obstacle_boxes(grid, height, unknown_is_wall=unknown == 'wall')
    friction = spec.get('friction')
    friction = None if friction is None else checker.non_negative(friction, 'map.friction')
    color = checker.vector(spec.get('color', [0.6, 0.6, 0.6, 1.0]), 4, 'map.color')
    x, y, yaw = grid.origin
    return lambda world: world.add_static_boxes('map', centres, sizes, Pose(x=x, y=y, yaw=yaw),
                                                friction, color)


class _Checker:
    """Validate world-file entries, raising errors that point at the offending place."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, problem: str):
        raise DescriptionError(f'{self.path}: {where}: {problem}')

    def keys(self, data, allowed: set, where: str) -> None:
        if not isinstance(data, dict):
            self.fail(where, f'expected a mapping, got {data!r}')
        unknown = set(data) - allowed
        if unknown:
            self.fail(where, f'unknown key(s) {", ".join(sorted(unknown))}; allowed: '
                      f'{", ".join(sorted(allowed))}')

    def number(self, value, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value):
            self.fail(where, f'expected a finite number, got {value!r}')
        return float(value)

    def positive(self, value, where: str) -> float:
        number = self.number(value, where)
        if number <= 0.0:
            self.fail(where, f'expected a size > 0, got {value!r}')
        return number

    def non_negative(self, value, where: str) -> float:
        number = self.number(value, where)
        if number < 0.0:
            self.fail(where, f'expected a value >= 0, got {value!r}')
        return number

    def vector(self, value, length: int, where: str) -> tuple:
        if not isinstance(value, list) or len(value) != length:
            self.fail(where, f'expected a list of {length} numbers, got {value!r}')
        return tuple(self.number(v, where) for v in value)

    def pose(self, data, where: str) -> Pose:
        self.keys(data, POSE_KEYS, where)
        return Pose(**{key: self.number(value, f'{where}.{key}') for key, value in data.items()})

    def file(self, value, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, f'expected a file name, got {value!r}')
        try:
            return resolve_uri(value, self.path.resolve().parent)
        except DescriptionError as error:
            self.fail(where, str(error))

    def entry(self, index: int, entry) -> Callable[[World], None]:
        if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in KIND_KEYS:
            self.fail(f'objects[{index}]', f'expected one of {", ".join(KIND_KEYS)} with its '
                      f'settings, got {entry!r}')
        kind, spec = next(iter(entry.items()))
        where = f'objects[{index}] ({kind})'
        self.keys(spec, COMMON_KEYS | KIND_KEYS[kind], where)
        if not isinstance(spec.get('name'), str):
            self.fail(where, 'every object needs a name')
        return getattr(self, f'_{kind}')(spec, f'{where} {spec["name"]!r}')

    def _common(self, spec: dict, where: str) -> dict:
        friction = spec.get('friction')
        return {'mass': self.non_negative(spec.get('mass', 0.0), f'{where}.mass'),
                'friction': None if friction is None else
                self.non_negative(friction, f'{where}.friction')}

    def _color(self, spec: dict, where: str) -> tuple:
        return self.vector(spec.get('color', [0.6, 0.6, 0.6, 1.0]), 4, f'{where}.color')

    def _box(self, spec, where):
        size = self.vector(spec.get('size'), 3, f'{where}.size')
        for value in size:
            self.positive(value, f'{where}.size')
        pose, common, color = self.pose(spec.get('pose', {}), where), self._common(spec, where), \
            self._color(spec, where)
        return lambda world: world.add_box(spec['name'], size, pose, color=color, **common)

    def _cylinder(self, spec, where):
        radius = self.positive(spec.get('radius'), f'{where}.radius')
        height = self.positive(spec.get('height'), f'{where}.height')
        pose, common, color = self.pose(spec.get('pose', {}), where), self._common(spec, where), \
            self._color(spec, where)
        return lambda world: world.add_cylinder(spec['name'], radius, height, pose, color=color,
                                                **common)

    def _wall(self, spec, where):
        start = self.vector(spec.get('from'), 2, f'{where}.from')
        end = self.vector(spec.get('to'), 2, f'{where}.to')
        height = self.positive(spec.get('height', 0.5), f'{where}.height')
        thickness = self.positive(spec.get('thickness', 0.1), f'{where}.thickness')
        length = math.dist(start, end)
        if length <= 0.0:
            self.fail(where, 'from and to are the same point')
        pose = Pose(x=(start[0] + end[0]) / 2, y=(start[1] + end[1]) / 2, z=height / 2,
                    yaw=math.atan2(end[1] - start[1], end[0] - start[0]))
        common, color = self._common(spec, where), self._color(spec, where)
        return lambda world: world.add_box(spec['name'], (length, thickness, height), pose,
                                           color=color, **common)

    def _mesh(self, spec, where):
        filename = self.file(spec.get('file'), f'{where}.file')
        scale = self.vector(spec.get('scale', [1.0, 1.0, 1.0]), 3, f'{where}.scale')
        for value in scale:
            self.positive(value, f'{where}.scale')
        pose, common = self.pose(spec.get('pose', {}), where), self._common(spec, where)
        return lambda world: world.add_mesh(spec['name'], filename, pose, scale, **common)

    def _model(self, spec, where):
        filename = self.file(spec.get('file'), f'{where}.file')
        pose, fixed = self.pose(spec.get('pose', {}), where), bool(spec.get('fixed', True))
        friction = self._common(spec, where)['friction']
        return lambda world: world.add_model(spec['name'], filename, pose, fixed, friction)


def object_builder(entry: dict, source: str | Path) -> Callable[[World], None]:
    """
    Check one ``objects`` entry of the world format and return what adds it to a world.

    :param entry: ``{kind: {settings}}``, as in a world file's ``objects`` list
    :param source: the file it comes from (relative files are found beside it) or a label
    :raises DescriptionError: naming the source, the entry and what is wrong
    """
    return _Checker(Path(source)).entry(0, entry)
