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
robot_state_publisher's job, for environments that lack it: the URDF's transforms.

Fixed joints become static transforms (``tf_static``); movable joints are transformed by
their current position (``tf``). Joints without a known position are held at zero.
"""

from dataclasses import dataclass
import math
from xml.etree import ElementTree

from geometry_msgs.msg import TransformStamped
from transforms3d.euler import euler2quat

from twin_bridge.conversions import set_stamp


@dataclass(frozen=True)
class Joint:
    """A URDF joint: frames, fixed offset, and for movable joints the axis."""

    name: str
    kind: str
    parent: str
    child: str
    xyz: tuple
    quaternion: tuple  # (w, x, y, z) of the origin's rpy
    axis: tuple


def parse_joints(urdf: str) -> list[Joint]:
    """Return the joints of a URDF."""
    joints = []
    for element in ElementTree.fromstring(urdf).iter('joint'):
        origin = element.find('origin')
        xyz = _floats(origin.get('xyz') if origin is not None else None, 3)
        rpy = _floats(origin.get('rpy') if origin is not None else None, 3)
        axis = element.find('axis')
        joints.append(Joint(
            name=element.get('name'), kind=element.get('type'),
            parent=element.find('parent').get('link'), child=element.find('child').get('link'),
            xyz=xyz, quaternion=tuple(float(v) for v in euler2quat(*rpy, 'sxyz')),
            axis=_floats(axis.get('xyz') if axis is not None else '1 0 0', 3)))
    return joints


def _floats(text: str | None, count: int) -> tuple:
    return tuple(float(v) for v in text.split()) if text else (0.0,) * count


def axis_angle_quaternion(axis: tuple, angle: float) -> tuple:
    """Return the (w, x, y, z) quaternion of a rotation by ``angle`` (rad) about ``axis``."""
    norm = math.sqrt(axis[0] ** 2 + axis[1] ** 2 + axis[2] ** 2)
    scale = math.sin(angle / 2.0) / norm
    return (math.cos(angle / 2.0), axis[0] * scale, axis[1] * scale, axis[2] * scale)


def multiply_quaternions(a: tuple, b: tuple) -> tuple:
    """Return the Hamilton product ``a b`` of two (w, x, y, z) quaternions."""
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return (aw * bw - ax * bx - ay * by - az * bz, aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw)


class RobotStatePublisher:
    """
    Compute the transforms robot_state_publisher would publish for one URDF.

    A moving joint's transform is a few float products, each step at the odometry rate: in
    plain floats, and into one message per joint, refilled (see conversions).
    """

    def __init__(self, urdf: str, frame_prefix: str = ''):
        """Read the joints; ``frame_prefix`` is put before every frame id."""
        joints = parse_joints(urdf)
        self.prefix = frame_prefix
        self.fixed = [j for j in joints if j.kind == 'fixed']
        self.movable = [j for j in joints if j.kind in ('continuous', 'revolute', 'prismatic')]
        self.moving_msgs = [self._message(joint) for joint in self.movable]

    def _message(self, joint: Joint) -> TransformStamped:
        msg = TransformStamped()
        msg.header.frame_id = self.prefix + joint.parent
        msg.child_frame_id = self.prefix + joint.child
        return msg

    @staticmethod
    def _pose(joint: Joint, position: float) -> tuple[tuple, tuple]:
        """Return a joint's child frame in its parent's at ``position``: xyz, (w, x, y, z)."""
        xyz, quaternion = joint.xyz, joint.quaternion
        if joint.kind == 'prismatic':
            xyz = tuple(offset + position * axis for offset, axis in zip(xyz, joint.axis))
        elif joint.kind != 'fixed':
            quaternion = multiply_quaternions(quaternion,
                                              axis_angle_quaternion(joint.axis, position))
        return xyz, quaternion

    def _transform(self, joint: Joint, time_ns: int, position: float = 0.0,
                   into: TransformStamped | None = None) -> TransformStamped:
        msg = into or self._message(joint)
        set_stamp(msg.header.stamp, time_ns)
        xyz, quaternion = self._pose(joint, position)
        translation, rotation = msg.transform.translation, msg.transform.rotation
        translation.x, translation.y, translation.z = xyz
        rotation.w, rotation.x, rotation.y, rotation.z = quaternion
        return msg

    def static_transforms(self, time_ns: int) -> list[TransformStamped]:
        """Return the transforms of the fixed joints."""
        return [self._transform(joint, time_ns) for joint in self.fixed]

    def moving_transforms(self, positions: dict, time_ns: int) -> list[TransformStamped]:
        """
        Return the transforms of the movable joints at ``positions`` (name -> value).

        The messages are this object's own, refilled on every call.
        """
        return [self._transform(joint, time_ns, positions.get(joint.name, 0.0), msg)
                for joint, msg in zip(self.movable, self.moving_msgs)]

    def moving_frames(self) -> list[tuple[str, str]]:
        """Return the (parent, child) frame ids of the movable joints' transforms, in order."""
        return [(msg.header.frame_id, msg.child_frame_id) for msg in self.moving_msgs]

    def moving_poses(self, positions: dict) -> list[tuple]:
        """
        Return the movable joints' transforms at ``positions``, as :meth:`moving_transforms`.

        Each as (x, y, z, qx, qy, qz, qw), in the order of :meth:`moving_frames`: what a
        serialized message (``conversions.SerializedTransforms``) takes.
        """
        poses = []
        for joint in self.movable:
            xyz, (w, x, y, z) = self._pose(joint, positions.get(joint.name, 0.0))
            poses.append((*xyz, x, y, z, w))
        return poses
