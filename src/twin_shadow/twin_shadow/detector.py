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
The change detector of shadow mode: residuals in, levels and named events out.

Pure Python (no rclpy, no physics), so every rule is unit-tested in milliseconds. A residual
is *robot minus twin* of one quantity; each is divided by its threshold, so 1.0 means "at
the threshold". Levels: OK below the threshold, WARN from it, ERROR from twice it.

Events come from two-sided CUSUM statistics on the normalised residuals (Page 1954):
``S+ = max(0, S+ + z - drift)``, likewise ``S-`` for ``-z``; an event fires when one crosses
``alarm``, and that side re-arms when it is back at zero. One fault is one event: an alarm
that names what its channel's open episode named is not repeated; the episode ends, with a
``KIND_ended`` event, once the channel's statistics have stayed below half the alarm for
``quiet`` seconds (a slipping wheel shows only while it must transmit force, so its
residual comes and goes while the fault persists). The channel and the sign name the cause:

* ``wheels``, half the difference of the two wheels' speed residuals: one wheel does not
  follow its command as the twin's does (too slow to speed up, or to slow down, or a dead
  motor's wheel rolling to a stop): a weak or blocked motor, and which one. Its threshold
  (``one_wheel``) is much tighter than a wheel's: a live shadow does not know when a command
  reached the motors, and a few milliseconds of that on a speed ramp are a large residual,
  but the same on both wheels (common) unless the turn rate ramps, 30 times slower;
* ``drive``, their common part: the robot does not follow its commands (both wheels);
* ``slip``, the robot's gyro minus its wheel-odometry yaw rate: the body turns
  other than its wheels say: one wheel slips, and the forward speed residual (from the
  accelerometers) says which; not while a wheel is off its command (that is the wheel's
  event). At rest, the same residual means a degraded IMU;
* ``scan``: beams much shorter than the twin's in the world model: an obstacle the world
  does not hold; returns lost where the twin has them: a degraded LIDAR.
"""

from dataclasses import dataclass, field, fields
import math

OK, WARN, ERROR = 0, 1, 2
EVIDENCE = 0.5   # a statistic half way to its alarm keeps its channel's episode open
LEVEL_NAMES = ('OK', 'WARN', 'ERROR')


@dataclass(frozen=True)
class Thresholds:
    """
    Where each divergence becomes a warning (twice it: an error), and the CUSUM's tuning.

    :param position: position error over the horizon, m
    :param heading: heading error over the horizon, rad
    :param linear: forward speed, robot minus twin, m/s
    :param angular: yaw rate from wheel odometry, robot minus twin, rad/s
    :param wheel: one wheel's speed, robot minus twin, rad/s; and the wheels' common part
    :param one_wheel: half the difference of the two wheels' speed residuals, rad/s
    :param gyro: the robot's gyro minus its wheel-odometry yaw rate, rad/s
    :param scan: median |real - twin| range over beams finite in both, m
    :param beams: fraction of beams shorter than the twin's by ``obstacle`` (or lost)
    :param obstacle: how much shorter a beam must be to count as an unknown obstacle, m
    :param drift: the CUSUM's allowance, in thresholds (noise below it never accumulates)
    :param alarm: the CUSUM's alarm level, in thresholds times samples
    :param quiet: an event's episode ends after this long without evidence, s
    """

    position: float = 0.25
    heading: float = 0.2
    linear: float = 0.05
    angular: float = 0.25
    wheel: float = 2.0
    one_wheel: float = 0.3
    gyro: float = 0.2
    scan: float = 0.15
    beams: float = 0.08
    obstacle: float = 0.3
    drift: float = 0.5
    alarm: float = 4.0
    quiet: float = 10.0

    def __post_init__(self):
        """Refuse a threshold that is not a positive number (it divides every residual)."""
        for item in fields(self):
            value = getattr(self, item.name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f'shadow threshold {item.name} must be a positive number, '
                                 f'got {value!r}')


@dataclass(frozen=True)
class Event:
    """A change the detector found: when (robot time, s), what, which part, and the evidence."""

    time: float
    kind: str
    target: str
    detail: str

    def __str__(self) -> str:
        """Return one line for a log or a terminal."""
        return f'{self.time:9.3f} s  {self.kind:<22} {self.target or "-":<8} {self.detail}'


class Cusum:
    """A two-sided CUSUM on a normalised residual; each side fires once per excursion."""

    def __init__(self, drift: float, alarm: float):
        """Start at zero; ``drift`` and ``alarm`` are in thresholds (see :class:`Thresholds`)."""
        self.drift, self.alarm = drift, alarm
        self.high = self.low = 0.0
        self.latched = set()   # the sides (+1, -1) that fired and are not back at zero

    def update(self, z: float) -> int:
        """
        Add one normalised residual.

        :return: +1 or -1 when an excursion above or below starts now, else 0
        """
        cap = 2.0 * self.alarm   # bounded, so the statistic comes back soon after a fault
        self.high = min(cap, max(0.0, self.high + z - self.drift))
        self.low = min(cap, max(0.0, self.low - z - self.drift))
        fired = 0
        for side, statistic in ((1, self.high), (-1, self.low)):
            if statistic == 0.0:
                self.latched.discard(side)
            elif statistic >= self.alarm and side not in self.latched:
                self.latched.add(side)
                fired = fired or side
        return fired


@dataclass
class Divergence:
    """The latest value of every divergence, robot minus twin (NaN: not measured yet)."""

    position: float = math.nan
    heading: float = math.nan
    linear: float = math.nan
    angular: float = math.nan
    left_wheel: float = math.nan
    right_wheel: float = math.nan
    gyro: float = math.nan
    scan: float = math.nan
    unknown_obstacle: float = math.nan
    lost_returns: float = math.nan

    def levels(self, thresholds: Thresholds) -> dict[str, int]:
        """Return each measured divergence's level (OK, WARN or ERROR)."""
        limits = {'position': thresholds.position, 'heading': thresholds.heading,
                  'linear': thresholds.linear, 'angular': thresholds.angular,
                  'left_wheel': thresholds.wheel, 'right_wheel': thresholds.wheel,
                  'gyro': thresholds.gyro, 'scan': thresholds.scan,
                  'unknown_obstacle': thresholds.beams, 'lost_returns': thresholds.beams}
        return {name: level_of(getattr(self, name), limit) for name, limit in limits.items()
                if not math.isnan(getattr(self, name))}


