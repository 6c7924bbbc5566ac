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
The ROS 2 standard for controlling a simulator (``simulation_interfaces``), served by the twin.

Names follow Gazebo's ``/gzserver/<snake_case>``: every service and the action live under the
node's private namespace (``/twin_bridge/get_entities``, ...). What the twin does not support
is not served, and :data:`FEATURES` says truthfully what is. The rules each call follows are in
``src/twin_bridge/README.md``; the core does the work (:mod:`twin_sim.entities`).
"""

from dataclasses import dataclass
import math
from pathlib import Path
import re
import time

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from geometry_msgs.msg import Pose as PoseMsg
from rclpy.action import ActionServer, CancelResponse
from simulation_interfaces.action import SimulateSteps
from simulation_interfaces.msg import (Bounds, Result, SimulationState, SimulatorFeatures,
                                       Spawnable)
from simulation_interfaces.srv import (DeleteEntity, GetEntities, GetEntityState,
                                       GetSimulationState, GetSimulatorFeatures, GetSpawnables,
                                       ResetSimulation, SetEntityState, SetSimulationState,
                                       SpawnEntity, StepSimulation)
from twin_bridge import conversions
from twin_bridge.robot_drivers import reported
from twin_sim.entities import (checked_pose, place_checked, PoseError, SPAWN_FORMATS,
                               spawn_source, Spawner, SpawnError, world_objects)

MAX_STEPS_PER_CALL = 1_000_000   # as sim/step's step_count: one call must not stall the node
QUIT_DELAY_S = 0.5               # lets the QUITTING response reach the caller before the exit
WORLD_FRAMES = ('', 'world')
NAME_PATTERN = re.compile(r'[A-Za-z0-9_][A-Za-z0-9_.\-]*')

FEATURES = [
    SimulatorFeatures.SPAWNING, SimulatorFeatures.DELETING,
    SimulatorFeatures.ENTITY_BOUNDS_BOX, SimulatorFeatures.SPAWNING_RESOURCE_STRING,
    SimulatorFeatures.ENTITY_STATE_GETTING, SimulatorFeatures.ENTITY_STATE_SETTING,
    SimulatorFeatures.SPAWNABLES,
    SimulatorFeatures.SIMULATION_RESET, SimulatorFeatures.SIMULATION_RESET_STATE,
    SimulatorFeatures.SIMULATION_RESET_SPAWNED,
    SimulatorFeatures.SIMULATION_STATE_GETTING, SimulatorFeatures.SIMULATION_STATE_SETTING,
    SimulatorFeatures.SIMULATION_STATE_PAUSE,
    SimulatorFeatures.STEP_SIMULATION_SINGLE, SimulatorFeatures.STEP_SIMULATION_MULTIPLE,
    SimulatorFeatures.STEP_SIMULATION_ACTION,
]
CUSTOM_INFO = (
    'twin: a PyBullet digital twin of a TurtleBot3-class robot (src/twin_bridge/README.md). '
    'Reset never rewinds /clock (no SCOPE_TIME). Spawned bodies are passive (no drivers). '
    'Spawn formats: urdf and xacro files or URDF text; twin_world: one object of the twin '
    'world format, as FILE.yaml#OBJECT or YAML text such as "box: {size: [0.2, 0.2, 0.2]}". '
    'Poses and twists are in the world frame.')

SPAWN_CODES = {'no_resource': SpawnEntity.Response.NO_RESOURCE,
               'not_found': Result.RESULT_NOT_FOUND,
               'unsupported_format': SpawnEntity.Response.UNSUPPORTED_FORMAT,
               'parse_error': SpawnEntity.Response.RESOURCE_PARSE_ERROR}
SCOPE_STATE_AND_SPAWNED = ResetSimulation.Request.SCOPE_STATE | \
    ResetSimulation.Request.SCOPE_SPAWNED


class Refusal(Exception):
    """A call refused with a result code of the specification; the message says why."""

    def __init__(self, code: int, message: str):
        """Keep the code for the response."""
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Entity:
    """A body of the world as the standard names it; ``robot`` is its index, or None."""

    body: str
    robot: int | None


class NextSpin:
    """Awaited in a coroutine callback: hand the executor back until its next spin."""

    def __await__(self):
        """Suspend once; rclpy resumes the task on the executor's next round."""
        yield


