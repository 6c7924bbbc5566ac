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
from functools import cached_property
import math

import numpy as np
import pybullet

from twin_sim.actuator import servo_hold_angle, WheelActuator
from twin_sim.description import DescriptionError, RobotDescription
from twin_sim.fields import check_fields, ranged
from twin_sim.kinematics import body_to_wheels, DriveLimits, VelocityLimiter
from twin_sim.physical import physical_body, PhysicalConfig, WheelGeometry
from twin_sim.world import origin_velocity, Pose, World

# The servo's integral term, as PyBullet's position gain: the share of the angle error
# corrected in one step (0.1 at 240 Hz: 24 rad/s per rad), and the most it may wind up.
# Driving, the term only makes up the solver's slips of micro-radians, and a tenth of the
# gain does it (a time constant of 0.4 s) with fewer solver iterations per step (PyBullet
# stops iterating when the constraints settle); stopping and holding take the full gain.
SERVO_GAINS = (0.1, 0.1)
DRIVING_GAINS = (0.01, 0.01)
SERVO_MAX_LAG = 1e-3   # rad: 0.03 mm at the rim of a Burger's wheel
VELOCITY_GAINS = (1.0, 1.0)   # the servo's proportional term on the speed error
POSITION_CONTROL = pybullet.POSITION_CONTROL
# How far over a velocity limit the body may go before it is slowed (see _bound_speed).
SPEED_BOUND_SLACK = 0.01
# A body this slow (m/s, rad/s) for this long (s), with its wheels held, is held at rest.
STILL_SPEED = 1e-3
STILL_TURN_RATE = 1e-2
STILL_BEFORE_REST = 0.25


@dataclass(frozen=True)
class DriveConfig:
    """
    The drive train as its firmware sees it: the wheels, their nominal geometry, the motors.

    The nominal geometry turns ``cmd_vel`` into wheel speeds and wheel angles into odometry,
    as the robot's firmware does; the body may differ from it (:class:`PhysicalConfig`).

    :param left_wheel_joint: URDF joint of the left wheel
    :param right_wheel_joint: URDF joint of the right wheel
    :param wheel_radius: the radius the firmware assumes, m; 0 takes the URDF's
    :param wheel_separation: the separation the firmware assumes, m; 0 takes the URDF's
    :param max_wheel_torque: N m per wheel motor; 0 takes the joint's effort limit
    :param limits: velocity and acceleration limits of the base
    :param time_constant: each wheel speed's first-order response to its command, s (0: none)
    :param dead_time: from a wheel speed command to the motor's first response, s (0: none)
    """

    left_wheel_joint: str = 'wheel_left_joint'
    right_wheel_joint: str = 'wheel_right_joint'
    wheel_radius: float = ranged(0.0, 0.0, 1.0)
    wheel_separation: float = ranged(0.0, 0.0, 5.0)
    max_wheel_torque: float = ranged(0.0, 0.0, 1000.0)
    limits: DriveLimits = field(default_factory=DriveLimits)
    time_constant: float = ranged(0.0, 0.0, 10.0)
    dead_time: float = ranged(0.0, 0.0, 10.0)

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


class Frame:
    """
    A pose to express states in, inverted once.

    Ground truth in the odom frame (the start's) is asked for at every odometry update, and
    inverting the same start pose each time was a third of its cost.
    """

    def __init__(self, origin: BodyState):
        """:param origin: the state whose pose is the frame."""
        self.position = origin.position.tolist()
        self.inverse = pybullet.invertTransform(self.position, origin.orientation.tolist())
        self.matrix = pybullet.getMatrixFromQuaternion(origin.orientation)

    def relative(self, state: BodyState) -> BodyState:
        """Express ``state``'s pose in this frame (velocities stay body-fixed)."""
        position = state.position.tolist()
        _, orientation = pybullet.multiplyTransforms(*self.inverse, position,
                                                     state.orientation.tolist())
        x0, y0, z0 = self.position
        offset = (position[0] - x0, position[1] - y0, position[2] - z0)
        return BodyState(np.array(transform(self.matrix, offset, into_frame=True)),
                         np.array(orientation), state.linear_velocity, state.angular_velocity)


