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

"""The twin: a world, a robot and its sensors, advanced in fixed steps of simulated time."""

from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import partial
import math
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from twin_sim.description import load_robot_description, RobotDescription
from twin_sim.entities import outside_bounds, place_checked, PoseError
from twin_sim.faults import Fault, FaultSchedule, WHEELS
from twin_sim.fields import check_fields, ranged
from twin_sim.imu import ImuConfig, ImuSample
from twin_sim.lidar import Lidar, LidarConfig, Scan
from twin_sim.odometry import OdometryConfig, OdometryEstimate
from twin_sim.physical import PhysicalConfig
from twin_sim.robot import BodyState, DiffDriveRobot, DriveConfig, FIRST_COLLISION_GROUP, Frame
from twin_sim.sensors import SENSORS
from twin_sim.variations import apply_to_world, NominalWorld, Variations, varied_config
from twin_sim.world import PhysicsConfig, Pose, World

NS_PER_S = 1_000_000_000
MAX_STEP_DENOMINATOR = 1_000_000   # of a step in s: steps of 1 us or whole fractions of 1 s
MAX_ROBOTS = 16
FAULT_STREAM = 1000    # the spawn key of a robot's fault stream, after its sensors' (0, 1, ...)
MAX_EXTENT_M = 1e4     # the bound of a world without walls, far beyond any map
WORLD_MARGIN_M = 1.0   # room around the world's bodies and start poses a robot may go
FALLEN_M = 0.1         # a robot this far below the ground fell through it


@dataclass(frozen=True)
class TwinConfig:
    """
    Everything that defines a twin run; with the same config and commands, runs are identical.

    :param robot: URDF or xacro path, or URDF text
    :param spawn: where the robot's root frame starts
    :param base_link: the frame whose pose is the robot's pose (REP-105 ``base_footprint``)
    :param seed: seeds every random draw of every sensor
    :param faults: faults injected from every reset on (twin_sim.faults; time 0 is the reset)
    :param variations: distributions drawn per episode and applied at each reset
        (twin_sim.variations), or None
    :param drive: the drive train as the firmware sees it (nominal geometry, motors, limits)
    :param physical: the body's true wheels, where they differ from the description
    """

    robot: str | Path
    spawn: Pose = Pose()
    base_link: str = 'base_footprint'
    seed: int = ranged(0, 0, 2**31 - 1)
    physics: PhysicsConfig = field(default_factory=PhysicsConfig)
    drive: DriveConfig = field(default_factory=DriveConfig)
    physical: PhysicalConfig = field(default_factory=PhysicalConfig)
    lidar: LidarConfig = field(default_factory=LidarConfig)
    imu: ImuConfig = field(default_factory=ImuConfig)
    odometry: OdometryConfig = field(default_factory=OdometryConfig)
    faults: tuple[Fault, ...] = ()
    variations: Variations | None = None

    def __post_init__(self):
        """Refuse a seed out of range (the parts check themselves)."""
        check_fields(self, 'twin')


class Readings(NamedTuple):
    """What the sensors produced in one step (a field per sensor of SENSORS); None: not due."""

    time_ns: int
    scan: Scan | None = None
    imu: ImuSample | None = None
    odometry: OdometryEstimate | None = None


def exact_step_ns(step: float) -> Fraction:
    """
    Return a physics step as an exact number of ns: 1/240 s is 12 500 000/3 ns.

    A float step is the nearest double to the step meant; the nearest fraction with a
    denominator up to :data:`MAX_STEP_DENOMINATOR` is the step meant (1/240, 1/1000).
    """
    return Fraction(step).limit_denominator(MAX_STEP_DENOMINATOR) * NS_PER_S


def time_of_steps(steps: int, step_ns: Fraction) -> int:
    """
    Return the simulated time after ``steps`` steps of ``step_ns``, ns.

    It is the exact product rounded to the nearest ns (halves up), so 240 steps of 1/240 s
    are exactly 1 s and no error accumulates; one step's share is 4 166 666 or 4 166 667 ns.
    """
    numerator, denominator = step_ns.as_integer_ratio()
    return (2 * steps * numerator + denominator) // (2 * denominator)


def steps_at(time_ns: int, step_ns: Fraction) -> int:
    """
    Return how many steps of ``step_ns`` the simulated time ``time_ns`` is.

    The inverse of :func:`time_of_steps`: its time of a step is within 0.5 ns of the exact
    product, so the nearest whole number of steps.
    """
    return round(time_ns / step_ns)