class SimulationInterfacesServer:
    """Serve ``simulation_interfaces`` for a bridge node: its twin, its time, its robots."""

    def __init__(self, node):
        """
        Create the services and the action on ``node`` (a BridgeNode).

        :param node: gives ``twin``, ``drivers``, ``paused``, ``halted``, ``sim_ns``,
            ``set_paused()``, ``reset_state()`` and ``advance()``
        """
        self.node = node
        self.spawner = Spawner(node.twin)
        self.stopped = False
        self.quit_at = None
        services = {
            GetSimulatorFeatures: self.on_get_features, GetSimulationState: self.on_get_state,
            SetSimulationState: self.on_set_state, ResetSimulation: self.on_reset,
            StepSimulation: self.on_step, GetEntities: self.on_get_entities,
            GetEntityState: self.on_get_entity_state, SetEntityState: self.on_set_entity_state,
            SpawnEntity: self.on_spawn, DeleteEntity: self.on_delete,
            GetSpawnables: self.on_get_spawnables,
        }
        for service_type, callback in services.items():
            node.create_service(service_type, '~/' + _snake(service_type.__name__),
                                self._answering(callback))
        self.action = ActionServer(node, SimulateSteps, '~/simulate_steps',
                                   execute_callback=self.simulate_steps,
                                   cancel_callback=lambda goal: CancelResponse.ACCEPT)

    def destroy(self) -> None:
        """Destroy the action server: ``destroy_node`` leaves waitables to the collector."""
        self.action.destroy()

    def _answering(self, callback):
        """Wrap a handler: a Refusal becomes the response's result code and message."""
        @reported
        def handle(node, request, response):
            try:
                callback(request, response)
                if hasattr(response, 'result'):   # GetSimulatorFeatures has none
                    response.result.result = Result.RESULT_OK
            except Refusal as refusal:
                response.result.result = refusal.code
                response.result.error_message = str(refusal)
            return response
        return lambda request, response: handle(self.node, request, response)

    # -- the simulation -----------------------------------------------------------------

    def state(self) -> int:
        """Return the SimulationState the twin is in."""
        if not self.node.paused:
            self.stopped = False   # sim/pause resumed it
            return SimulationState.STATE_PLAYING
        return SimulationState.STATE_STOPPED if self.stopped else SimulationState.STATE_PAUSED

    def reset_world(self, keep_spawned: bool, reset_state: bool = True) -> None:
        """Restore the initial state (robots, world, commands); time keeps running."""
        if reset_state:
            self.spawner.reset(self.node.reset_state, keep_spawned)
        elif not keep_spawned:
            for name in list(self.spawner.builders):
                self.spawner.delete(name)

    def quit_due(self) -> bool:
        """Tell whether a QUITTING request has come and its response has had time to go."""
        return self.quit_at is not None and time.monotonic() >= self.quit_at

    def on_get_features(self, request, response) -> None:
        """Say what the twin supports."""
        response.features = SimulatorFeatures(features=FEATURES, spawn_formats=SPAWN_FORMATS,
                                              custom_info=CUSTOM_INFO)

    def on_get_state(self, request, response) -> None:
        """Report playing, paused or stopped."""
        response.state.state = self.state()

    def on_set_state(self, request, response) -> None:
        """Play, pause, stop (pause and reset) or quit."""
        wanted, now = request.state.state, self.state()
        states = SimulationState
        if wanted == now:
            raise Refusal(SetSimulationState.Response.ALREADY_IN_TARGET_STATE,
                          f'already {_state_name(now)}')
        if wanted == states.STATE_PLAYING:
            self.stopped = False
            self.node.set_paused(False)
        elif wanted == states.STATE_PAUSED:
            if now == states.STATE_STOPPED:
                raise Refusal(SetSimulationState.Response.INCORRECT_TRANSITION,
                              'cannot pause a stopped simulation: play it first, or step it')
            self.node.set_paused(True)
        elif wanted == states.STATE_STOPPED:
            self.node.set_paused(True)
            self.reset_world(keep_spawned=False)
            self.stopped = True
        elif wanted == states.STATE_QUITTING:
            self.node.set_paused(True)
            self.quit_at = time.monotonic() + QUIT_DELAY_S
            self.node.get_logger().info('quitting: asked through set_simulation_state')
        else:
            raise Refusal(Result.RESULT_FEATURE_UNSUPPORTED,
                          f'state {wanted} ({_state_name(wanted)}) is not supported: the twin '
                          'has one world, loaded at start')

    def on_reset(self, request, response) -> None:
        """Reset the state, the spawned bodies or both; the clock never goes back."""
        scope = request.scope
        if scope in (ResetSimulation.Request.SCOPE_DEFAULT, ResetSimulation.Request.SCOPE_ALL):
            scope = SCOPE_STATE_AND_SPAWNED
        if scope & ~SCOPE_STATE_AND_SPAWNED:
            raise Refusal(Result.RESULT_FEATURE_UNSUPPORTED,
                          f'scope {request.scope}: the twin resets SCOPE_STATE and '
                          'SCOPE_SPAWNED; it never rewinds time (SCOPE_TIME), /clock continues')
        self.reset_world(keep_spawned=not scope & ResetSimulation.Request.SCOPE_SPAWNED,
                         reset_state=bool(scope & ResetSimulation.Request.SCOPE_STATE))

    def _check_steppable(self, steps: int) -> None:
        if self.node.halted:
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'{self.node.halted}: reset the simulation first')
        if not self.node.paused:
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          'the simulation is playing: pause it first')
        if steps > MAX_STEPS_PER_CALL:
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'{steps} steps: at most {MAX_STEPS_PER_CALL} per call')
        self.stopped = False

    def on_step(self, request, response) -> None:
        """While paused, advance ``steps`` physics steps; respond when they are done."""
        self._check_steppable(request.steps)
        for _ in range(request.steps):
            self.node.advance()

    async def simulate_steps(self, goal_handle):
        """While paused, advance the goal's steps one by one, with feedback after each."""
        result = SimulateSteps.Result()
        steps = goal_handle.request.steps
        try:
            self._check_steppable(steps)
        except Refusal as refusal:
            goal_handle.abort()
            result.result = Result(result=refusal.code, error_message=str(refusal))
            return result
        feedback = SimulateSteps.Feedback()
        for done in range(1, steps + 1):
            if goal_handle.is_cancel_requested or not self.node.paused or self.node.halted:
                return self._stopped_early(goal_handle, done - 1, steps)
            self.node.advance()
            feedback.completed_steps, feedback.remaining_steps = done, steps - done
            goal_handle.publish_feedback(feedback)
            await NextSpin()   # let cancel requests, services and commands in between steps
        goal_handle.succeed()
        result.result.result = Result.RESULT_OK
        return result

    def _stopped_early(self, goal_handle, done: int, steps: int):
        result = SimulateSteps.Result()
        if goal_handle.is_cancel_requested:
            goal_handle.canceled()
            result.result = Result(result=Result.RESULT_OK,
                                   error_message=f'canceled after {done} of {steps} steps')
        else:
            goal_handle.abort()
            result.result = Result(result=Result.RESULT_OPERATION_FAILED, error_message=(
                f'stopped after {done} of {steps} steps: the simulation '
                f'{"halted" if self.node.halted else "was resumed"}'))
        return result

    # -- entities -----------------------------------------------------------------------

    def entities(self) -> dict[str, Entity]:
        """Return every entity by its name: the robots under their bridge names, then bodies."""
        robots = {drivers.name or 'robot': Entity(robot.robot.name, index) for index, (
            drivers, robot) in enumerate(zip(self.node.drivers, self.node.twin.robots))}
        robot_bodies = {entity.body for entity in robots.values()}
        bodies = {name: Entity(name, None) for name in self.node.twin.world.bodies
                  if name not in robot_bodies}
        return {**robots, **bodies}

    def _entity(self, name: str) -> Entity:
        entity = self.entities().get(name)
        if entity is None:
            raise Refusal(Result.RESULT_NOT_FOUND, f'no entity named {name!r}')
        return entity

    def on_get_entities(self, request, response) -> None:
        """List the entities whose names match the filter and that overlap the bounds."""
        filters = request.filters
        if filters.categories or filters.tags.tags:
            raise Refusal(Result.RESULT_FEATURE_UNSUPPORTED,
                          'entity categories and tags are not supported')
        try:
            pattern = re.compile(filters.filter)
        except re.error as error:
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'filter {filters.filter!r} is not a regular expression: {error}')
        overlaps = _bounds_test(filters.bounds)
        world = self.node.twin.world
        response.entities = [name for name, entity in self.entities().items()
                             if pattern.search(name) and overlaps(world.aabb(entity.body))]

    def on_get_entity_state(self, request, response) -> None:
        """Return an entity's exact pose and twist, in the world frame, at the current time."""
        entity = self._entity(request.entity)
        position, orientation, linear, angular = self.node.twin.world.root_state(entity.body)
        state = response.state
        conversions.header(state, 'world', self.node.sim_ns)
        conversions.set_xyz(state.pose.position, position)
        (state.pose.orientation.x, state.pose.orientation.y, state.pose.orientation.z,
         state.pose.orientation.w) = orientation
        conversions.set_xyz(state.twist.linear, linear)
        conversions.set_xyz(state.twist.angular, angular)

    def on_set_entity_state(self, request, response) -> None:
        """Move an entity (a robot: at rest, as sim/teleport), refusing invalid poses."""
        entity = self._entity(request.entity)
        pose = self._world_pose(request.state.header.frame_id, request.state.pose,
                                SetEntityState.Response.INVALID_POSE)
        linear, angular = _vector(request.state.twist.linear), _vector(request.state.twist.angular)
        world = self.node.twin.world
        moving = any(linear + angular)
        if not all(math.isfinite(v) for v in linear + angular):
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'twist {linear + angular} is not finite')
        if moving and (entity.robot is not None or world.is_static(entity.body)):
            why = ('a robot moves only through its wheels' if entity.robot is not None else
                   'it is static')
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'{request.entity} cannot be given a twist: {why}; set a zero twist')
        if entity.robot is not None:   # as sim/teleport does
            refusal = self.node.drivers[entity.robot].teleport(pose)
            if refusal:
                raise Refusal(SetEntityState.Response.INVALID_POSE, refusal)
            return
        try:
            place_checked(world, entity.body, pose, self.node.twin.bounds())
        except PoseError as error:
            raise Refusal(SetEntityState.Response.INVALID_POSE, str(error))
        if moving:
            world.set_velocity(entity.body, linear, angular)

    def _world_pose(self, frame_id: str, pose: PoseMsg, invalid_code: int):
        if frame_id not in WORLD_FRAMES:
            raise Refusal(invalid_code, f'frame {frame_id!r} is not known: give poses in '
                          "the world frame ('' or 'world')")
        try:
            return checked_pose(_vector(pose.position),
                                (pose.orientation.x, pose.orientation.y, pose.orientation.z,
                                 pose.orientation.w))
        except PoseError as error:
            raise Refusal(invalid_code, str(error))

    def on_spawn(self, request, response) -> None:
        """Spawn a URDF/xacro model or a world-format object, as a passive body."""
        try:
            source = spawn_source(request.uri, request.resource_string)
        except SpawnError as error:
            raise Refusal(SPAWN_CODES[error.reason], str(error))
        name = self._spawn_name(request.name or source.default_name, request.allow_renaming)
        pose = self._world_pose(request.initial_pose.header.frame_id, request.initial_pose.pose,
                                SpawnEntity.Response.INVALID_POSE)
        try:
            self.spawner.spawn(name, source, pose)
        except PoseError as error:
            raise Refusal(SpawnEntity.Response.INVALID_POSE, str(error))
        except SpawnError as error:
            raise Refusal(SPAWN_CODES[error.reason], str(error))
        response.entity_name = name

    def _spawn_name(self, wanted: str, allow_renaming: bool) -> str:
        taken = set(self.entities()) | set(self.node.twin.world.bodies)   # robot bodies too
        if wanted and not NAME_PATTERN.fullmatch(wanted):
            raise Refusal(SpawnEntity.Response.NAME_INVALID,
                          f'name {wanted!r}: use letters, digits, _ . and -')
        if wanted and wanted not in taken:
            return wanted
        if not allow_renaming:
            if not wanted:
                raise Refusal(SpawnEntity.Response.NAME_INVALID,
                              'no name given, and the resource gives none')
            raise Refusal(SpawnEntity.Response.NAME_NOT_UNIQUE,
                          f'an entity named {wanted!r} exists; set allow_renaming')
        stem = wanted or 'entity'
        return next(f'{stem}_{n}' for n in range(1, len(taken) + 2)
                    if f'{stem}_{n}' not in taken)

    def on_delete(self, request, response) -> None:
        """Delete a spawned entity; the world file's bodies and the robots stay."""
        self._entity(request.entity)
        if request.entity not in self.spawner.builders:
            raise Refusal(Result.RESULT_OPERATION_FAILED,
                          f'{request.entity} was not spawned: only spawned entities can be '
                          'deleted (the world file and the robots stay until the twin stops)')
        self.spawner.delete(request.entity)

    def on_get_spawnables(self, request, response) -> None:
        """List the shipped robots and world objects, and those in the given folders."""
        folders = []
        try:
            share = Path(get_package_share_directory('twin'))
            folders = [(share / 'urdf', 'package://twin/urdf/'),
                       (share / 'worlds', 'package://twin/worlds/')]
        except PackageNotFoundError:
            pass
        unknown = [s for s in request.sources if not Path(s).is_dir()]
        folders += [(Path(s), str(Path(s).resolve()) + '/') for s in request.sources
                    if Path(s).is_dir()]
        response.spawnables = [spawnable for folder, prefix in folders
                               for spawnable in _spawnables(folder, prefix)]
        if unknown:
            response.result.error_message = f'not folders, ignored: {", ".join(unknown)}'


