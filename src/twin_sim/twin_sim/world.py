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

"""One PyBullet client: a fixed physics step, deterministic settings, and bodies by name."""

from dataclasses import dataclass
import math
from pathlib import Path
import tempfile

import numpy as np
import pybullet

from twin_sim.description import DescriptionError
from twin_sim.fields import check_fields, ranged

Vector = tuple[float, float, float]
# Boxes in one static mesh body: PyBullet takes at most 131072 vertices and 524288 indices.
BOXES_PER_BODY = 14_000
# A box's 8 corners (in units of its half extents) and its 12 triangles, wound outwards.
BOX_CORNERS = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
BOX_TRIANGLES = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
                          [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]])


def origin_velocity(com_velocity: Vector, angular: Vector, origin: Vector,
                    com: Vector) -> Vector:
    """
    Return the world velocity of a frame's origin on a body, m/s, in plain floats.

    PyBullet reports the velocity of a link's centre of mass; a frame's origin elsewhere on
    the link moves with ``w x (origin - com)`` more.

    :param com_velocity: the centre of mass's linear velocity, m/s, world axes
    :param angular: the link's angular velocity, rad/s, world axes
    :param origin: the frame's origin and ``com`` the centre of mass, m, world
    """
    dx, dy, dz = origin[0] - com[0], origin[1] - com[1], origin[2] - com[2]
    wx, wy, wz = angular
    return (com_velocity[0] + (wy * dz - wz * dy), com_velocity[1] + (wz * dx - wx * dz),
            com_velocity[2] + (wx * dy - wy * dx))


@dataclass(frozen=True)
class PhysicsConfig:
    """
    How the world is simulated.

    :param step: physics time step, s (default 1/240 s, PyBullet's own)
    :param gravity: m/s^2, acting along -z
    :param solver_iterations: constraint solver iterations per step
    :param gui: open PyBullet's window instead of running headless (DIRECT)
    """

    step: float = ranged(1.0 / 240.0, 1e-4, 0.05)
    gravity: float = ranged(9.81, 0.0, 100.0)
    solver_iterations: int = ranged(50, 1, 1000)
    gui: bool = False

    def __post_init__(self):
        """Refuse physics settings out of range at construction."""
        check_fields(self, 'physics')


@dataclass(frozen=True)
class Pose:
    """A pose in the world: position in m, orientation as yaw/pitch/roll in rad."""

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0

    def quaternion(self) -> tuple[float, float, float, float]:
        """Return the orientation as a PyBullet (x, y, z, w) quaternion."""
        return pybullet.getQuaternionFromEuler((self.roll, self.pitch, self.yaw))

    def position(self) -> Vector:
        """Return the position."""
        return self.x, self.y, self.z


def box_mesh(centres: np.ndarray, sizes: np.ndarray) -> tuple[list, list]:
    """Return the vertices and triangle indices of boxes, as PyBullet's mesh shapes take them."""
    vertices = centres[:, np.newaxis, :] + sizes[:, np.newaxis, :] / 2.0 * BOX_CORNERS
    indices = BOX_TRIANGLES + 8 * np.arange(len(centres))[:, np.newaxis, np.newaxis]
    return vertices.reshape(-1, 3).tolist(), indices.ravel().tolist()