def _alike(left: float, right: float) -> bool:
    """Tell whether both wheels are off the same way, the smaller at least half the larger."""
    return left * right > 0 and min(abs(left), abs(right)) >= 0.5 * max(abs(left), abs(right))


def level_of(value: float, threshold: float) -> int:
    """Return OK below ``threshold``, WARN from it, ERROR from twice it."""
    size = abs(value)
    return ERROR if size >= 2.0 * threshold else WARN if size >= threshold else OK


@dataclass
class ChangeDetector:
    """Feed residuals as they come; collect the events they start."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    divergence: Divergence = field(default_factory=Divergence)
    events: list[Event] = field(default_factory=list)

    def __post_init__(self):
        """Start every statistic at zero."""
        t = self.thresholds
        self._cusums = {name: Cusum(t.drift, t.alarm) for name in
                        ('wheels', 'drive', 'slip', 'obstacle', 'lidar')}
        self._evidence = {name: -math.inf for name in self._cusums}   # s, robot time
        self._episodes: dict[str, Event] = {}   # channel: the event that opened it

    def level(self) -> int:
        """Return the worst level of the measured divergences (OK with none measured)."""
        return max(self.divergence.levels(self.thresholds).values(), default=OK)

    def _update(self, channel: str, time: float, z: float) -> int:
        """
        Add ``z`` to a channel's CUSUM; end its episode after ``quiet`` s without evidence.

        :return: the CUSUM's alarm (+1, -1 or 0)
        """
        cusum = self._cusums[channel]
        alarm = cusum.update(z)
        if max(cusum.high, cusum.low) >= EVIDENCE * self.thresholds.alarm:
            self._evidence[channel] = time
        episode = self._episodes.get(channel)
        if episode and time - self._evidence[channel] >= self.thresholds.quiet:
            del self._episodes[channel]
            self.events.append(Event(time, f'{episode.kind}_ended', episode.target,
                                     f'no evidence for {self.thresholds.quiet:g} s'))
        return alarm

    def _fire(self, channel: str, time: float, kind: str, target: str,
              detail: str) -> Event | None:
        """Start an event, unless the channel's open episode already named the same."""
        episode = self._episodes.get(channel)
        if episode and (episode.kind, episode.target) == (kind, target):
            return None
        event = Event(time, kind, target, detail)
        self._episodes[channel] = event
        self.events.append(event)
        return event

    def wheels(self, time: float, left: float, right: float) -> Event | None:
        """
        Add the wheel speed residuals (rad/s, robot minus twin).

        :return: the event this sample starts, if any
        """
        self.divergence.left_wheel, self.divergence.right_wheel = left, right
        limits = self.thresholds
        one_wheel = self._update('wheels', time, (left - right) / (2.0 * limits.one_wheel))
        both = self._update('drive', time, (left + right) / (2.0 * limits.wheel))
        if one_wheel:
            wheel, value = ('left', left) if abs(left) >= abs(right) else ('right', right)
            other = right if wheel == 'left' else left
            return self._fire('wheels', time, 'weak_motor', wheel,
                              f'the {wheel} wheel does not follow its command: {value:+.2f} '
                              f"rad/s off the twin's (the other {other:+.2f}): a weak or "
                              'blocked motor')
        if both and _alike(left, right):
            return self._fire('drive', time, 'not_following_commands', 'robot',
                              f"both wheels off the twin's: {left:+.2f}, {right:+.2f} rad/s")
        return None

    def turn(self, time: float, residual: float, speed_residual: float,
             at_rest: bool) -> Event | None:
        """
        Add the robot's (gyro - wheel odometry yaw rate), rad/s.

        Which wheel slips follows from the other one gripping: its contact point moves as its
        rim, in the robot as in the twin, so the body's forward speed residual is
        ``+residual * separation / 2`` when the right wheel slips and ``-...`` when the left
        one does: the two residuals agree in sign for the right wheel, differ for the left.

        :param speed_residual: the body's forward speed, robot minus twin (from the
            accelerometers), m/s
        :param at_rest: the robot is commanded still and its wheels say it is still
        """
        self.divergence.gyro = residual
        left, right = self.divergence.left_wheel, self.divergence.right_wheel
        if abs(left + right) / 2.0 >= 0.5 * self.thresholds.wheel or \
                abs(left - right) / 2.0 >= 0.5 * self.thresholds.one_wheel or \
                self._episodes.keys() & {'wheels', 'drive'}:
            return None   # the wheels do not turn as commanded: theirs is the event, not slip
        side = self._update('slip', time, residual / self.thresholds.gyro)
        if not side:
            return None
        if at_rest:
            return self._fire('slip', time, 'imu_degraded', 'imu',
                              f'gyro turns {residual:+.3f} rad/s while the wheels stand')
        wheel = 'right' if speed_residual * residual > 0 else 'left'
        return self._fire('slip', time, 'wheel_slip', wheel,
                          f'body turns {residual:+.3f} rad/s and moves {speed_residual:+.3f} '
                          f'm/s other than its wheels say: the {wheel} wheel slips')

    def scan(self, time: float, median: float, unknown_obstacle: float,
             lost_returns: float) -> Event | None:
        """
        Add one scan's comparison with the twin's.

        :param median: median |real - twin| over beams finite in both, m
        :param unknown_obstacle: fraction of beams shorter than the twin's by ``obstacle``
        :param lost_returns: fraction of beams without a return where the twin has one
        """
        self.divergence.scan = median
        self.divergence.unknown_obstacle = unknown_obstacle
        self.divergence.lost_returns = lost_returns
        beams = self.thresholds.beams
        obstacle = self._update('obstacle', time, unknown_obstacle / beams)
        lidar = self._update('lidar', time, lost_returns / beams)
        if obstacle > 0:
            return self._fire('obstacle', time, 'obstacle_not_in_world', 'scan',
                              f'{unknown_obstacle:.0%} of the beams hit something the world '
                              'model does not hold')
        if lidar > 0:
            return self._fire('lidar', time, 'lidar_degraded', 'scan',
                              f'{lost_returns:.0%} of the beams lost their return')
        return None

    def motion(self, linear: float, angular: float) -> None:
        """Note the velocity tracking residuals (robot minus twin odometry twist)."""
        self.divergence.linear, self.divergence.angular = linear, angular

    def pose(self, position: float, heading: float) -> None:
        """Note the pose error since the last re-anchoring (m, rad)."""
        self.divergence.position, self.divergence.heading = position, heading