def _spawnables(folder: Path, prefix: str) -> list[Spawnable]:
    """Return the URDF/xacro files and the world files' objects in ``folder``."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(('.urdf', '.urdf.xacro', '.xacro')):
            found.append(Spawnable(uri=prefix + path.name, description='robot model (URDF)',
                                   spawn_bounds=Bounds()))
        elif path.suffix in ('.yaml', '.yml'):
            try:
                objects = world_objects(path)
            except SpawnError:
                continue
            found += [Spawnable(uri=f'{prefix}{path.name}#{name}',
                                description=f'{next(iter(entry))} of world {path.stem}',
                                spawn_bounds=Bounds())
                      for name, entry in objects.items()]
    return found


def _bounds_test(bounds: Bounds):
    """Return a test of an axis-aligned box (min, max) against the filter's bounds."""
    points = [_vector(p) for p in bounds.points]
    if bounds.type == Bounds.TYPE_EMPTY:
        return lambda box: True
    if bounds.type == Bounds.TYPE_SPHERE and len(points) == 2:
        centre, radius = points[0], points[1][0]
        return lambda box: math.dist(centre, [min(max(c, lo), hi) for c, lo, hi in zip(
            centre, *box)]) <= radius
    if bounds.type == Bounds.TYPE_BOX and len(points) == 2:
        low = [min(a, b) for a, b in zip(*points)]
        high = [max(a, b) for a, b in zip(*points)]
        return lambda box: all(lo <= b_hi and b_lo <= hi for lo, hi, b_lo, b_hi in zip(
            low, high, *box))
    if bounds.type in (Bounds.TYPE_SPHERE, Bounds.TYPE_BOX):
        raise Refusal(Result.RESULT_OPERATION_FAILED,
                      f'bounds of type {bounds.type} need 2 points, got {len(points)}')
    raise Refusal(Result.RESULT_FEATURE_UNSUPPORTED,
                  f'bounds of type {bounds.type}: only spheres and boxes are supported')


def _vector(vector) -> tuple[float, float, float]:
    return vector.x, vector.y, vector.z


def _snake(name: str) -> str:
    """Turn a type name into a service name: GetEntities -> get_entities."""
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def _state_name(state: int) -> str:
    names = {getattr(SimulationState, n): n for n in dir(SimulationState)
             if n.startswith('STATE_')}
    return names.get(state, 'an unknown state').removeprefix('STATE_').lower()