class World:
    """
    Own one PyBullet physics client.

    Everything added gets a unique name; PyBullet ids stay inside. ``save()`` and
    ``restore()`` bracket the state a reset returns to.
    """

    def __init__(self, config: PhysicsConfig = PhysicsConfig()):
        """
        Connect a new PyBullet client and configure it.

        :param config: step, gravity, solver and window settings
        """
        self.config = config
        self.client = pybullet.connect(pybullet.GUI if config.gui else pybullet.DIRECT)
        self.bodies: dict[str, int] = {}
        self._com_to_root: dict[int, tuple] = {}   # a body's root frame in its inertial frame
        self._saved_state = None
        self.call(pybullet.setGravity, 0.0, 0.0, -config.gravity)
        self.call(pybullet.setTimeStep, config.step)
        # Same inputs, same outputs: fixed solver work and a stable contact-pair order.
        self.call(pybullet.setPhysicsEngineParameter, numSolverIterations=config.solver_iterations,
                  deterministicOverlappingPairs=1, numSubSteps=0)

    def call(self, function, *args, **kwargs):
        """Call a PyBullet function on this world's client."""
        return function(*args, physicsClientId=self.client, **kwargs)

    def close(self) -> None:
        """Disconnect from PyBullet; the world is unusable afterwards."""
        if self.client >= 0:
            pybullet.disconnect(physicsClientId=self.client)
            self.client = -1

    def step(self, count: int = 1) -> None:
        """Advance the physics by ``count`` fixed steps."""
        for _ in range(count):
            pybullet.stepSimulation(physicsClientId=self.client)

    def save(self) -> None:
        """Remember the current state as the one ``restore()`` returns to (forget the last)."""
        if self._saved_state is not None:
            self.call(pybullet.removeState, self._saved_state)
        self._saved_state = self.call(pybullet.saveState)

    def restore(self) -> None:
        """Return every body to the state remembered by ``save()``."""
        self.call(pybullet.restoreState, stateId=self._saved_state)

    def _register(self, name: str, body: int) -> int:
        if name in self.bodies:
            raise ValueError(f'a body named {name!r} already exists in the world')
        self.bodies[name] = body
        return body

    def _set_friction(self, body: int, friction: float | None) -> None:
        if friction is not None:
            for link in range(-1, self.call(pybullet.getNumJoints, body)):
                self.call(pybullet.changeDynamics, body, link, lateralFriction=friction)

    def add_ground(self, name: str = 'ground', friction: float = 1.0) -> int:
        """Add an infinite ground plane at z = 0."""
        shape = self.call(pybullet.createCollisionShape, pybullet.GEOM_PLANE)
        body = self.call(pybullet.createMultiBody, 0.0, shape)
        self._set_friction(body, friction)
        return self._register(name, body)

    def _add_shape(self, name, pose, mass, friction, color, geometry, **dimensions) -> int:
        collision = self.call(pybullet.createCollisionShape, geometry, **dimensions)
        visual = self.call(pybullet.createVisualShape, geometry, rgbaColor=color,
                           **{k.replace('height', 'length'): v for k, v in dimensions.items()})
        body = self.call(pybullet.createMultiBody, mass, collision, visual,
                         basePosition=pose.position(), baseOrientation=pose.quaternion())
        self._set_friction(body, friction)
        return self._register(name, body)

    def add_box(self, name: str, size: Vector, pose: Pose, mass: float = 0.0,
                friction: float | None = None, color=(0.6, 0.6, 0.6, 1.0)) -> int:
        """
        Add a box; ``mass`` 0 makes it static.

        :param size: full edge lengths (x, y, z), m
        :param pose: pose of the box centre
        """
        return self._add_shape(name, pose, mass, friction, color, pybullet.GEOM_BOX,
                               halfExtents=[s / 2.0 for s in size])

    def add_cylinder(self, name: str, radius: float, height: float, pose: Pose,
                     mass: float = 0.0, friction: float | None = None,
                     color=(0.6, 0.6, 0.6, 1.0)) -> int:
        """Add an upright cylinder; ``pose`` is its centre."""
        return self._add_shape(name, pose, mass, friction, color, pybullet.GEOM_CYLINDER,
                               radius=radius, height=height)

    def add_static_boxes(self, name: str, centres: np.ndarray, sizes: np.ndarray, pose: Pose,
                         friction: float | None = None, color=(0.6, 0.6, 0.6, 1.0)) -> list[str]:
        """
        Add many static boxes as a few triangle-mesh bodies (one body each would take minutes).

        A compound shape would keep only 16 boxes and a multibody 128 links, so the boxes
        become one static mesh per ``BOXES_PER_BODY``, which PyBullet ray-tests through a BVH.

        :param centres: (n, 3) box centres in the frame of ``pose``, m
        :param sizes: (n, 3) full edge lengths, m
        :param pose: the frame the boxes are given in
        :return: the names of the bodies, ``<name>_0``, ``<name>_1``, ...
        """
        names = []
        for first in range(0, len(centres), BOXES_PER_BODY):
            part = slice(first, first + BOXES_PER_BODY)
            vertices, indices = box_mesh(np.asarray(centres[part]), np.asarray(sizes[part]))
            collision = self.call(pybullet.createCollisionShape, pybullet.GEOM_MESH,
                                  vertices=vertices, indices=indices,
                                  flags=pybullet.GEOM_FORCE_CONCAVE_TRIMESH)
            visual = self.call(pybullet.createVisualShape, pybullet.GEOM_MESH,
                               vertices=vertices, indices=indices, rgbaColor=color)
            body = self.call(pybullet.createMultiBody, 0.0, collision, visual,
                             basePosition=pose.position(), baseOrientation=pose.quaternion())
            self._set_friction(body, friction)
            names.append(f'{name}_{len(names)}')
            self._register(names[-1], body)
        return names

    def add_mesh(self, name: str, filename: str, pose: Pose, scale: Vector = (1.0, 1.0, 1.0),
                 mass: float = 0.0, friction: float | None = None) -> int:
        """Add a mesh (OBJ, STL) as a static, or with ``mass``, dynamic body."""
        if not Path(filename).is_file():
            raise DescriptionError(f'{filename}: mesh not found')
        collision = self.call(pybullet.createCollisionShape, pybullet.GEOM_MESH,
                              fileName=filename, meshScale=scale)
        visual = self.call(pybullet.createVisualShape, pybullet.GEOM_MESH,
                           fileName=filename, meshScale=scale)
        body = self.call(pybullet.createMultiBody, mass, collision, visual,
                         basePosition=pose.position(), baseOrientation=pose.quaternion())
        self._set_friction(body, friction)
        return self._register(name, body)

    def add_model(self, name: str, filename: str, pose: Pose = Pose(), fixed: bool = True,
                  friction: float | None = None) -> int:
        """Add a URDF or SDF model file (an SDF's first model)."""
        if not Path(filename).is_file():
            raise DescriptionError(f'{filename}: model file not found')
        try:
            if filename.endswith('.sdf'):
                body = self.call(pybullet.loadSDF, filename)[0]
                self.call(pybullet.resetBasePositionAndOrientation, body, pose.position(),
                          pose.quaternion())
            else:
                body = self.call(pybullet.loadURDF, filename, pose.position(),
                                 pose.quaternion(), useFixedBase=fixed)
        except pybullet.error as error:
            raise DescriptionError(f'{filename}: PyBullet could not load it: {error}') from None
        self._set_friction(body, friction)
        return self._register(name, body)

    def load_urdf_text(self, name: str, urdf: str, pose: Pose) -> int:
        """Load a robot from URDF text (file references already absolute)."""
        with tempfile.NamedTemporaryFile('w', suffix='.urdf') as file:
            file.write(urdf)
            file.flush()
            try:
                body = self.call(pybullet.loadURDF, file.name, pose.position(),
                                 pose.quaternion(), flags=pybullet.URDF_USE_INERTIA_FROM_FILE |
                                 pybullet.URDF_USE_IMPLICIT_CYLINDER)
            except pybullet.error as error:
                raise DescriptionError(f'robot {name!r}: PyBullet could not load the URDF: '
                                       f'{error}') from None
        return self._register(name, body)

    def place(self, name: str, pose: Pose) -> None:
        """Put a body's root link frame at ``pose``, at rest (PyBullet moves centres of mass)."""
        body = self.bodies[name]
        local = self.call(pybullet.getDynamicsInfo, body, -1)[3:5]
        position, orientation = self.call(pybullet.multiplyTransforms, pose.position(),
                                          pose.quaternion(), *local)
        self.call(pybullet.resetBasePositionAndOrientation, body, position, orientation)
        self.call(pybullet.resetBaseVelocity, body, (0, 0, 0), (0, 0, 0))

    def remove(self, name: str) -> None:
        """Remove a body by name."""
        body = self.bodies.pop(name)
        self.call(pybullet.removeBody, body)
        self._com_to_root.pop(body, None)   # PyBullet may give the id to a new body

    def contact_count(self, first: str, second: str) -> int:
        """Return how many contact points two named bodies have now."""
        return len(self.call(pybullet.getContactPoints, self.bodies[first],
                             self.bodies[second]))

    def distance(self, first: str, second: str, max_distance: float = 10.0) -> float:
        """Return the closest distance between two named bodies (inf beyond ``max_distance``)."""
        points = self.call(pybullet.getClosestPoints, self.bodies[first], self.bodies[second],
                           max_distance)
        return min((p[8] for p in points), default=math.inf)

    def body_count(self) -> int:
        """Return how many bodies the physics holds (named or not), for leak watching."""
        return self.call(pybullet.getNumBodies)

    def overlapping(self, name: str, ignore: tuple[str, ...] = ('ground',)) -> list[str]:
        """Return the names of the bodies a named body touches or penetrates now."""
        body = self.bodies[name]
        return [other for other, other_body in self.bodies.items()
                if other != name and other not in ignore and
                self.call(pybullet.getClosestPoints, body, other_body, 0.0)]

    def extent(self, exclude: set[str]) -> tuple[Vector, Vector] | None:
        """Return the lowest and highest corners of the bodies not excluded, or None."""
        boxes = [self.call(pybullet.getAABB, body) for name, body in self.bodies.items()
                 if name not in exclude]
        if not boxes:
            return None
        return (tuple(min(box[0][k] for box in boxes) for k in range(3)),
                tuple(max(box[1][k] for box in boxes) for k in range(3)))

    def body_state(self, name: str) -> tuple:
        """Return a body's base pose and velocity, for :meth:`set_body_state`."""
        body = self.bodies[name]
        return (*self.call(pybullet.getBasePositionAndOrientation, body),
                *self.call(pybullet.getBaseVelocity, body))

    def set_body_state(self, name: str, state: tuple) -> None:
        """Put a body back to a state :meth:`body_state` returned."""
        body = self.bodies[name]
        self.call(pybullet.resetBasePositionAndOrientation, body, state[0], state[1])
        self.call(pybullet.resetBaseVelocity, body, state[2], state[3])

    # -- per-episode variations -----------------------------------------------------------

    def friction(self, name: str) -> float:
        """Return the lateral friction coefficient of a body's root link."""
        return self.call(pybullet.getDynamicsInfo, self.bodies[name], -1)[1]

    def set_friction(self, name: str, friction: float) -> None:
        """Set the lateral friction coefficient of every link of a body."""
        self._set_friction(self.bodies[name], friction)

    def dynamics(self, name: str) -> list[tuple[float, Vector]]:
        """Return each link's (mass kg, inertia diagonal kg m^2), root link first."""
        body = self.bodies[name]
        return [tuple(self.call(pybullet.getDynamicsInfo, body, link)[0:3:2])
                for link in range(-1, self.call(pybullet.getNumJoints, body))]

    def set_dynamics(self, name: str, links: list[tuple[float, Vector]]) -> None:
        """Set each link's mass and inertia diagonal, in the order :meth:`dynamics` gives."""
        body = self.bodies[name]
        for link, (mass, inertia) in enumerate(links, start=-1):
            self.call(pybullet.changeDynamics, body, link, mass=mass,
                      localInertiaDiagonal=inertia)

    def pose(self, name: str) -> Pose:
        """Return the pose of a body's root link frame (yaw only of its orientation)."""
        body = self.bodies[name]
        position, orientation = self.root_from_com(
            body, *self.call(pybullet.getBasePositionAndOrientation, body))
        roll, pitch, yaw = self.call(pybullet.getEulerFromQuaternion, orientation)
        return Pose(*position, yaw=yaw, pitch=pitch, roll=roll)

    def root_from_com(self, body: int, com_position, com_orientation) -> tuple[Vector, tuple]:
        """Return a body's root link frame from its centre of mass's pose (PyBullet's base)."""
        com_to_root = self._com_to_root.get(body)
        if com_to_root is None:
            # Fixed when the body is loaded (no PyBullet call changes it); ground truth needs
            # it at every reading.
            local = self.call(pybullet.getDynamicsInfo, body, -1)[3:5]
            com_to_root = self._com_to_root[body] = self.call(pybullet.invertTransform, *local)
        return self.call(pybullet.multiplyTransforms, com_position, com_orientation,
                         *com_to_root)

    # -- bodies moved, added and removed at run time (simulation_interfaces) -------------

    def _is_plane(self, body: int) -> bool:
        shapes = self.call(pybullet.getCollisionShapeData, body, -1)
        return any(shape[2] == pybullet.GEOM_PLANE for shape in shapes)

    def root_state(self, name: str) -> tuple[Vector, tuple, Vector, Vector]:
        """
        Return body ``name``'s root frame: position, quaternion, and velocities in the world.

        :return: position (m), (x, y, z, w) quaternion, linear velocity of the frame's origin
            (m/s) and angular velocity (rad/s), both in world axes
        """
        body = self.bodies[name]
        com, com_orientation = self.call(pybullet.getBasePositionAndOrientation, body)
        position, orientation = self.root_from_com(body, com, com_orientation)
        linear, angular = self.call(pybullet.getBaseVelocity, body)
        return (tuple(position), tuple(orientation),
                origin_velocity(linear, angular, position, com), tuple(angular))

    def set_velocity(self, name: str, linear: Vector, angular: Vector) -> None:
        """Set body ``name``'s base velocities (world axes, m/s and rad/s)."""
        self.call(pybullet.resetBaseVelocity, self.bodies[name], linear, angular)

    def is_static(self, name: str) -> bool:
        """Tell whether body ``name`` has no mass (PyBullet never moves it)."""
        return self.call(pybullet.getDynamicsInfo, self.bodies[name], -1)[0] == 0.0

    def aabb(self, name: str) -> tuple[Vector, Vector]:
        """
        Return the (min, max) corners of the box around every link of body ``name``.

        A ground plane (the world format's only plane: horizontal) is the half-space below it.
        """
        body = self.bodies[name]
        if self._is_plane(body):
            height = self.call(pybullet.getBasePositionAndOrientation, body)[0][2]
            return (-math.inf, -math.inf, -math.inf), (math.inf, math.inf, height)
        boxes = [self.call(pybullet.getAABB, body, link)
                 for link in range(-1, self.call(pybullet.getNumJoints, body))]
        return (tuple(min(box[0][i] for box in boxes) for i in range(3)),
                tuple(max(box[1][i] for box in boxes) for i in range(3)))
