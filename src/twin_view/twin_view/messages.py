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
Every conversion into Foxglove's messages, in one place (no ROS import).

ROS messages arrive duck-typed (an Odometry is anything with ``header.stamp`` and
``pose.pose``), so this module is tested without a ROS graph.
"""

from collections import deque
import math
from pathlib import Path

from foxglove.messages import (Color, CubePrimitive, CylinderPrimitive, FrameTransform,
                               FrameTransforms, LaserScan, ModelPrimitive, Pose, PoseInFrame,
                               PosesInFrame, Quaternion, SceneEntity, SceneUpdate,
                               SpherePrimitive, Timestamp, Vector3)
from twin_view.shapes import Shape

# Mesh formats Foxglove's 3D panel loads from embedded data, by file suffix.
MEDIA_TYPES = {'.stl': 'model/stl', '.obj': 'model/obj', '.dae': 'model/vnd.collada+xml',
               '.glb': 'model/gltf-binary', '.gltf': 'model/gltf+json'}


def timestamp(stamp) -> Timestamp:
    """Return a ROS ``builtin_interfaces/Time`` (``sec``, ``nanosec``) as a Foxglove one."""
    return Timestamp(stamp.sec, stamp.nanosec)


def stamp_ns(stamp) -> int:
    """Return a ROS time in integer nanoseconds (simulated time, from the twin's clock)."""
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def _vector3(vector) -> Vector3:
    return Vector3(x=vector.x, y=vector.y, z=vector.z)


def _quaternion(quaternion) -> Quaternion:
    return Quaternion(x=quaternion.x, y=quaternion.y, z=quaternion.z, w=quaternion.w)


def foxglove_pose(position, orientation) -> Pose:
    """Return a pose from anything with x, y, z (and w for the orientation)."""
    return Pose(position=_vector3(position), orientation=_quaternion(orientation))


def laser_scan(scan) -> LaserScan:
    """
    Return a ROS LaserScan as Foxglove's: same frame, angles and ranges (+inf stays +inf).

    Foxglove spaces the ranges evenly from start to end angle, as ROS does by increment.
    """
    return LaserScan(timestamp=timestamp(scan.header.stamp), frame_id=scan.header.frame_id,
                     pose=Pose(position=Vector3(), orientation=Quaternion(w=1.0)),
                     start_angle=scan.angle_min, end_angle=scan.angle_max,
                     ranges=list(scan.ranges), intensities=list(scan.intensities))


def frame_transforms(tf_message) -> FrameTransforms:
    """Return a ROS TFMessage (``tf`` or ``tf_static``) as Foxglove frame transforms."""
    return FrameTransforms(transforms=[
        FrameTransform(timestamp=timestamp(t.header.stamp), parent_frame_id=t.header.frame_id,
                       child_frame_id=t.child_frame_id,
                       translation=_vector3(t.transform.translation),
                       rotation=_quaternion(t.transform.rotation))
        for t in tf_message.transforms])


def diagnostics(array) -> dict:
    """
    Return a ROS DiagnosticArray as the JSON object of its fields.

    Foxglove's Diagnostics panels read ``diagnostic_msgs/msg/DiagnosticArray`` by its fields,
    in any encoding; JSON needs no message definition on the view's side.
    """
    return {'header': {'stamp': {'sec': array.header.stamp.sec,
                                 'nsec': array.header.stamp.nanosec},
                       'frame_id': array.header.frame_id},
            'status': [{'level': int.from_bytes(status.level, 'little')
                        if isinstance(status.level, bytes) else int(status.level),
                        'name': status.name, 'message': status.message,
                        'hardware_id': status.hardware_id,
                        'values': [{'key': v.key, 'value': v.value} for v in status.values]}
                       for status in array.status]}


def pose_in_frame(odometry) -> PoseInFrame:
    """Return an Odometry's pose (the robot's body in ``header.frame_id``)."""
    pose = odometry.pose.pose
    return PoseInFrame(timestamp=timestamp(odometry.header.stamp),
                       frame_id=odometry.header.frame_id,
                       pose=foxglove_pose(pose.position, pose.orientation))


class Trail:
    """
    The path an Odometry topic has travelled: poses at least ``spacing`` apart, the newest kept.

    :param spacing: smallest distance between kept poses in m (0 keeps every pose)
    :param length: most poses kept; the oldest go first
    """

    def __init__(self, spacing: float = 0.05, length: int = 2000):
        self.spacing = spacing
        self.positions = deque(maxlen=length)  # (x, y, z), to measure the spacing
        self.poses = deque(maxlen=length)  # converted once, as the message carries them
        self.frame_id = ''
        self.stamp = None

    def add(self, odometry) -> bool:
        """Add an Odometry's pose; return whether the trail changed (it moved ``spacing``)."""
        pose = odometry.pose.pose
        position = (pose.position.x, pose.position.y, pose.position.z)
        self.frame_id, self.stamp = odometry.header.frame_id, odometry.header.stamp
        if self.positions and math.dist(self.positions[-1], position) < self.spacing:
            return False
        self.positions.append(position)
        self.poses.append(foxglove_pose(pose.position, pose.orientation))
        return True

    def message(self) -> PosesInFrame:
        """Return the trail as Foxglove poses (in the odometry's frame)."""
        return PosesInFrame(timestamp=timestamp(self.stamp), frame_id=self.frame_id,
                            poses=list(self.poses))


def scene_update(entity_id: str, frame_id: str, shapes: list[Shape],
                 frame_locked: bool = False) -> SceneUpdate:
    """
    Return one scene entity holding ``shapes``, whose poses are in ``frame_id``.

    :param frame_locked: follow the frame as it moves (the robot's model) rather than stay where
        the frame was when the entity arrived (the world's obstacles)
    """
    primitives = {'cubes': [], 'cylinders': [], 'spheres': [], 'models': []}
    for shape in shapes:
        kind, primitive = _primitive(shape)
        primitives[kind].append(primitive)
    return SceneUpdate(entities=[SceneEntity(id=entity_id, frame_id=frame_id,
                                             frame_locked=frame_locked, **primitives)])


def _primitive(shape: Shape):
    """Return (the SceneEntity field, the primitive) that draws ``shape``."""
    x, y, z = shape.position()
    qx, qy, qz, qw = shape.quaternion()
    pose = Pose(position=Vector3(x=x, y=y, z=z), orientation=Quaternion(x=qx, y=qy, z=qz, w=qw))
    color = Color(r=shape.color[0], g=shape.color[1], b=shape.color[2], a=shape.color[3])
    size = Vector3(x=shape.size[0], y=shape.size[1], z=shape.size[2])
    if shape.kind == 'box':
        return 'cubes', CubePrimitive(pose=pose, size=size, color=color)
    if shape.kind == 'cylinder':
        return 'cylinders', CylinderPrimitive(pose=pose, size=size, bottom_scale=1.0,
                                              top_scale=1.0, color=color)
    if shape.kind == 'sphere':
        return 'spheres', SpherePrimitive(pose=pose, size=size, color=color)
    mesh = Path(shape.mesh_file)
    return 'models', ModelPrimitive(pose=pose, scale=size, color=color,
                                    media_type=MEDIA_TYPES.get(mesh.suffix.lower(), ''),
                                    data=mesh.read_bytes())