class Schedule:
    """Fire every ``period_ns`` of simulated time, starting at ``start_ns``."""

    def __init__(self, rate_hz: float, start_ns: int = 0):
        """
        Fire first at ``start_ns``.

        :param rate_hz: how often it fires
        :param start_ns: simulated time of the first firing
        """
        self.period_ns = round(NS_PER_S / rate_hz)
        self.next_ns = start_ns
        self.fired_ns = None   # the time the last firing was due at

    def due(self, time_ns: int) -> bool:
        """Tell whether it fires at ``time_ns``; if so, move to the next period."""
        if time_ns < self.next_ns:
            return False
        self.fire()
        return True

    def fire(self) -> int:
        """Fire now (the caller saw ``next_ns`` come); return the time the firing was due at."""
        self.fired_ns = self.next_ns
        self.next_ns += self.period_ns
        return self.fired_ns


class RobotTwin:
    """One robot of a twin: its body, its sensors and wheel odometry, and their schedules."""

    def __init__(self, world: World, config: TwinConfig, description: RobotDescription,
                 spawn: Pose, name: str, collision_group: int, index: int = 0):
        """
        Load the robot into ``world`` (the caller saves the world and calls :meth:`reset`).

        :param collision_group: the robot's own collision bit, which its LIDAR's rays skip
        :param index: the robot's place in the twin (faults name robots by it)
        """
        self.config, self.index = config, index
        self._new_body = partial(DiffDriveRobot, world, description, config.drive, spawn, name,
                                 collision_group)
        self.load(config.physical)

    def load(self, physical: PhysicalConfig) -> None:
        """Load the body with ``physical`` wheels at its spawn pose (the caller removed any)."""
        self.robot = self._new_body(physical=physical)
        self.base_link = self.robot.link_index(self.config.base_link, 'base')
        self.wheel_traction = (1.0, 1.0)

    def reset(self, seed: np.random.SeedSequence, time_ns: int) -> None:
        """
        Commands, sensors, noise streams and schedules to their start (bodies restored).

        :param time_ns: the simulated time now, from which schedules, sensors and faults
            start again
        """
        self.robot.set_motor_dynamics(self.config.drive.time_constant,
                                      self.config.drive.dead_time)
        self.robot.reset_commands()
        self.sensors = {make.reading: make(self.robot, self.config) for make in SENSORS}
        self.schedules = []
        for sensor, stream in zip(self.sensors.values(), seed.spawn(len(self.sensors))):
            sensor.reset(np.random.default_rng(stream), time_ns)
            self.schedules.append(Schedule(sensor.rate, time_ns))
        # What sense() runs through at every step, looked up once.
        self.sampling = [(sensor.sample, schedule, sensor.every_step)
                         for sensor, schedule in zip(self.sensors.values(), self.schedules)]
        self.start = self.ground_truth()
        self.start_frame = Frame(self.start)   # the frame odometry starts in
        fault_seed = np.random.SeedSequence(seed.entropy,
                                            spawn_key=(*seed.spawn_key, FAULT_STREAM))
        self.fault_schedule = FaultSchedule(self._own(self.config.faults), fault_seed, time_ns)
        self._update_faults(time_ns)

    def inject_faults(self, faults: Sequence[Fault], time_ns: int) -> None:
        """Add faults (those for this robot) whose start times count from ``time_ns``."""
        self.fault_schedule.add(self._own(faults), time_ns)
        self._update_faults(time_ns)

    def _own(self, faults: Sequence[Fault]) -> list[Fault]:
        return [fault for fault in faults if fault.robot in (None, self.index)]

    def _update_faults(self, time_ns: int) -> None:
        """Hand the faults active at ``time_ns`` to the sensors, the wheels and the bridge."""
        self.active_faults = active = self.fault_schedule.active(time_ns)
        for name, sensor in self.sensors.items():
            sensor.faults = [fault for fault in active if fault.target == name]
        self.bridge_faults = [fault for fault in active if fault.target == 'bridge']
        self._set_wheels([fault for fault in active if fault.target == 'wheels'])
        self.next_fault_change_ns = self.fault_schedule.next_change_ns(time_ns)

    def _set_wheels(self, faults: list[Fault]) -> None:
        traction, torque, speed = [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]
        for fault in faults:
            wheel = WHEELS.index(fault.params['wheel'])
            if fault.kind == 'wheel_slip':
                traction[wheel] *= fault.params['traction']
            elif fault.kind == 'weak_motor':
                torque[wheel] *= fault.params['torque']
            else:   # stuck_motor
                speed[wheel] = 0.0
        for wheel in (0, 1):
            if traction[wheel] != self.wheel_traction[wheel]:
                self.robot.set_wheel_traction(wheel, traction[wheel])
            self.robot.set_wheel_motor(wheel, torque[wheel], speed[wheel])
        self.wheel_traction = tuple(traction)

    @property
    def lidar(self) -> Lidar:
        """Return the LIDAR (its beams, random stream and casting)."""
        return self.sensors['scan'].lidar

    def set_command(self, linear: float, angular: float) -> None:
        """Request a body twist: m/s forward, rad/s counter-clockwise."""
        self.robot.set_command(linear, angular)

    def sense(self, time_ns: int) -> Readings:
        """Return the readings due at ``time_ns``, just after a physics step."""
        if time_ns >= self.next_fault_change_ns:
            self._update_faults(time_ns)
        # SENSORS lists the sensors in the order of Readings' fields (a test holds it so).
        # A loop, not a comprehension over Schedule.due: this runs for every robot at every
        # step, and the calls it saves were more than half of it (1.5 -> 0.7 us).
        readings = [time_ns]
        for sample, schedule, every_step in self.sampling:
            if time_ns >= schedule.next_ns:
                readings.append(sample(time_ns, schedule.fire()))
            else:
                readings.append(sample(time_ns, None) if every_step else None)
        return Readings._make(readings)

    def ground_truth(self, from_start: bool = False) -> BodyState:
        """
        Return the exact pose and twist of ``base_link`` (for evaluation, not control).

        :param from_start: express the pose relative to the pose at the last reset, the
            frame odometry starts in; otherwise in world coordinates
        """
        state = self.robot.link_state(self.base_link)
        return self.start_frame.relative(state) if from_start else state

    def teleport(self, pose: Pose, from_start: bool = False) -> None:
        """
        Move the robot's root frame to ``pose`` at rest; odometry keeps integrating.

        :param from_start: ``pose`` is relative to the pose at the last reset (the odom
            frame), not in world coordinates
        """
        self.robot.world.place(self.robot.name, self.pose_in_world(pose, from_start))
        self.robot.reset_commands()

    def pose_in_world(self, pose: Pose, from_start: bool = False) -> Pose:
        """Return ``pose`` in world coordinates; ``from_start``: it is relative to the start."""
        if not from_start:
            return pose
        x0, y0, yaw0 = self.start.position[0], self.start.position[1], self.start.yaw
        return Pose(x=x0 + math.cos(yaw0) * pose.x - math.sin(yaw0) * pose.y,
                    y=y0 + math.sin(yaw0) * pose.x + math.cos(yaw0) * pose.y,
                    z=pose.z, yaw=yaw0 + pose.yaw)

    def applied_command(self) -> tuple[float, float]:
        """Return the limited twist sent to the wheels in the last step: m/s, rad/s."""
        return self.robot.applied

    def drive_geometry(self) -> dict[str, float]:
        """
        Return the wheel geometry the firmware believes (nominal) and the body's (physical).

        Keys name the quantity and its unit; the values are what is in force, the URDF's
        where a setting was 0.
        """
        nominal, physical = self.robot.nominal, self.robot.physical
        return {'nominal_wheel_radius_m': nominal.left_radius,
                'nominal_wheel_separation_m': nominal.separation,
                'physical_left_wheel_radius_m': physical.left_radius,
                'physical_right_wheel_radius_m': physical.right_radius,
                'physical_wheel_separation_m': physical.separation}

    def body_slowed_steps(self) -> int:
        """Return in how many steps the body was slowed back to the velocity limits."""
        return self.robot.speed_bound_count

    def wheel_joint_states(self) -> tuple[list[float], list[float]]:
        """Return the wheel joints' angles (rad) and speeds (rad/s), in URDF sign, left first."""
        return self.robot.wheel_joint_states()


