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
The shapes a viewer draws: a world file's objects and a URDF's visuals, as plain data.

Pure (no ROS, no viewer): a world file is read with twin_sim's own loader, so the view draws
exactly what the twin simulates; a URDF is walked from its root link, so every visual is
placed in the root frame (``base_footprint``), where the robot's pose puts it.
"""

from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import numpy
from transforms3d.affines import compose, decompose
from transforms3d.euler import euler2mat
from transforms3d.quaternions import mat2quat
from twin_sim.description import DescriptionError, load_robot_description, resolve_uri
from twin_sim.world import Pose
from twin_sim.worlds import load_world, WorldDescription

GREY = (0.6, 0.6, 0.6, 1.0)


@dataclass(frozen=True)
class Shape:
    """
    One solid to draw.

    :param kind: ``box``, ``cylinder`` (axis along z), ``sphere`` or ``mesh``
    :param name: the object's or link's name
    :param size: extent along x, y, z of the bounding box in m (a mesh: its scale)
    :param transform: 4x4 homogeneous pose of the shape's centre in the parent frame
    :param color: r, g, b, a in 0..1
    :param mesh_file: the mesh's absolute path (``kind == 'mesh'`` only)
    """

    kind: str
    name: str
    size: tuple
    transform: numpy.ndarray
    color: tuple = GREY
    mesh_file: str | None = None

    def moved(self, transform: numpy.ndarray) -> 'Shape':
        """Return the shape expressed in another frame: ``transform`` times its pose."""
        return replace(self, transform=transform @ self.transform)

    def position(self) -> tuple:
        """Return the centre's x, y, z in m."""
        return tuple(float(v) for v in self.transform[:3, 3])

    def quaternion(self) -> tuple:
        """Return the orientation as (x, y, z, w)."""
        _, rotation, _, _ = decompose(self.transform)
        w, x, y, z = mat2quat(rotation)
        return float(x), float(y), float(z), float(w)


def pose_matrix(pose: Pose) -> numpy.ndarray:
    """Return a world-file pose (x, y, z, yaw, pitch, roll) as a 4x4 matrix."""
    rotation = euler2mat(pose.roll, pose.pitch, pose.yaw, 'sxyz')
    return compose(pose.position(), rotation, numpy.ones(3))


def origin_matrix(element: ElementTree.Element | None) -> numpy.ndarray:
    """Return a URDF ``<origin xyz rpy>`` (absent: identity) as a 4x4 matrix."""
    if element is None:
        return numpy.eye(4)
    xyz = [float(v) for v in element.get('xyz', '0 0 0').split()]
    roll, pitch, yaw = (float(v) for v in element.get('rpy', '0 0 0').split())
    return compose(xyz, euler2mat(roll, pitch, yaw, 'sxyz'), numpy.ones(3))


class _ShapeCollector:
    """
    Stands in for ``twin_sim.world.World`` while a world file's build runs: it records shapes.

    The world loader checks the file and turns every entry into calls on a World; answering
    the same calls here means the view draws what the simulation builds, walls included.
    """

    def __init__(self):
        self.shapes: list[Shape] = []

    def add_ground(self, name: str = 'ground', friction: float = 1.0) -> None:
        """Draw no ground: the viewer has its own grid."""

    def add_box(self, name, size, pose, color=GREY, **_physics) -> None:
        """Record a box (walls arrive as boxes)."""
        self.shapes.append(Shape('box', name, tuple(size), pose_matrix(pose), tuple(color)))

    def add_cylinder(self, name, radius, height, pose, color=GREY, **_physics) -> None:
        """Record an upright cylinder."""
        self.shapes.append(Shape('cylinder', name, (2 * radius, 2 * radius, height),
                                 pose_matrix(pose), tuple(color)))

    def add_static_boxes(self, name, centres, sizes, pose, friction=None, color=GREY) -> None:
        """Record a map's boxes (centres and sizes in the frame of ``pose``)."""
        frame = pose_matrix(pose)
        for index, (centre, size) in enumerate(zip(centres, sizes)):
            placed = frame @ compose(centre, numpy.eye(3), numpy.ones(3))
            self.shapes.append(Shape('box', f'{name}_{index}', tuple(float(v) for v in size),
                                     placed, tuple(color)))

    def add_mesh(self, name, filename, pose, scale=(1.0, 1.0, 1.0), **_physics) -> None:
        """Record a mesh file with its scale."""
        self.shapes.append(Shape('mesh', name, tuple(scale), pose_matrix(pose),
                                 mesh_file=filename))

    def add_model(self, name, filename, pose=Pose(), fixed=True, friction=None) -> None:
        """Record a URDF model's visuals, placed at the model's pose."""
        placement = pose_matrix(pose)
        urdf = load_robot_description(filename).urdf  # mesh file names made absolute
        self.shapes += [replace(shape.moved(placement), name=f'{name}/{shape.name}')
                        for shape in robot_shapes(urdf)]


