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
Entities at run time: bodies spawned and deleted while the twin runs, and checked moves.

A body can be spawned from a URDF or xacro file, from URDF text, from an object of a world
file (``worlds/arena.yaml#pillar_00``), or from one world-format object given as YAML text
(``box: {size: [0.2, 0.2, 0.2]}``). A body is placed by the rules a robot's teleport follows
(:meth:`twin_sim.twin.Twin.try_teleport`): not overlapping another body (the ground aside),
not outside the world's bounds (:meth:`twin_sim.twin.Twin.bounds`). A reset of the world
removes the spawned bodies first (PyBullet restores a saved state only with the same bodies),
and can put them back where they were spawned.
"""

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree

import pybullet

from twin_sim.description import DescriptionError, load_robot_description, resolve_uri
from twin_sim.world import Pose, World
from twin_sim.worlds import object_builder
import yaml

QUATERNION_NORM_TOLERANCE = 1e-3
URDF_SUFFIXES = ('.urdf', '.xacro')
WORLD_SUFFIXES = ('.yaml', '.yml')
SPAWN_FORMATS = ('urdf', 'xacro', 'twin_world')


class PoseError(ValueError):
    """A pose the twin refuses: not finite, not a rotation, inside a body, or off the world."""


class SpawnError(ValueError):
    """
    A spawn request the twin cannot carry out.

    :param reason: ``no_resource``, ``not_found``, ``unsupported_format`` or ``parse_error``
    """

    def __init__(self, reason: str, message: str):
        """Keep the reason (for result codes) and the message (for people)."""
        super().__init__(message)
        self.reason = reason


def checked_pose(position, quaternion) -> Pose:
    """
    Return a Pose from a position and an (x, y, z, w) quaternion, normalised.

    :raises PoseError: a value is not finite, or the quaternion is not a rotation
    """
    values = [*position, *quaternion]
    if not all(math.isfinite(v) for v in values):
        raise PoseError(f'pose {values} is not finite')
    norm = math.sqrt(sum(q * q for q in quaternion))
    if abs(norm - 1.0) > QUATERNION_NORM_TOLERANCE:
        raise PoseError(f'quaternion {tuple(quaternion)} has norm {norm:.6f}, not 1: not a '
                        'rotation')
    roll, pitch, yaw = pybullet.getEulerFromQuaternion([q / norm for q in quaternion])
    return Pose(*position, yaw=yaw, pitch=pitch, roll=roll)


def outside_bounds(bounds, x: float, y: float) -> str | None:
    """
    Return why ``(x, y)`` is off the world, or None when it is within ``bounds``.

    :param bounds: the (x, y) corners of the world, as :meth:`twin_sim.twin.Twin.bounds`
    """
    (x0, y0), (x1, y1) = bounds
    if x0 <= x <= x1 and y0 <= y <= y1:   # NaN fails both
        return None
    return (f'({x:g}, {y:g}) is outside the world (x {x0:.2f} to {x1:.2f} m, '
            f'y {y0:.2f} to {y1:.2f} m)')


def _refuse_outside(bounds, x: float, y: float) -> None:
    outside = outside_bounds(bounds, x, y)
    if outside:
        raise PoseError(outside)


def _refuse_overlap(world: World, name: str, x: float, y: float) -> None:
    hit = world.overlapping(name)
    if hit:
        raise PoseError(f'{name} at ({x:g}, {y:g}) would overlap {", ".join(hit)}')


def check_placed(world: World, name: str, bounds) -> None:
    """
    Refuse where body ``name`` is now, by the rules of a robot's teleport.

    :param bounds: the (x, y) corners of the world, as :meth:`twin_sim.twin.Twin.bounds`
    :raises PoseError: naming the bounds it is outside of, or the bodies it overlaps
    """
    x, y = world.root_state(name)[0][:2]
    _refuse_outside(bounds, x, y)
    _refuse_overlap(world, name, x, y)


def place_checked(world: World, name: str, pose: Pose, bounds) -> None:
    """
    Move body ``name``'s root frame to ``pose`` at rest, unless :func:`check_placed` refuses.

    The bounds are checked before the body moves: PyBullet is not to hold a body at 1e300.

    :raises PoseError: the body stays where it was, as it was
    """
    _refuse_outside(bounds, pose.x, pose.y)
    before = world.body_state(name)
    world.place(name, pose)
    try:
        _refuse_overlap(world, name, pose.x, pose.y)
    except PoseError:
        world.set_body_state(name, before)
        raise


@dataclass(frozen=True)
class SpawnSource:
    """
    What can be spawned, read and checked; :meth:`builder` makes a named, placed copy.

    :param spawn_format: ``urdf`` or ``twin_world`` (one object of the world format)
    :param default_name: the name the source itself gives (the URDF's robot, the object's)
    """

    spawn_format: str
    default_name: str
    make: Callable[[str, Pose], Callable[[World], None]]

    def builder(self, name: str, pose: Pose) -> Callable[[World], None]:
        """Return what adds this source to a world as body ``name`` at ``pose``."""
        return self.make(name, pose)


def spawn_source(uri: str, resource_string: str) -> SpawnSource:
    """
    Read what a spawn request names: a file by ``uri``, or else ``resource_string``.

    URIs: a ``.urdf`` or ``.xacro`` file, or ``FILE.yaml#OBJECT`` (an object of a world file);
    ``package://`` and ``file://`` URIs work. Text: URDF (starting with ``<``) or one world-format
    object in YAML.

    :raises SpawnError: with the reason and what to do
    """
    if uri:
        path, _, fragment = uri.partition('#')
        try:
            path = resolve_uri(path, None)
        except DescriptionError as error:
            raise SpawnError('not_found', str(error)) from None
        if not path.endswith(URDF_SUFFIXES + WORLD_SUFFIXES):
            raise SpawnError('unsupported_format', f'{uri}: not a URDF (.urdf, .xacro) nor a '
                             f'world object (FILE.yaml#OBJECT); formats: {SPAWN_FORMATS}')
        if not Path(path).is_file():
            raise SpawnError('not_found', f'{uri}: file not found ({path})')
        if path.endswith(URDF_SUFFIXES):
            return _urdf_source(path)
        return _world_object_source(path, fragment, uri)
    if not resource_string.strip():
        raise SpawnError('no_resource', 'both uri and resource_string are empty')
    if resource_string.lstrip().startswith('<'):
        return _urdf_source(resource_string)
    try:
        entry = yaml.safe_load(resource_string)
    except yaml.YAMLError as error:
        raise SpawnError('parse_error', f'resource_string is neither URDF nor YAML: {error}') \
            from None
    return _entry_source(entry, '<resource_string>')


def _urdf_source(source: str) -> SpawnSource:
    try:
        description = load_robot_description(source)
    except DescriptionError as error:
        raise SpawnError('parse_error', str(error)) from None
    name = ElementTree.fromstring(description.urdf).get('name', '')
    return SpawnSource('urdf', name, lambda name, pose: (
        lambda world: world.load_urdf_text(name, description.urdf, pose)))


def _world_object_source(path: str, name: str, uri: str) -> SpawnSource:
    objects = world_objects(path)
    if name not in objects:
        raise SpawnError('not_found', f'{uri}: the world file has no object named {name!r}; '
                         f'it has {", ".join(objects) or "none"}')
    return _entry_source(objects[name], path)


def _entry_source(entry, source: str) -> SpawnSource:
    if not isinstance(entry, dict) or len(entry) != 1 or \
            not isinstance(next(iter(entry.values())), dict):
        raise SpawnError('parse_error', f'{source}: expected one world-format object such as '
                         f"'box: {{size: [0.2, 0.2, 0.2]}}', got {entry!r}")
    kind, settings = next(iter(entry.items()))
    if kind == 'wall':   # a wall is placed by its ends: as a spawnable, it is a box
        kind, settings = 'box', _wall_as_box(settings)

    def make(name: str, pose: Pose) -> Callable[[World], None]:
        placed = {**settings, 'name': name, 'pose': {
            'x': pose.x, 'y': pose.y, 'z': pose.z,
            'yaw': pose.yaw, 'pitch': pose.pitch, 'roll': pose.roll}}
        return object_builder({kind: placed}, source)

    try:
        make('check', Pose())   # refuse a bad entry now, not when it is first built
    except DescriptionError as error:
        raise SpawnError('parse_error', str(error)) from None
    return SpawnSource('twin_world', str(settings.get('name', '')), make)


def _wall_as_box(settings: dict) -> dict:
    start, end = settings.get('from', (0, 0)), settings.get('to', (0, 0))
    size = [math.dist(start, end), settings.get('thickness', 0.1), settings.get('height', 0.5)]
    kept = {k: v for k, v in settings.items() if k in ('name', 'mass', 'friction', 'color')}
    return {**kept, 'size': size}


def world_objects(path: str | Path) -> dict[str, dict]:
    """
    Return a world file's objects by name, as entries (``{kind: {settings}}``).

    :raises SpawnError: the file cannot be read as a world file
    """
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SpawnError('parse_error', f'{path}: cannot read it as a world file: {error}') \
            from None
    entries = (data.get('objects') or []) if isinstance(data, dict) else []
    return {next(iter(entry.values())).get('name'): entry for entry in entries
            if isinstance(entry, dict) and len(entry) == 1 and
            isinstance(next(iter(entry.values())), dict)}


class Spawner:
    """The bodies spawned into a twin's world at run time, and how to add each again."""

    def __init__(self, twin):
        """
        Start with none.

        :param twin: the :class:`twin_sim.twin.Twin` whose world gets the bodies (a rebuild
            gives it a new world, so it is looked up each time)
        """
        self.twin = twin
        self.builders: dict[str, Callable[[World], None]] = {}

    def spawn(self, name: str, source: SpawnSource, pose: Pose) -> None:
        """
        Add ``source`` as body ``name`` at ``pose``, at rest.

        :raises PoseError: the pose is refused (:func:`check_placed`); nothing is added
        :raises SpawnError: the source cannot be built (a missing mesh, a bad value)
        """
        world, bounds = self.twin.world, self.twin.bounds()   # bounds without the new body
        build = source.builder(name, pose)
        try:
            build(world)
        except DescriptionError as error:
            raise SpawnError('parse_error', str(error)) from None
        try:
            check_placed(world, name, bounds)
        except PoseError:
            world.remove(name)
            raise
        self.builders[name] = build

    def delete(self, name: str) -> None:
        """Remove spawned body ``name``; KeyError if it was not spawned."""
        del self.builders[name]
        self.twin.world.remove(name)

    def reset(self, reset_world: Callable[[], None], keep: bool) -> None:
        """
        Run ``reset_world`` (which restores or rebuilds the world) without the spawned bodies.

        :param keep: add the spawned bodies again afterwards, where they were spawned
        """
        for name in self.builders:
            self.twin.world.remove(name)
        reset_world()
        if keep:
            for build in self.builders.values():
                build(self.twin.world)
        else:
            self.builders.clear()