class Twin:
    """
    A digital twin of differential-drive robots in one world, without ROS.

    ``set_command`` requests a body twist; every ``step`` applies it through the motors,
    advances the physics one fixed step, and returns the readings that came due. A twin
    holds one robot unless given several spawn poses: then each robot (``robots[i]``) has
    the same model, its own sensors and noise streams, and one physics step moves them all.
    """

    def __init__(self, config: TwinConfig,
                 build_world: Callable[[World], None] | None = None,
                 spawns: Sequence[Pose] | None = None):
        """
        Build the world and load the robots.

        :param build_world: adds the environment; the default is a bare ground plane
        :param spawns: where each robot starts; the default is one robot at ``config.spawn``
        :raises DescriptionError: the robot description is unusable
        :raises ValueError: a sensor setting is inconsistent, or too many robots
        """
        spawns = [config.spawn] if spawns is None else list(spawns)
        self._build_world, self._spawns = build_world, spawns   # for rebuild()
        if not 1 <= len(spawns) <= MAX_ROBOTS:
            raise ValueError(f'a twin holds 1 to {MAX_ROBOTS} robots, got {len(spawns)}')
        self.config = config
        self.world = World(config.physics)
        (build_world or (lambda world: world.add_ground()))(self.world)
        self.description = load_robot_description(config.robot)
        # Each robot in a collision group of its own, so every LIDAR sees the other robots.
        self.robots = [RobotTwin(self.world, config, self.description, spawn,
                                 'robot' if index == 0 else f'robot{index}',
                                 FIRST_COLLISION_GROUP << index, index)
                       for index, spawn in enumerate(spawns)]
        self.step_ns = exact_step_ns(config.physics.step)   # the physics step, ns, exact
        self.steps = 0      # physics steps since the twin was built
        self.time_ns = 0    # their simulated time, exact: see time_at()
        self.world.save()
        self.episode = 0
        if config.variations is not None:
            self.nominal = NominalWorld.of(self.world, [r.robot.name for r in self.robots])
            # Variations start from the wheels the body has, not from 0 ("the URDF's").
            self.nominal_config = replace(config, physical=self.robot.physical_config)
        self.variation = {}
        self.reset()

    @property
    def robot(self) -> DiffDriveRobot:
        """Return the (first) robot's body."""
        return self.robots[0].robot

    @property
    def lidar(self) -> Lidar:
        """Return the (first) robot's LIDAR."""
        return self.robots[0].lidar

    def time_at(self, steps: int) -> int:
        """Return the simulated time after ``steps`` physics steps, ns (:func:`time_of_steps`)."""
        return time_of_steps(steps, self.step_ns)

    @property
    def time(self) -> float:
        """Return the simulated time since the twin was built (a reset does not rewind it), s."""
        return self.time_ns / NS_PER_S

    def reset(self, episode: int | None = None) -> None:
        """
        Return to the initial state exactly: bodies, commands, sensors, noise.

        Time is not rewound: it has one owner and only moves forward, so every stamp taken
        after a reset is later than every stamp before it. Schedules, sensors and faults start
        again from the current time, and an episode's readings do not depend on when it starts.

        :param episode: start episode ``episode``: its noise streams and, with variations,
            its draw (from the seed and the episode alone); None repeats the current episode
        """
        self.world.restore()
        self.episode = self.episode if episode is None else episode
        # Episode 0 draws from the seed alone, as a twin without episodes always did.
        seed = np.random.SeedSequence(
            [self.config.seed, self.episode] if self.episode else self.config.seed)
        if self.config.variations is not None:
            self.variation = self._vary(self.config.variations)
        for robot, robot_seed in zip(self.robots, seed.spawn(len(self.robots))):
            robot.reset(robot_seed, self.time_ns)

    def _vary(self, variations: Variations) -> dict[str, float]:
        """Apply the current episode's draw; return the value of every varied quantity."""
        drawn = variations.draw(self.config.seed, self.episode,
                                {'obstacles': self.nominal.obstacles,
                                 'spawn': self.nominal.robots})
        config, values = varied_config(self.nominal_config, variations, drawn)
        if config.physical != self.robot.physical_config:
            self._reload_robots(config.physical)
        for robot in self.robots:
            robot.config = config
        values.update(apply_to_world(self.world, variations, drawn, self.nominal))
        return values

    def _reload_robots(self, physical: PhysicalConfig) -> None:
        """
        Give every robot a body with ``physical`` wheels, at its start; the world stays.

        PyBullet cannot resize a loaded wheel, so the bodies are loaded anew. They are removed
        last first and loaded in order, so the physics holds its bodies in the order the twin
        was built in, and the new start is saved and restored as every reset's start is.
        """
        for robot in reversed(self.robots):
            self.world.remove(robot.robot.name)
        for robot in self.robots:
            robot.load(physical)
        self.world.save()
        self.world.restore()

    def inject_faults(self, faults: Sequence[Fault]) -> None:
        """Start faults now: their start times count from the current time."""
        for robot in self.robots:
            robot.inject_faults(faults, self.time_ns)

    def set_command(self, linear: float, angular: float, robot: int = 0) -> None:
        """Request a body twist of robot ``robot``: m/s forward, rad/s counter-clockwise."""
        self.robots[robot].set_command(linear, angular)

    def step(self) -> Readings:
        """Advance one physics step; return the (first) robot's readings due at the new time."""
        return self.step_all()[0]

    def step_all(self) -> list[Readings]:
        """Advance one physics step; return every robot's readings due at the new time."""
        dt = self.config.physics.step   # the physics' own step, s
        for robot in self.robots:
            robot.robot.apply(dt)
        self.world.step()
        for robot in self.robots:
            robot.robot.after_step(dt)
        self.steps += 1
        self.time_ns = time_of_steps(self.steps, self.step_ns)
        return [robot.sense(self.time_ns) for robot in self.robots]

    def run(self, seconds: float) -> list[Readings]:
        """Step for ``seconds`` of simulated time; return the (first) robot's readings."""
        return [self.step() for _ in range(round(seconds * NS_PER_S / self.step_ns))]

    def ground_truth(self, from_start: bool = False, robot: int = 0) -> BodyState:
        """Return robot ``robot``'s exact state; see :meth:`RobotTwin.ground_truth`."""
        return self.robots[robot].ground_truth(from_start)

    def teleport(self, pose: Pose, from_start: bool = False, robot: int = 0) -> None:
        """Move robot ``robot`` at rest; see :meth:`RobotTwin.teleport`."""
        self.robots[robot].teleport(pose, from_start)

    def close(self) -> None:
        """Release the physics client."""
        self.world.close()

    def body_count(self) -> int:
        """Return how many bodies the physics holds, for leak watching."""
        return self.world.body_count()

    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """
        Return the (x, y) corners of the area robots may be in, m.

        The world's bodies (but the ground and the robots) and the start poses, with a margin
        of WORLD_MARGIN_M; a world of nothing but ground reaches MAX_EXTENT_M each way.
        """
        extent = self.world.extent({'ground'} | {robot.robot.name for robot in self.robots})
        if extent is None:
            return (-MAX_EXTENT_M, -MAX_EXTENT_M), (MAX_EXTENT_M, MAX_EXTENT_M)
        xs = [extent[0][0], extent[1][0]] + [spawn.x for spawn in self._spawns]
        ys = [extent[0][1], extent[1][1]] + [spawn.y for spawn in self._spawns]
        return ((min(xs) - WORLD_MARGIN_M, min(ys) - WORLD_MARGIN_M),
                (max(xs) + WORLD_MARGIN_M, max(ys) + WORLD_MARGIN_M))

    def _outside(self, x: float, y: float) -> str | None:
        return outside_bounds(self.bounds(), x, y)

    def try_teleport(self, pose: Pose, from_start: bool = False, robot: int = 0) -> str | None:
        """
        Teleport as :meth:`teleport` does, unless the robot would not be free in the world.

        :return: why the robot was left where it was (outside the world's bounds, or
            overlapping a body: :func:`twin_sim.entities.place_checked`), or None when it
            was moved
        """
        target = self.robots[robot].pose_in_world(pose, from_start)
        try:
            place_checked(self.world, self.robots[robot].robot.name, target, self.bounds())
        except PoseError as refusal:
            return str(refusal)
        self.robots[robot].teleport(target)
        return None

    def problems(self) -> list[str]:
        """Return what is wrong with the world now (a robot lost or fallen); [] when healthy."""
        found = []
        for robot in self.robots:
            position, name = robot.ground_truth().position, robot.robot.name
            if not np.isfinite(position).all():
                found.append(f'{name} has a non-finite pose')
            elif position[2] < -FALLEN_M:
                found.append(f'{name} fell through the ground (z {position[2]:.2f} m)')
            elif self._outside(position[0], position[1]):
                found.append(f'{name} left the world: {self._outside(*position[:2])}')
        return found

    def rebuild(self) -> None:
        """Build the world and robots anew, at their start: when a restore cannot heal it."""
        fresh = Twin(self.config, self._build_world, self._spawns)
        self.world.close()
        steps, time_ns, episode = self.steps, self.time_ns, self.episode
        self.__dict__.update(fresh.__dict__)
        self.steps, self.time_ns = steps, time_ns   # time has one owner and is never rewound
        self.reset(episode)      # the same episode and draw, from the current time
