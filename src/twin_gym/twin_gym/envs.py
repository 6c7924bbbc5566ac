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
Gymnasium environments over the pure core: one :class:`twin_sim.Twin` per environment.

The twin is built once and reset per episode: ``reset(seed=s)`` starts the twin's episode
``s`` (its variations and faults drawn from the twin's seed and ``s``, as a campaign episode
is), and draws the task's goal from ``s`` too. An action is a (linear m/s, angular rad/s)
command held for one control period (``control_rate``, default 10 Hz: 24 physics steps),
through the same limits and motors as the bridge's ``cmd_vel``.
"""

from dataclasses import dataclass, replace
from importlib import resources
import math
from pathlib import Path
from typing import Callable

import gymnasium
from gymnasium import spaces
import numpy as np
from twin_gym.observation import (build_observation, decimate_scan, goal_in_robot_frame,
                                  ImuOdometry, ObservationConfig, quaternion_yaw)
from twin_sim import Pose, Twin, TwinConfig
from twin_sim.faults import load_faults
from twin_sim.variations import config_quantities, load_variations
from twin_sim.worlds import load_world

REACHED_M = 0.15            # goal tolerance
GOAL_AREA = ((0.6, -1.1), (1.6, 1.1))   # goals are drawn here, world frame, m (goal_room)
VISIT_CELL_M = 0.25         # exploration: the grid whose new cells are rewarded
NEAR_M = 0.25               # goal reward: a scan reading closer than this costs, m


def data_file(name: str) -> Path:
    """Return the path of a file shipped in twin_gym/data."""
    return Path(str(resources.files('twin_gym') / 'data' / name))


def default_robot() -> Path:
    """Return the project's robot description: installed (share/twin) or in the source tree."""
    try:
        from ament_index_python.packages import get_package_share_directory
        return Path(get_package_share_directory('twin')) / 'urdf' / 'twin_burger.urdf.xacro'
    except (ImportError, LookupError, OSError):   # OSError: no ament environment at all
        return Path(__file__).resolve().parents[3] / 'urdf' / 'twin_burger.urdf.xacro'


@dataclass
class StepOutcome:
    """What a reward function and a termination rule see after one control step."""

    goal_distance: float | None    # true distance to the goal, m (None: no goal)
    previous_distance: float | None
    contact: bool                  # the robot touches anything but the floor
    new_cells: int                 # cells of VISIT_CELL_M entered for the first time
    linear: float                  # odometry's forward velocity, m/s
    angular: float                 # odometry's yaw rate, rad/s
    closest: float = math.inf      # the scan's closest reading (REP-117 values mapped), m


def goal_reward(outcome: StepOutcome) -> float:
    """
    Return the goal-reaching reward: progress toward the goal, +10 on arrival, -10 on contact.

    Progress is the decrease of the true distance in m times 10; each step costs 0.01, and
    up to 0.1 more as the scan's closest reading falls below NEAR_M (a near miss is nearly
    a contact on a robot whose timing or wheels differ a little).
    """
    reward = 10.0 * (outcome.previous_distance - outcome.goal_distance) - 0.01
    reward -= 0.1 * max(0.0, 1.0 - outcome.closest / NEAR_M)
    if outcome.goal_distance < REACHED_M:
        reward += 10.0
    return reward - (10.0 if outcome.contact else 0.0)


def exploration_reward(outcome: StepOutcome) -> float:
    """Return the exploration reward: 0.1 per new cell of VISIT_CELL_M entered, -10 on contact."""
    return 0.1 * outcome.new_cells - (10.0 if outcome.contact else 0.0)


def goal_done(outcome: StepOutcome) -> bool:
    """End the episode on arrival (within REACHED_M) or contact."""
    return outcome.contact or outcome.goal_distance < REACHED_M


def contact_done(outcome: StepOutcome) -> bool:
    """End the episode on contact."""
    return outcome.contact


