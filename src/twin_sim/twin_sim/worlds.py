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
"""

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Callable

from twin_sim.description import DescriptionError, resolve_uri
from twin_sim.world import Pose, World
import yaml

POSE_KEYS = {'x', 'y', 'z', 'yaw', 'pitch', 'roll'}
COMMON_KEYS = {'name', 'pose', 'mass', 'friction'}
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


def load_world(path: str | Path) -> WorldDescription:
    """
    Read and check a world file.

    :raises DescriptionError: naming the file, the entry and what is wrong
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DescriptionError(f'{path}: world file not found')
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise DescriptionError(f'{path}: not valid YAML: {error}') from None
    checker = _Checker(path)
    checker.keys(data, {'spawn', 'ground', 'objects', 'name', 'description'}, 'the file')
    spawn = checker.pose(data['spawn'], 'spawn') if 'spawn' in data else None
    ground = data.get('ground', {})
    if ground is not False:
        checker.keys(ground, {'friction'}, 'ground')
    objects = [checker.entry(index, entry) for index, entry in
               enumerate(data.get('objects') or [])]

    def build(world: World) -> None:
        if ground is not False:
            world.add_ground(friction=checker.number(ground.get('friction', 1.0), 'ground'))
        for add in objects:
            add(world)

    return WorldDescription(str(path), spawn, build)


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
        return {'mass': self.number(spec.get('mass', 0.0), f'{where}.mass'),
                'friction': None if friction is None else self.number(friction, where)}

    def _color(self, spec: dict, where: str) -> tuple:
        return self.vector(spec.get('color', [0.6, 0.6, 0.6, 1.0]), 4, f'{where}.color')

    def _box(self, spec, where):
        size = self.vector(spec.get('size'), 3, f'{where}.size')
        pose, common, color = self.pose(spec.get('pose', {}), where), self._common(spec, where), \
            self._color(spec, where)
        return lambda world: world.add_box(spec['name'], size, pose, color=color, **common)

    def _cylinder(self, spec, where):
        radius = self.number(spec.get('radius'), f'{where}.radius')
        height = self.number(spec.get('height'), f'{where}.height')
        pose, common, color = self.pose(spec.get('pose', {}), where), self._common(spec, where), \
            self._color(spec, where)
        return lambda world: world.add_cylinder(spec['name'], radius, height, pose, color=color,
                                                **common)

    def _wall(self, spec, where):
        start = self.vector(spec.get('from'), 2, f'{where}.from')
        end = self.vector(spec.get('to'), 2, f'{where}.to')
        height = self.number(spec.get('height', 0.5), f'{where}.height')
        thickness = self.number(spec.get('thickness', 0.1), f'{where}.thickness')
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
