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

"""A differential-drive robot in a World, moved only through its wheel motors."""

from dataclasses import dataclass, field
import math

import numpy as np
import pybullet

from twin_sim.description import DescriptionError, RobotDescription
from twin_sim.fields import check_fields, ranged
from twin_sim.kinematics import body_to_wheels, DriveLimits, VelocityLimiter
from twin_sim.world import Pose, World


@dataclass(frozen=True)
class DriveConfig:
    """
    The drive train: which joints are the wheels, their geometry and the limits.

    :param left_wheel_joint: URDF joint of the left wheel
    :param right_wheel_joint: URDF joint of the right wheel
    :param wheel_radius: m; 0 measures it from the URDF
    :param wheel_separation: m; 0 measures it from the URDF
    :param max_wheel_torque: N m per wheel motor; 0 takes the joint's effort limit
    :param limits: velocity and acceleration limits of the base
    """

    left_wheel_joint: str = 'wheel_left_joint'
    right_wheel_joint: str = 'wheel_right_joint'
    wheel_radius: float = ranged(0.0, 0.0, 1.0)
    wheel_separation: float = ranged(0.0, 0.0, 5.0)
    max_wheel_torque: float = ranged(0.0, 0.0, 1000.0)
    limits: DriveLimits = field(default_factory=DriveLimits)

    def __post_init__(self):
        """Refuse a drive train out of range at construction."""
        check_fields(self, 'drive')


@dataclass(frozen=True)
class BodyState:
    """
    Exact pose and velocity of a frame (ground truth).

    :param position: (x, y, z) in the world, m
    :param orientation: (x, y, z, w) quaternion in the world
    :param linear_velocity: in the frame's own axes, m/s
    :param angular_velocity: in the frame's own axes, rad/s
    """

    position: np.ndarray
    orientation: np.ndarray
    linear_velocity: np.ndarray
    angular_velocity: np.ndarray

    @property
    def yaw(self) -> float:
        """Return the heading about the world z axis, rad."""
        x, y, z, w = self.orientation
        return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def relative_to(state: BodyState, origin: BodyState) -> BodyState:
    """Express ``state``'s pose in the frame of ``origin``'s pose (velocities stay body-fixed)."""
    origin_rotation = rotation_matrix(origin.orientation)
    inverse = pybullet.invertTransform(origin.position.tolist(), origin.orientation.tolist())
    _, orientation = pybullet.multiplyTransforms(*inverse, state.position.tolist(),
                                                 state.orientation.tolist())
    return BodyState(origin_rotation.T @ (state.position - origin.position),
                     np.array(orientation), state.linear_velocity, state.angular_velocity)