def rotate(orientation, vector, into_frame: bool = False) -> tuple[float, float, float]:
    """
    Return ``vector`` rotated by an (x, y, z, w) quaternion: R v, a frame's vector in world axes.

    In plain floats: numpy's set-up costs more than nine products.

    :param into_frame: the inverse, R^T v: a world-axes vector in the axes of the frame
        whose world orientation the quaternion is
    """
    return transform(pybullet.getMatrixFromQuaternion(orientation), vector, into_frame)


def transform(r, vector, into_frame: bool = False) -> tuple[float, float, float]:
    """
    Return ``vector`` times a rotation matrix, R v (``into_frame``: R^T v); see :func:`rotate`.

    :param r: the matrix as PyBullet's ``getMatrixFromQuaternion`` gives it, row-major:
        ``r[3 i + j]`` is R[i][j]
    """
    x, y, z = vector
    if into_frame:
        return (r[0] * x + r[3] * y + r[6] * z, r[1] * x + r[4] * y + r[7] * z,
                r[2] * x + r[5] * y + r[8] * z)
    return (r[0] * x + r[1] * y + r[2] * z, r[3] * x + r[4] * y + r[5] * z,
            r[6] * x + r[7] * y + r[8] * z)


# A robot's own collision bit, which its LIDAR's rays skip; robot i of a twin takes this << i.
FIRST_COLLISION_GROUP = 1 << 4


