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
Robot descriptions: read URDF or xacro and make every file reference absolute for PyBullet.

PyBullet understands neither xacro nor ``package://`` URIs, and it resolves relative mesh
paths against the file it loads. So a description is expanded to plain URDF text in which
every mesh filename is an absolute path, and PyBullet loads a temporary copy of that text.
"""

from dataclasses import dataclass
import math
import os
from pathlib import Path
from xml.etree import ElementTree


# A frame link (no <inertial>) gets this instead of PyBullet's default of 1 kg and unit inertia,
# which would make a frame like base_footprint the heaviest part of a 1 kg robot.
FRAME_INERTIAL = ('<inertial><mass value="1e-4"/>'
                  '<inertia ixx="1e-8" ixy="0" ixz="0" iyy="1e-8" iyz="0" izz="1e-8"/></inertial>')


# The numeric attributes of URDF elements: a NaN or Inf in any of them leaves the physics
# diverged from the first step.
NUMERIC_ATTRIBUTES = {
    'origin': ('xyz', 'rpy'), 'axis': ('xyz',), 'mass': ('value',),
    'inertia': ('ixx', 'ixy', 'ixz', 'iyy', 'iyz', 'izz'), 'box': ('size',),
    'cylinder': ('radius', 'length'), 'sphere': ('radius',), 'mesh': ('scale',),
    'limit': ('lower', 'upper', 'effort', 'velocity'), 'dynamics': ('damping', 'friction'),
}


class DescriptionError(Exception):
    """A robot or world description could not be read; the message says which and why."""


@dataclass(frozen=True)
class RobotDescription:
    """
    A robot description ready for PyBullet.

    :param urdf: URDF text for PyBullet: absolute file references, frames with a tiny mass
    :param source: where it came from (a path, or ``'<string>'``)
    :param massless_links: links the source gave no ``<inertial>``: frames, not bodies
    :param xml: the URDF as written (xacro expanded, URIs untouched), to publish
    """

    urdf: str
    source: str
    massless_links: frozenset
    xml: str


def find_package_share(package: str) -> Path:
    """Find ``share/<package>`` in the ament prefixes (``AMENT_PREFIX_PATH``), without ROS."""
    for prefix in os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep):
        share = Path(prefix) / 'share' / package
        if prefix and share.is_dir():
            return share
    raise DescriptionError(f'package://{package}/... cannot be resolved: no share/{package} in '
                           'AMENT_PREFIX_PATH; source the workspace that installs it')


def resolve_uri(uri: str, base_dir: Path | None) -> str:
    """Return an absolute path for a ``package://``, ``file://`` or relative file URI."""
    if uri.startswith('package://'):
        package, _, rest = uri[len('package://'):].partition('/')
        return str(find_package_share(package) / rest)
    if uri.startswith('file://'):
        return uri[len('file://'):]
    if base_dir is not None and not os.path.isabs(uri):
        return str((base_dir / uri).resolve())
    return uri


def uses_xacro(text: str) -> bool:
    """Tell whether a description needs xacro, whatever its file name (TurtleBot3's .urdf does)."""
    return 'xmlns:xacro' in text or '<xacro:' in text or '${' in text or '$(' in text


def expand_xacro(path: Path) -> str:
    """Run xacro on a file and return the URDF text."""
    import xacro  # only needed for xacro files
    try:
        return xacro.process_file(str(path)).toxml()
    except Exception as error:  # xacro raises several unrelated types
        raise DescriptionError(f'{path}: xacro failed: {error}') from None


def read_text(path: Path, what: str) -> str:
    """Return a text file's contents; a binary file is an error naming the file."""
    try:
        return path.read_text()
    except UnicodeDecodeError as error:
        raise DescriptionError(f'{path}: not a text file (byte {error.start} is not UTF-8); '
                               f'expected {what}') from None
    except OSError as error:
        raise DescriptionError(f'{path}: cannot be read: {error.strerror}') from None


def load_robot_description(source: str | Path) -> RobotDescription:
    """
    Read a robot description from a URDF or xacro file, or from URDF text.

    xacro runs whenever the file uses it, whatever its name.

    :param source: a file path, or the URDF itself (text starting with ``<``)
    :raises DescriptionError: the file is missing or binary, is not valid XML, has no links,
        or has a number that is not finite or a mass that cannot be simulated
    """
    text = str(source)
    if text.lstrip().startswith('<'):
        path, urdf = None, text
    else:
        path = Path(text).expanduser()
        if not path.is_file():
            raise DescriptionError(f'{path}: robot description not found; pass the path of '
                                   'a .urdf or .urdf.xacro file')
        urdf = read_text(path, 'URDF or xacro text')
        if path.suffix == '.xacro' or uses_xacro(urdf):
            urdf = expand_xacro(path)
    where = path or 'robot description'
    try:
        root = ElementTree.fromstring(urdf)
    except ElementTree.ParseError as error:
        raise DescriptionError(f'{where}: not valid XML: {error}') from None
    if root.tag != 'robot' or root.find('link') is None:
        raise DescriptionError(f'{where}: not a URDF robot '
                               '(expected <robot> with at least one <link>)')
    _check_numbers(root, where)
    _check_masses(root, where)
    base_dir = path.resolve().parent if path else None
    for mesh in root.iter('mesh'):
        mesh.set('filename', resolve_uri(mesh.get('filename', ''), base_dir))
    massless = frozenset(link.get('name') for link in root.iter('link')
                         if link.find('inertial') is None)
    for link in root.iter('link'):
        if link.get('name') in massless:
            link.append(ElementTree.fromstring(FRAME_INERTIAL))
    return RobotDescription(urdf=ElementTree.tostring(root, encoding='unicode'),
                            source=str(path) if path else '<string>', massless_links=massless,
                            xml=urdf)


def _check_numbers(root: ElementTree.Element, where) -> None:
    for owner in (*root.iter('link'), *root.iter('joint')):
        for element in owner.iter():
            for attribute in NUMERIC_ATTRIBUTES.get(element.tag, ()):
                text = element.get(attribute)
                if text is None:
                    continue
                try:
                    finite = all(math.isfinite(float(v)) for v in text.split())
                except ValueError:
                    finite = False
                if not finite:
                    raise DescriptionError(
                        f'{where}: {owner.tag} {owner.get("name")!r}: <{element.tag} '
                        f'{attribute}="{text}">: expected finite numbers; fix the value')


def _check_masses(root: ElementTree.Element, where) -> None:
    """Refuse negative masses, and massless links that a joint moves (a wheel, say)."""
    moved_by = {joint.find('child').get('link'): joint.get('name')
                for joint in root.iter('joint')
                if joint.get('type') != 'fixed' and joint.find('child') is not None}
    for link in root.iter('link'):
        mass = link.find('inertial/mass')
        if mass is None:
            continue
        value = float(mass.get('value', '0'))
        name = link.get('name')
        if value < 0.0:
            raise DescriptionError(f'{where}: link {name!r}: mass {value:g} kg is negative; '
                                   'give its mass in kg')
        if value == 0.0 and name in moved_by:
            raise DescriptionError(
                f'{where}: link {name!r}: mass 0 kg, but joint {moved_by[name]!r} moves it and '
                'a massless moving link cannot be simulated; give it its real mass')