def cross(a, b) -> np.ndarray:
    """Return the cross product of two 3-vectors (numpy's is slow for single vectors)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                     a[0] * b[1] - a[1] * b[0]])


def rotation_matrix(quaternion) -> np.ndarray:
    """Return the 3x3 rotation matrix of an (x, y, z, w) quaternion."""
    return np.array(pybullet.getMatrixFromQuaternion(quaternion)).reshape(3, 3)


# A robot's own collision bit, which its LIDAR's rays skip; robot i of a twin takes this << i.
FIRST_COLLISION_GROUP = 1 << 4


class DiffDriveRobot:
    """
    A robot loaded from a description, with two driven wheels.

    Each step the requested body twist passes the velocity limiter, becomes wheel speeds,
    and goes to the wheel joints' velocity motors, whose torque is limited. The base is never
    moved by setting its velocity: slip, load and collisions act as they would on the robot.
    """

    def __init__(self, world: World, description: RobotDescription, config: DriveConfig,
                 pose: Pose = Pose(), name: str = 'robot',
                 collision_group: int = FIRST_COLLISION_GROUP):
        """
        Load the robot into ``world``.

        :param collision_group: this robot's collision bit; its own sensors' rays skip it
        :raises DescriptionError: a wheel joint is missing, or the geometry is unusable
        """
        self.world, self.config, self.name = world, config, name
        self.body = world.load_urdf_text(name, description.urdf, pose)
        self.collision_group = collision_group
        self.links = {self._info(j)[12].decode(): j for j in range(self._joint_count())}
        self.links[self._base_name()] = -1
        joints = {self._info(j)[1].decode(): j for j in range(self._joint_count())}
        self.wheels = [self._wheel_joint(joints, config.left_wheel_joint, description),
                       self._wheel_joint(joints, config.right_wheel_joint, description)]
        self._set_collision_group()
        self.wheel_signs = [self._forward_sign(j) for j in self.wheels]
        self.wheel_radius = config.wheel_radius or self._measure_wheel_radius()
        self.wheel_separation = config.wheel_separation or self._measure_separation()
        self.wheel_torque = config.max_wheel_torque or self._info(self.wheels[0])[10] or 1.0
        self.limiter = VelocityLimiter(config.limits)
        self.command = (0.0, 0.0)
        self.applied = (0.0, 0.0)  # the limited twist sent to the wheels last step
        self._release_passive_joints()

    # -- set-up -------------------------------------------------------------------------

    def _joint_count(self) -> int:
        return self.world.call(pybullet.getNumJoints, self.body)

    def _info(self, joint: int):
        return self.world.call(pybullet.getJointInfo, self.body, joint)

    def _base_name(self) -> str:
        return self.world.call(pybullet.getBodyInfo, self.body)[0].decode()

    def _wheel_joint(self, joints: dict, name: str, description: RobotDescription) -> int:
        if name not in joints:
            raise DescriptionError(
                f'{description.source}: no joint named {name!r} for a wheel; the robot has '
                f'{", ".join(sorted(joints)) or "no joints"}. Set the wheel joint names.')
        return joints[name]

    def _set_collision_group(self) -> None:
        # Collide with everything (mask -1) but sit in a group of its own, which rays skip.
        for index in self.links.values():
            self.world.call(pybullet.setCollisionFilterGroupMask, self.body, index,
                            self.collision_group, -1)

    def _forward_sign(self, joint: int) -> float:
        """Return +1 when a positive joint velocity rolls the base forward, else -1."""
        # The joint axis is given in the wheel link's frame, which spins about that axis.
        axis_in_world = self.link_rotation(joint) @ np.array(self._info(joint)[13])
        axis_in_base = self.link_rotation(-1).T @ axis_in_world
        return 1.0 if axis_in_base[1] > 0 else -1.0

    def _measure_wheel_radius(self) -> float:
        shapes = self.world.call(pybullet.getCollisionShapeData, self.body, self.wheels[0])
        for shape in shapes:
            if shape[2] == pybullet.GEOM_CYLINDER:
                return shape[3][1]
            if shape[2] == pybullet.GEOM_SPHERE:
                return shape[3][0]
        # Otherwise: the axle's height above base_footprint, which sits on the ground.
        height = self.frame_in_base(self.wheels[0])[2]
        if height <= 0.0:
            raise DescriptionError(f'robot {self.name!r}: cannot measure the wheel radius; '
                                   'set wheel_radius')
        return height

    def _measure_separation(self) -> float:
        separation = abs(self.frame_in_base(self.wheels[0])[1] -
                         self.frame_in_base(self.wheels[1])[1])
        if separation <= 0.0:
            raise DescriptionError(f'robot {self.name!r}: the wheels are not side by side; '
                                   'set wheel_separation')
        return separation

    def _release_passive_joints(self) -> None:
        # PyBullet holds every joint with a velocity motor by default; only wheels are driven.
        for joint in range(self._joint_count()):
            if joint not in self.wheels:
                self.world.call(pybullet.setJointMotorControl2, self.body, joint,
                                pybullet.VELOCITY_CONTROL, force=0.0)

    def link_index(self, name: str, role: str) -> int:
        """Return the index of link ``name``; ValueError naming the ``role`` and the links."""
        if name not in self.links:
            raise ValueError(f'{role} link {name!r} is not a link of the robot; it has '
                             f'{", ".join(sorted(self.links))}')
        return self.links[name]

    # -- state --------------------------------------------------------------------------

    def link_pose(self, link: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the world position and quaternion of a link's URDF frame (-1: the root)."""
        if link >= 0:
            state = self.world.call(pybullet.getLinkState, self.body, link)
            return np.array(state[4]), np.array(state[5])
        com_position, com_orientation = self.world.call(
            pybullet.getBasePositionAndOrientation, self.body)
        local = self.world.call(pybullet.getDynamicsInfo, self.body, -1)[3:5]
        inverse = self.world.call(pybullet.invertTransform, *local)
        position, orientation = self.world.call(pybullet.multiplyTransforms, com_position,
                                                com_orientation, *inverse)
        return np.array(position), np.array(orientation)

    def link_rotation(self, link: int) -> np.ndarray:
        """Return the world rotation matrix of a link's frame."""
        return rotation_matrix(self.link_pose(link)[1])

    def frame_in_base(self, link: int) -> np.ndarray:
        """Return a link frame's origin in the root link's frame."""
        base_position, base_orientation = self.link_pose(-1)
        position = self.link_pose(link)[0]
        return rotation_matrix(base_orientation).T @ (position - base_position)

    def link_state(self, link: int) -> BodyState:
        """Return the exact pose and velocity of a link frame, velocities in its own axes."""
        if link >= 0:
            state = self.world.call(pybullet.getLinkState, self.body, link,
                                    computeLinkVelocity=1)
            com_position, linear, angular = state[0], state[6], state[7]
            position, orientation = np.array(state[4]), np.array(state[5])
        else:
            position, orientation = self.link_pose(link)
            com_position = self.world.call(pybullet.getBasePositionAndOrientation,
                                           self.body)[0]
            linear, angular = self.world.call(pybullet.getBaseVelocity, self.body)
        angular = np.array(angular)
        # The reported velocity is the centre of mass's; move it to the frame's origin.
        linear = np.array(linear) + cross(angular, position - np.array(com_position))
        rotation = rotation_matrix(orientation)
        return BodyState(position, orientation, rotation.T @ linear, rotation.T @ angular)

    def wheel_angles(self) -> tuple[float, float]:
        """Return the (left, right) wheel angles, rad, positive rolling forward."""
        states = self.world.call(pybullet.getJointStates, self.body, self.wheels)
        return tuple(sign * state[0] for sign, state in zip(self.wheel_signs, states))

    def wheel_joint_states(self) -> tuple[list, list]:
        """Return the wheel joints' own (URDF-sign) positions and velocities, in one read."""
        states = self.world.call(pybullet.getJointStates, self.body, self.wheels)
        return [state[0] for state in states], [state[1] for state in states]

    # -- commands -----------------------------------------------------------------------

    def set_command(self, linear: float, angular: float) -> None:
        """Request a body twist (m/s, rad/s); it holds until the next request."""
        self.command = (linear, angular)

    def apply(self, dt: float) -> None:
        """Send this step's limited wheel speeds to the motors."""
        self.applied = self.limiter.update(*self.command, dt)
        wheel_speeds = body_to_wheels(*self.applied, self.wheel_radius, self.wheel_separation)
        self.world.call(pybullet.setJointMotorControlArray, self.body, self.wheels,
                        pybullet.VELOCITY_CONTROL,
                        targetVelocities=[s * w for s, w in zip(self.wheel_signs, wheel_speeds)],
                        forces=[self.wheel_torque] * 2)

    def reset_commands(self) -> None:
        """Drop the current request and the limiter's memory (the base is at rest)."""
        self.command = self.applied = (0.0, 0.0)
        self.limiter.reset()