def world_shapes(world_file: str | Path) -> list[Shape]:
    """
    Return the objects of a world file, in world coordinates.

    :raises DescriptionError: the file is missing or invalid (the message names the entry)
    """
    return loaded_world_shapes(load_world(world_file))


def loaded_world_shapes(world: WorldDescription) -> list[Shape]:
    """Return the objects of a world loaded by :func:`twin_sim.worlds.load_world`."""
    collector = _ShapeCollector()
    world.build(collector)
    return collector.shapes


def relative_to(shapes: list[Shape], origin: Pose) -> list[Shape]:
    """Return world shapes in the frame whose pose in the world is ``origin`` (the odom frame)."""
    into_frame = numpy.linalg.inv(pose_matrix(origin))
    return [shape.moved(into_frame) for shape in shapes]


def robot_shapes(urdf: str, base_dir: Path | None = None) -> list[Shape]:
    """
    Return every ``<visual>`` of a URDF, in the frame of its root link.

    Moving joints are drawn at their zero position (wheels are symmetric about their axle).

    :param urdf: the URDF text (xacro expanded)
    :param base_dir: where relative mesh file names start
    :raises DescriptionError: not valid XML, or its joints do not form one tree
    """
    root = _parse(urdf)
    materials = _material_colors(root)
    placement = _link_transforms(root)
    shapes = []
    for link in root.iter('link'):
        for visual in link.findall('visual'):
            shape = _visual_shape(visual, link.get('name'), materials, base_dir)
            if shape is not None:
                shapes.append(shape.moved(placement[link.get('name')]))
    return shapes


def root_link(urdf: str) -> str:
    """
    Return the name of a URDF's root link: the frame :func:`robot_shapes` are in.

    :raises DescriptionError: not valid XML, or not exactly one link without a parent
    """
    return _root_name(_parse(urdf))


def _parse(urdf: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(urdf)
    except ElementTree.ParseError as error:
        raise DescriptionError(f'robot description: not valid XML: {error}') from None


def _root_name(root: ElementTree.Element) -> str:
    children = {joint.find('child').get('link') for joint in root.iter('joint')}
    roots = [link.get('name') for link in root.iter('link') if link.get('name') not in children]
    if len(roots) != 1:
        raise DescriptionError(f'robot description: expected one root link, found {roots}')
    return roots[0]


def _link_transforms(root: ElementTree.Element) -> dict:
    """Return each link's 4x4 pose in the root link's frame, walking the joints outwards."""
    joints = {joint.find('child').get('link'): joint for joint in root.iter('joint')}
    links = [link.get('name') for link in root.iter('link')]
    transforms = {_root_name(root): numpy.eye(4)}

    def transform_of(name: str, depth: int = 0) -> numpy.ndarray:
        if name not in transforms:
            if depth > len(links):
                raise DescriptionError(f'robot description: the joints above {name} loop')
            joint = joints[name]
            parent = transform_of(joint.find('parent').get('link'), depth + 1)
            transforms[name] = parent @ origin_matrix(joint.find('origin'))
        return transforms[name]

    return {name: transform_of(name) for name in links}


def _material_colors(root: ElementTree.Element) -> dict:
    """Return the rgba of every named material that gives one."""
    colors = {}
    for material in root.iter('material'):
        color = material.find('color')
        if material.get('name') and color is not None:
            colors[material.get('name')] = tuple(float(v) for v in color.get('rgba').split())
    return colors


def _visual_shape(visual: ElementTree.Element, link: str, materials: dict,
                  base_dir: Path | None) -> Shape | None:
    """Return a ``<visual>`` as a shape in its link's frame (None for an empty geometry)."""
    geometry = visual.find('geometry')
    element = None if geometry is None or len(geometry) == 0 else geometry[0]
    if element is None:
        return None
    transform, color = origin_matrix(visual.find('origin')), _visual_color(visual, materials)
    if element.tag == 'box':
        size = tuple(float(v) for v in element.get('size').split())
        return Shape('box', link, size, transform, color)
    if element.tag == 'cylinder':
        diameter = 2 * float(element.get('radius'))
        return Shape('cylinder', link, (diameter, diameter, float(element.get('length'))),
                     transform, color)
    if element.tag == 'sphere':
        diameter = 2 * float(element.get('radius'))
        return Shape('sphere', link, (diameter,) * 3, transform, color)
    if element.tag == 'mesh':
        filename = resolve_uri(element.get('filename', ''), base_dir)
        scale = tuple(float(v) for v in element.get('scale', '1 1 1').split())
        return Shape('mesh', link, scale, transform, color, filename)
    return None


def _visual_color(visual: ElementTree.Element, materials: dict) -> tuple:
    """Return a visual's color: its own ``<color>``, else its named material's, else grey."""
    material = visual.find('material')
    if material is None:
        return GREY
    color = material.find('color')
    if color is not None:
        return tuple(float(v) for v in color.get('rgba').split())
    return materials.get(material.get('name'), GREY)
