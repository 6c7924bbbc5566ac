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
The body the twin rolls on: its wheels' true geometry, written into the URDF before loading.

Two geometries are kept apart. The *nominal* one (``DriveConfig.wheel_radius`` and
``wheel_separation``) is what the robot's firmware believes: it turns ``cmd_vel`` into wheel
speeds and integrates odometry. The *physical* one (:class:`PhysicalConfig`) is what the
simulated wheels really are: worn or unequal wheels make a robot curve and its odometry
drift, as on a real one. PyBullet cannot resize a loaded collision shape, so the wheels are
changed in the URDF text.
"""

from dataclasses import dataclass
from xml.etree import ElementTree

from twin_sim.description import DescriptionError
from twin_sim.fields import check_fields, ranged


@dataclass(frozen=True)
class PhysicalConfig:
    """
    The simulated body's wheels, where they differ from the description (0: the URDF's).

    Not what the firmware believes (that is the nominal geometry, ``DriveConfig``).

    :param left_wheel_radius: m
    :param right_wheel_radius: m
    :param wheel_separation: between the wheels' mid-planes, m
    """

    left_wheel_radius: float = ranged(0.0, 0.0, 1.0)
    right_wheel_radius: float = ranged(0.0, 0.0, 1.0)
    wheel_separation: float = ranged(0.0, 0.0, 5.0)

    def __post_init__(self):
        """Refuse sizes out of range at construction."""
        check_fields(self, 'physical')


@dataclass(frozen=True)
class WheelGeometry:
    """
    A differential drive's wheel geometry.

    :param left_radius: m
    :param right_radius: m
    :param separation: between the wheels' mid-planes, m
    """

    left_radius: float
    right_radius: float
    separation: float


def physical_body(urdf: str, left_joint: str, right_joint: str,
                  physical: PhysicalConfig) -> tuple[str, WheelGeometry]:
    """
    Return the URDF to load, with physical wheels, and the description's own wheel geometry.

    A wheel joint that is missing is left for the caller to report. The description's
    geometry is read from its wheels' cylinder (or sphere) collisions and the wheel joints'
    origins; a value the text does not give is 0 (measure it on the loaded body).

    :raises DescriptionError: a physical value is set that the description cannot take
    """
    root = ElementTree.fromstring(urdf)
    joints = {joint.get('name'): joint for joint in root.iter('joint')}
    links = {link.get('name'): link for link in root.iter('link')}
    radii = []
    for name, radius in ((left_joint, physical.left_wheel_radius),
                         (right_joint, physical.right_wheel_radius)):
        child = joints[name].find('child') if name in joints else None
        link = links.get(child.get('link')) if child is not None else None
        radii.append(_reshape_wheel(link, radius, name) if link is not None else 0.0)
    separation = 0.0
    if left_joint in joints and right_joint in joints:
        separation = _respace_wheels(joints[left_joint], joints[right_joint],
                                     physical.wheel_separation)
    changed = physical != PhysicalConfig()
    text = ElementTree.tostring(root, encoding='unicode') if changed else urdf
    return text, WheelGeometry(radii[0], radii[1], separation)


def _reshape_wheel(link: ElementTree.Element, radius: float, joint: str) -> float:
    """Give a wheel link ``radius`` (0: keep its own); return its own radius (0: unknown)."""
    collisions = link.findall('collision')
    shape = collisions[0].find('geometry/*') if len(collisions) == 1 else None
    if shape is None or shape.tag not in ('cylinder', 'sphere'):
        if radius:
            raise DescriptionError(
                f'wheel joint {joint!r}: a physical wheel radius needs its link '
                f'{link.get("name")!r} to have one <cylinder> or <sphere> collision; set the '
                'physical radius to 0, or describe the wheel with one of those')
        return 0.0
    own = float(shape.get('radius'))
    if radius:
        for resized in [shape] + link.findall('visual/geometry/' + shape.tag):
            resized.set('radius', repr(radius))
    return own


def _origin_xyz(joint: ElementTree.Element) -> list[float]:
    origin = joint.find('origin')
    if origin is None:
        origin = ElementTree.SubElement(joint, 'origin')
    return [float(v) for v in origin.get('xyz', '0 0 0').split()]


def _respace_wheels(left: ElementTree.Element, right: ElementTree.Element,
                    separation: float) -> float:
    """
    Move the wheel joints apart to ``separation`` (0: leave them); return their own spacing.

    Both wheels hang from one parent link whose y axis points left (REP-103); they move
    symmetrically about their midpoint, along y.
    """
    parents = {joint.find('parent').get('link') for joint in (left, right)
               if joint.find('parent') is not None}
    if len(parents) != 1:
        if separation:
            raise DescriptionError(
                f'wheel joints {left.get("name")!r} and {right.get("name")!r} have different '
                'parent links, so a physical wheel separation cannot be applied; set it to 0')
        return 0.0
    left_xyz, right_xyz = _origin_xyz(left), _origin_xyz(right)
    own = abs(left_xyz[1] - right_xyz[1])
    if separation:
        middle = (left_xyz[1] + right_xyz[1]) / 2.0
        half = separation / 2.0 if left_xyz[1] >= right_xyz[1] else -separation / 2.0
        left_xyz[1], right_xyz[1] = middle + half, middle - half
        for joint, xyz in ((left, left_xyz), (right, right_xyz)):
            joint.find('origin').set('xyz', ' '.join(repr(v) for v in xyz))
    return own