class DiffDriveRobot:
    """
    A robot loaded from a description, with two driven wheels.

    Each step the requested body twist passes the velocity limiter, becomes wheel speeds by
    the nominal geometry, passes each wheel's actuator model (dead time, first-order lag),
    and goes to the wheel servos, whose torque is limited. The base is moved only by its
    wheels: slip, load and collisions act as they would on the robot. After each step, speed
    beyond the limits is taken out of the body and a still body is held where it rests
    (:meth:`after_step`). The wheels it rolls on are the physical ones, which may differ from
    the nominal geometry.
    """

    def __init__(self, world: World, description: RobotDescription, config: DriveConfig,
                 pose: Pose = Pose(), name: str = 'robot',
                 collision_group: int = FIRST_COLLISION_GROUP,
                 physical: PhysicalConfig = PhysicalConfig()):
        """
        Load the robot into ``world``.

        :param collision_group: this robot's collision bit; its own sensors' rays skip it
        :param physical: the body's true wheels, where they differ from the description
        :raises DescriptionError: a wheel joint is missing, or the geometry is unusable
        """
        self.world, self.config, self.name = world, config, name
        urdf, described = physical_body(description.urdf, config.left_wheel_joint,
                                        config.right_wheel_joint, physical)
        self.body = world.load_urdf_text(name, urdf, pose)
        self.collision_group = collision_group
        self.links = {self._info(j)[12].decode(): j for j in range(self._joint_count())}
        self.links[self._base_name()] = -1
        joints = {self._info(j)[1].decode(): j for j in range(self._joint_count())}
        self.wheels = [self._wheel_joint(joints, config.left_wheel_joint, description),
                       self._wheel_joint(joints, config.right_wheel_joint, description)]
        self._set_collision_group()
        self.wheel_signs = [self._forward_sign(j) for j in self.wheels]
        self.physical = WheelGeometry(self._measure_wheel_radius(self.wheels[0]),
                                      self._measure_wheel_radius(self.wheels[1]),
                                      self._measure_separation())
        # What the body was built with, every 0 ("the description's") made explicit.
        self.physical_config = PhysicalConfig(*(
            float(setting or text or measured) for setting, text, measured in zip(
                (physical.left_wheel_radius, physical.right_wheel_radius,
                 physical.wheel_separation),
                (described.left_radius, described.right_radius, described.separation),
                (self.physical.left_radius, self.physical.right_radius,
                 self.physical.separation))))
        # Nominal: what the firmware is told, else the description's, else the body's.
        self.wheel_radius = (config.wheel_radius or described.left_radius or
                             self.physical.left_radius)
        self.wheel_separation = (config.wheel_separation or described.separation or
                                 self.physical.separation)
        torque = config.max_wheel_torque or self._info(self.wheels[0])[10] or 1.0
        self.wheel_torques = [torque, torque]   # N m, (left, right): a weak motor has less
        self.motor_torques = tuple(self.wheel_torques)   # as injected faults leave them, N m
        self.limiter = VelocityLimiter(config.limits)
        self.set_motor_dynamics(config.time_constant, config.dead_time)
        limits = config.limits   # m/s, rad/s: beyond these the body is slowed
        self.speed_bounds = (limits.max_linear_velocity * (1.0 + SPEED_BOUND_SLACK),
                             limits.max_angular_velocity * (1.0 + SPEED_BOUND_SLACK))
        self.speed_bound_count = 0   # steps in which the body was slowed to the limits
        self._release_passive_joints()
        self.reset_commands()

    @property
    def nominal(self) -> WheelGeometry:
        """Return the geometry the firmware believes (both wheels of the nominal radius)."""
        return WheelGeometry(self.wheel_radius, self.wheel_radius, self.wheel_separation)

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
        axis_in_world = rotate(self.link_pose(joint)[1], self._info(joint)[13])
        axis_in_base = rotate(self.link_pose(-1)[1], axis_in_world, into_frame=True)
        return 1.0 if axis_in_base[1] > 0 else -1.0

    def _measure_wheel_radius(self, wheel: int) -> float:
        shapes = self.world.call(pybullet.getCollisionShapeData, self.body, wheel)
        radii = [shape[3][1] if shape[2] == pybullet.GEOM_CYLINDER else shape[3][0]
                 for shape in shapes
                 if shape[2] in (pybullet.GEOM_CYLINDER, pybullet.GEOM_SPHERE)]
        if radii:
            return max(radii)
        # Otherwise: the axle's height above base_footprint, which sits on the ground.
        height = self.frame_in_base(wheel)[2]
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
        position, orientation = self.world.root_from_com(self.body, *self.world.call(
            pybullet.getBasePositionAndOrientation, self.body))
        return np.array(position), np.array(orientation)

    def frame_in_base(self, link: int) -> np.ndarray:
        """Return a link frame's origin in the root link's frame."""
        base_position, base_orientation = self.link_pose(-1)
        position = self.link_pose(link)[0]
        return np.array(rotate(base_orientation, position - base_position, into_frame=True))

    def link_state(self, link: int) -> BodyState:
        """Return the exact pose and velocity of a link frame, velocities in its own axes."""
        if link >= 0:
            state = pybullet.getLinkState(self.body, link, computeLinkVelocity=1,
                                          physicsClientId=self.world.client)
            position, orientation, angular = state[4], state[5], state[7]
            # The reported velocity is the centre of mass's; move it to the frame's origin.
            linear = origin_velocity(state[6], angular, position, state[0])
        else:
            position, orientation, linear, angular = self.world.root_state(self.name)
        r = pybullet.getMatrixFromQuaternion(orientation)   # once for both velocities
        return BodyState(np.array(position), np.array(orientation),
                         np.array(transform(r, linear, into_frame=True)),
                         np.array(transform(r, angular, into_frame=True)))

    def wheel_angles(self) -> tuple[float, float]:
        """Return the (left, right) wheel angles, rad, positive rolling forward."""
        # Straight to PyBullet (not World.call), arguments by position (keywords cost 10 %
        # of the call): the drive reads the wheels every step.
        left, right = pybullet.getJointStates(self.body, self.wheels, self.world.client)
        return self.wheel_signs[0] * left[0], self.wheel_signs[1] * right[0]

    def wheel_joint_states(self) -> tuple[list, list]:
        """Return the wheel joints' own (URDF-sign) positions and velocities, in one read."""
        # Straight to PyBullet: the bridge publishes the joints with every odometry update.
        left, right = pybullet.getJointStates(self.body, self.wheels, self.world.client)
        return [left[0], right[0]], [left[1], right[1]]

    # -- commands -----------------------------------------------------------------------

    def set_command(self, linear: float, angular: float) -> None:
        """Request a body twist (m/s, rad/s); it holds until the next request."""
        self.command = (linear, angular)

    def apply(self, dt: float) -> None:
        """Send the wheel speeds and angles for the end of this step to the servos."""
        applied = self.limiter.update(*self.command, dt)
        if applied != self.applied:   # a steady drive asks the same wheel speeds every step
            self.applied = applied
            self.wheel_speeds = body_to_wheels(*applied, self.wheel_radius,
                                               self.wheel_separation)
        left, right = self.wheel_speeds
        if self.actuated:
            left, right = self.actuators[0].update(left, dt), self.actuators[1].update(right, dt)
        if self.faulted:
            # A seized motor (speed scale 0) holds its wheel whatever the actuator asks.
            left, right = left * self.wheel_speed_scales[0], right * self.wheel_speed_scales[1]
        self.wheels_commanded = bool(left or right)
        driving = self.wheels_commanded and self.command != (0.0, 0.0)
        left_angle, right_angle = self.wheel_angles()
        left_sign, right_sign = self.wheel_signs
        left_held = servo_hold_angle(self.servo_targets[0], left_angle, SERVO_MAX_LAG)
        right_held = servo_hold_angle(self.servo_targets[1], right_angle, SERVO_MAX_LAG)
        motors = ((left_sign * left_held, right_sign * right_held),
                  (left_sign * left, right_sign * right),
                  DRIVING_GAINS if driving else SERVO_GAINS, self.motor_torques)
        # PyBullet keeps the motors' settings: a wheel held still needs no new ones.
        if motors != self.motors_sent:
            positions, velocities, gains, torques = motors
            # By position (bodyUniqueId, jointIndices, controlMode, targetPositions,
            # targetVelocities, forces, positionGains, velocityGains, physicsClientId): with
            # keywords, parsing them is half the call's cost, and a driving robot calls
            # every step.
            pybullet.setJointMotorControlArray(
                self.body, self.wheels, POSITION_CONTROL, positions, velocities, torques, gains,
                VELOCITY_GAINS, self.world.client)
            self.motors_sent = motors
        self.servo_targets = [left_held + left * dt, right_held + right * dt]

    def after_step(self, dt: float) -> None:
        """Bound the body's speed, and hold it where it came to rest (after a physics step)."""
        linear, angular = self._bound_speed(
            *pybullet.getBaseVelocity(self.body, self.world.client))
        if self.wheels_commanded or math.hypot(*linear) >= STILL_SPEED or \
                math.hypot(*angular) >= STILL_TURN_RATE:
            self.still_for, self.rest_pose = 0.0, None
            return
        self.still_for += dt
        if self.still_for < STILL_BEFORE_REST:
            return
        if self.rest_pose is None:
            self.rest_pose = self.world.call(pybullet.getBasePositionAndOrientation, self.body)
        else:
            self._hold_at_rest()

    def _hold_at_rest(self) -> None:
        """
        Put the body back where it came to rest, without velocity.

        PyBullet's friction acts on velocities only, so a body standing on its held wheels
        slides off by micrometres per second (20 cm an hour). Held like this it stands still
        as static friction holds a real robot; a command, or a push that moves it faster than
        :data:`STILL_SPEED`, lets it go.
        """
        self.world.call(pybullet.resetBasePositionAndOrientation, self.body, *self.rest_pose)
        self.world.call(pybullet.resetBaseVelocity, self.body, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))

    def _bound_speed(self, linear, angular) -> tuple:
        """
        Take out of the body any speed beyond the limits; return the velocities it keeps.

        Pressed against an obstacle, the body can pivot about the contact faster than its
        wheels drive it (a rigid, frictional contact in PyBullet), and the twin would turn
        faster than the robot it mirrors can. Speeds within :data:`SPEED_BOUND_SLACK` of the
        limits are left alone.
        """
        planar, turn_rate = math.hypot(linear[0], linear[1]), abs(angular[2])
        if planar <= self.speed_bounds[0] and turn_rate <= self.speed_bounds[1]:
            return linear, angular
        linear_scale = min(1.0, self.speed_bounds[0] / planar)
        angular_scale = min(1.0, self.speed_bounds[1] / turn_rate)
        linear = (linear[0] * linear_scale, linear[1] * linear_scale, linear[2])
        angular = (angular[0], angular[1], angular[2] * angular_scale)
        self.world.call(pybullet.resetBaseVelocity, self.body, linear, angular)
        self.speed_bound_count += 1
        return linear, angular

    def set_motor_dynamics(self, time_constant: float, dead_time: float) -> None:
        """
        Give both wheel motors a new response, at rest (an episode's drawn drive).

        :param time_constant: each wheel speed's first-order time constant, s (0: none)
        :param dead_time: from a wheel speed command to the motor's first response, s (0: none)
        """
        self.actuators = [WheelActuator(time_constant, dead_time) for _ in self.wheels]
        self.actuated = time_constant > 0.0 or dead_time > 0.0

    def reset_commands(self) -> None:
        """Drop the request and the limiter's and actuators' memory; hold the wheels still."""
        self.command = self.applied = self.wheel_speeds = (0.0, 0.0)
        self.limiter.reset()
        for actuator in self.actuators:
            actuator.reset()
        self.servo_targets = list(self.wheel_angles())
        self.motors_sent = None   # the motor settings last sent; None: send them (world restored)
        self.wheels_commanded, self.still_for, self.rest_pose = False, 0.0, None

    # -- injected faults, per wheel (0: left, 1: right) ----------------------------------

    wheel_speed_scales = (1.0, 1.0)    # of each wheel's commanded speed; 0 holds it still
    wheel_torque_scales = (1.0, 1.0)   # of each wheel motor's torque limit
    faulted = False                    # a wheel's commanded speed is scaled

    @cached_property
    def loaded_wheel_friction(self) -> tuple[float, float]:
        """Return the wheels' lateral friction coefficients as loaded from the description."""
        return tuple(self.world.call(pybullet.getDynamicsInfo, self.body, joint)[1]
                     for joint in self.wheels)

    def set_wheel_traction(self, wheel: int, scale: float) -> None:
        """Scale a wheel's friction with the ground (a slipping wheel); 1 restores it."""
        self.world.call(pybullet.changeDynamics, self.body, self.wheels[wheel],
                        lateralFriction=self.loaded_wheel_friction[wheel] * scale)

    def set_wheel_motor(self, wheel: int, torque_scale: float = 1.0,
                        speed_scale: float = 1.0) -> None:
        """
        Weaken or seize a wheel's motor; the defaults restore it.

        :param torque_scale: of the torque limit (0: a dead, free-wheeling motor)
        :param speed_scale: of the commanded speed (0 with full torque: a seized motor)
        """
        torques, speeds = list(self.wheel_torque_scales), list(self.wheel_speed_scales)
        torques[wheel], speeds[wheel] = torque_scale, speed_scale
        self.wheel_torque_scales, self.wheel_speed_scales = tuple(torques), tuple(speeds)
        self.motor_torques = tuple(torque * scale for torque, scale
                                   in zip(self.wheel_torques, self.wheel_torque_scales))
        self.faulted = self.wheel_speed_scales != (1.0, 1.0)