class TwinEnv(gymnasium.Env):
    """
    A differential-drive robot in a world file, observed through its scan and wheel odometry.

    :param world: world file (default: the shipped goal room)
    :param robot: URDF or xacro (default: the project's Burger)
    :param variations: variation file drawn per episode (default: the project's
        ``config/variations/policy_training.yaml``; None: off)
    :param faults: fault file, the faults start at every reset (None: none)
    :param beams: scan sectors in the observation (must divide the LIDAR's 360 beams)
    :param control_rate: actions per simulated second, Hz
    :param max_steps: actions per episode before it is truncated
    :param with_goal: draw a goal in GOAL_AREA each episode
    :param reward: StepOutcome -> reward (replaceable)
    :param done: StepOutcome -> terminated (replaceable)
    :param twin_seed: the twin's seed; episodes are drawn from it and reset's seed
    :param config_changes: replacements of TwinConfig fields (e.g. ``lidar=...``)
    :param exact_reset: rebuild the world at every reset (a few tenths of a second); False
        restores the saved state only, faster and, as the core's determinism tests hold,
        also bit-identical to a fresh world's episode
    """

    metadata = {'render_modes': []}

    def __init__(self, world: str | Path | None = None, robot: str | Path | None = None,
                 variations: str | Path | None = 'default', faults: str | Path | None = None,
                 beams: int = 24, control_rate: float = 10.0, max_steps: int = 300,
                 with_goal: bool = True,
                 reward: Callable[[StepOutcome], float] = goal_reward,
                 done: Callable[[StepOutcome], bool] = goal_done,
                 twin_seed: int = 0, config_changes: dict | None = None,
                 exact_reset: bool = True):
        """Build the twin (once); episodes start with :meth:`reset`."""
        description = load_world(world or data_file('goal_room.yaml'))
        config = TwinConfig(robot=robot or default_robot(), spawn=description.spawn or Pose(),
                            seed=twin_seed, faults=tuple(load_faults(faults)) if faults else ())
        config = replace(config, **(config_changes or {}))
        if variations is not None:
            path = training_variations() if variations == 'default' else variations
            config = replace(config, variations=load_variations(path,
                                                                config_quantities(config)))
        self.twin = Twin(config, description.build)
        self.observation_config = ObservationConfig(beams, config.lidar.range_max)
        self.steps_per_action = max(1, round(1.0 / (control_rate * config.physics.step)))
        self.max_steps, self.with_goal, self.exact_reset = max_steps, with_goal, exact_reset
        self.reward_function, self.done_function = reward, done
        limits = config.drive.limits
        self.action_space = spaces.Box(
            -np.array([limits.max_linear_velocity, limits.max_angular_velocity], np.float32),
            np.array([limits.max_linear_velocity, limits.max_angular_velocity], np.float32))
        self.observation_space = spaces.Box(*self.observation_config.bounds())
        self.goal_world = self.goal_odom = None
        self.scan = self.odometry = None
        self.dead_reckoning = ImuOdometry()

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start episode ``seed`` (or the next one drawn from the environment's stream)."""
        super().reset(seed=seed)
        episode = seed if seed is not None else int(self.np_random.integers(1, 2**31 - 1))
        if self.exact_reset:
            self.twin.rebuild()
        self.twin.reset(episode=episode)
        self.goal_world = self._draw_goal() if self.with_goal else None
        self.goal_odom = None if self.goal_world is None else self._to_odom(self.goal_world)
        self.steps, self.visited = 0, set()
        self.scan = self.odometry = None
        self.dead_reckoning = ImuOdometry()
        while self.scan is None or self.odometry is None:   # the first full scan
            self._advance(1)
        self.visited.add(self._cell())
        return self._observe(), self._info()

    def step(self, action):
        """Hold the command for one control period; return the gymnasium 5-tuple."""
        linear, angular = np.clip(action, self.action_space.low, self.action_space.high)
        self.twin.set_command(float(linear), float(angular))
        previous = self._goal_distance()
        self._advance(self.steps_per_action)
        self.steps += 1
        cell = self._cell()
        new_cells = int(cell not in self.visited)
        self.visited.add(cell)
        outcome = StepOutcome(self._goal_distance(), previous,
                              bool(self.twin.world.overlapping(self.twin.robot.name)),
                              new_cells, self.odometry.linear, self.odometry.angular,
                              float(decimate_scan(self.scan.ranges.astype(np.float32), 1,
                                                  self.observation_config.range_max)[0]))
        terminated = bool(self.done_function(outcome))
        truncated = not terminated and self.steps >= self.max_steps
        return (self._observe(), float(self.reward_function(outcome)), terminated, truncated,
                self._info(outcome))

    def close(self) -> None:
        """Release the twin."""
        self.twin.close()

    def _advance(self, steps: int) -> None:
        for _ in range(steps):
            readings = self.twin.step()
            self.scan = readings.scan or self.scan
            if readings.imu is not None:
                self.dead_reckoning.on_imu(quaternion_yaw(*readings.imu.orientation))
            if readings.odometry is not None:
                self.odometry = readings.odometry
                self.dead_reckoning.on_wheels(self.odometry.x, self.odometry.y,
                                              self.odometry.yaw)

    def _observe(self) -> np.ndarray:
        odometry = self.odometry
        return build_observation(self.observation_config, self.scan.ranges.astype(np.float32),
                                 odometry.linear, odometry.angular, self.dead_reckoning.pose,
                                 self.goal_odom)

    def _draw_goal(self) -> tuple[float, float]:
        (x0, y0), (x1, y1) = GOAL_AREA
        return float(self.np_random.uniform(x0, x1)), float(self.np_random.uniform(y0, y1))

    def _to_odom(self, point: tuple[float, float]) -> tuple[float, float]:
        """Return a world point in the odom frame (the robot's pose at the reset)."""
        start = self.twin.robots[0].start
        return goal_in_robot_frame(start.position[0], start.position[1], start.yaw, point)

    def _goal_distance(self) -> float | None:
        if self.goal_world is None:
            return None
        position = self.twin.ground_truth().position
        return math.hypot(self.goal_world[0] - position[0], self.goal_world[1] - position[1])

    def _cell(self) -> tuple[int, int]:
        position = self.twin.ground_truth().position
        return (math.floor(position[0] / VISIT_CELL_M), math.floor(position[1] / VISIT_CELL_M))

    def _info(self, outcome: StepOutcome | None = None) -> dict:
        info = {'episode': self.twin.episode, 'variation': dict(self.twin.variation),
                'goal_odom': self.goal_odom}
        if outcome is not None:
            info.update(contact=outcome.contact, goal_distance=outcome.goal_distance,
                        reached=outcome.goal_distance is not None and
                        outcome.goal_distance < REACHED_M)
        return info


class GoalReachingEnv(TwinEnv):
    """Reach a goal drawn in the goal room's east half without touching anything."""

    def __init__(self, **options):
        """See :class:`TwinEnv`; defaults: goal room, goal reward and termination."""
        super().__init__(**{'with_goal': True, 'reward': goal_reward, 'done': goal_done,
                            **options})


class ExplorationEnv(TwinEnv):
    """Cover as much of the arena as possible without touching anything (no goal)."""

    def __init__(self, **options):
        """See :class:`TwinEnv`; defaults: the arena world, exploration reward."""
        super().__init__(**{'world': default_world('arena.yaml'), 'with_goal': False,
                            'reward': exploration_reward, 'done': contact_done,
                            'max_steps': 600, **options})


def training_variations() -> Path:
    """Return the project's training variation file (config/variations/policy_training.yaml)."""
    return default_robot().parents[1] / 'config' / 'variations' / 'policy_training.yaml'


def default_world(name: str) -> Path:
    """Return a world of the project's worlds/ folder: installed (share/twin) or in source."""
    return default_robot().parents[1] / 'worlds' / name
