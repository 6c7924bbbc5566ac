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
Injected faults: a schedule of timed or random faults, and which are active at a time.

A fault file (YAML) lists faults; times are simulated seconds since the last reset::

    faults:
      - {kind: lidar_blackout, start: 5.0, duration: 2.0}
      - {kind: wheel_slip, wheel: left, traction: 0.2, start: 10.0, duration: 3.0}
      - {kind: imu_freeze, rate: 0.05, duration: 0.5}      # random onsets, 0.05 per second

Each fault starts at ``start`` or, with ``rate`` instead, at random onsets (a Poisson process
of that many onsets per second while the fault is off, seeded), and lasts ``duration`` s
(``.inf``: until the next reset). ``robot`` (an index, default every robot) picks the robot.
:data:`KINDS` lists the kinds, their parameters and what each does. This module is pure:
:class:`FaultSchedule` only tells which faults are active; the sensors, the robot and the
bridge carry out their effects.
"""

from dataclasses import dataclass, field
import math
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import yaml

NS_PER_S = 1_000_000_000
WHEELS = ('left', 'right')
# The bridge's topics whose messages a fault can drop (clock: /clock).
TOPICS = ('scan', 'imu', 'odom', 'tf', 'joint_states', 'ground_truth/odom', 'clock')


class FaultError(ValueError):
    """A fault file or entry that cannot be used; the message names the place."""


@dataclass(frozen=True)
class Kind:
    """
    One kind of fault.

    :param target: what carries it out: 'scan', 'imu', 'odometry' (the sensor readings),
        'wheels' (the robot) or 'bridge' (publishing and commands)
    :param params: each parameter's checker and default (``None``: required)
    :param effect: what it does, for the documentation
    """

    target: str
    params: dict = field(default_factory=dict)
    effect: str = ''


def _number(low: float = -math.inf, high: float = math.inf) -> Callable:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                math.isnan(value) or not low <= value <= high:
            raise ValueError(f'expected a number in [{low}, {high}], got {value!r}')
        return float(value)
    return check


def _vector3(value) -> tuple:
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError(f'expected a list of 3 numbers, got {value!r}')
    return tuple(_number()(v) for v in value)


def _index(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'expected a robot index (0, 1, ...), got {value!r}')
    return value


def _choice(*allowed: str) -> Callable:
    def check(value):
        if value not in allowed:
            raise ValueError(f'expected one of {", ".join(allowed)}, got {value!r}')
        return value
    return check


WHEEL = (_choice(*WHEELS), None)
EITHER_WHEEL = (_choice(*WHEELS, 'both'), 'both')
FRACTION = _number(0.0, 1.0)

KINDS = {
    'lidar_blackout': Kind('scan', {}, 'every beam reads +inf (no return)'),
    'lidar_freeze': Kind('scan', {}, 'the last scan before the fault is repeated (new stamps)'),
    'lidar_occlusion': Kind('scan', {
        'angle_min': (_number(-2 * math.pi, 2 * math.pi), None),
        'angle_max': (_number(-2 * math.pi, 2 * math.pi), None),
        'range': (_number(-math.inf, math.inf), math.inf)},
        'beams between angle_min and angle_max (rad, sensor frame) read `range` (default '
        '+inf: no return; -inf: something closer than range_min)'),
    'imu_bias': Kind('imu', {'gyro': (_vector3, (0.0, 0.0, 0.0)),
                             'accel': (_vector3, (0.0, 0.0, 0.0))},
                     'a bias step: `gyro` (rad/s) and `accel` (m/s^2) added to every sample'),
    'imu_freeze': Kind('imu', {}, 'the last sample before the fault is repeated'),
    'encoder_dropout': Kind('odometry', {}, 'no odometry (odom, tf, joint_states) is '
                            'published; the counters keep counting, so the first update after '
                            'it integrates the whole gap'),
    'encoder_stuck': Kind('odometry', {'wheel': EITHER_WHEEL},
                          "the wheel's encoder count holds; the motion it missed is lost for "
                          'good, so odometry drifts'),
    'wheel_slip': Kind('wheels', {'wheel': WHEEL, 'traction': (FRACTION, None)},
                       "the wheel's friction with the ground is scaled by `traction`"),
    'weak_motor': Kind('wheels', {'wheel': WHEEL, 'torque': (FRACTION, None)},
                       "the wheel motor's torque limit is scaled by `torque` (0: a dead, "
                       'free-wheeling motor)'),
    'stuck_motor': Kind('wheels', {'wheel': WHEEL},
                        'the wheel motor holds its wheel still with its full torque (seized)'),
    'latency_spike': Kind('bridge', {'delay': (_number(0.0, 60.0), None)},
                          'commands reach the motors `delay` s (simulated) late'),
    'dropped_messages': Kind('bridge', {'topic': (_choice(*TOPICS), None),
                                        'probability': (FRACTION, 1.0)},
                             "messages on `topic` (one of the robot's: scan, imu, odom, tf, "
                             'joint_states, ground_truth/odom; or clock) are dropped, each with '
                             '`probability`'),
    'stalled_clock': Kind('bridge', {}, 'the bridge publishes no sensor, odometry, tf or '
                          '/clock message (diagnostics go on, to show it); physics goes on, '
                          'and /clock jumps when the fault ends'),
}
TIMING_KEYS = {'kind', 'start', 'rate', 'duration', 'robot'}


@dataclass(frozen=True)
class Fault:
    """
    One fault of a schedule.

    :param kind: a key of :data:`KINDS`
    :param duration: s (inf: until the next reset)
    :param start: s after the reset (or after injection), or None with ``rate``
    :param rate: random onsets per second while off, or None with ``start``
    :param robot: the robot's index, or None for every robot
    :param params: the kind's parameters, defaults filled in
    """

    kind: str
    duration: float
    start: float | None = None
    rate: float | None = None
    robot: int | None = None
    params: dict = field(default_factory=dict, hash=False)

    @property
    def target(self) -> str:
        """Return what carries the fault out ('scan', 'imu', 'odometry', 'wheels', 'bridge')."""
        return KINDS[self.kind].target

    def describe(self) -> str:
        """Return a one-line description, e.g. ``wheel_slip wheel=left traction=0.2``."""
        return ' '.join([self.kind] + [f'{k}={v}' for k, v in self.params.items()])


def parse_faults(data, source: str) -> list[Fault]:
    """
    Check and return the faults of a loaded fault document (``{faults: [...]}``).

    :param source: the file (or topic) it came from, for error messages
    :raises FaultError: naming the source, the entry and the key
    """
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {'faults'}:
        raise FaultError(f'{source}: expected a mapping with one key, faults (a list), got '
                         f'{data!r}')
    entries = data.get('faults') or []
    if not isinstance(entries, list):
        raise FaultError(f'{source}: faults: expected a list, got {entries!r}')
    return [_parse_entry(entry, f'{source}: faults[{index}]')
            for index, entry in enumerate(entries)]


def load_faults(path: str | Path) -> list[Fault]:
    """
    Read and check a fault file.

    :raises FaultError: naming the file, the entry and the key
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FaultError(f'{path}: fault file not found')
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise FaultError(f'{path}: not valid YAML: {error}') from None
    return parse_faults(data, str(path))


def _parse_entry(entry, where: str) -> Fault:
    if not isinstance(entry, dict) or entry.get('kind') not in KINDS:
        raise FaultError(f'{where}: expected a mapping whose kind is one of '
                         f'{", ".join(KINDS)}, got {entry!r}')
    kind = KINDS[entry['kind']]
    where = f'{where} ({entry["kind"]})'
    unknown = set(entry) - TIMING_KEYS - set(kind.params)
    if unknown:
        raise FaultError(f'{where}: unknown key(s) {", ".join(sorted(unknown))}; allowed: '
                         f'{", ".join(sorted(TIMING_KEYS | set(kind.params)))}')
    if ('start' in entry) == ('rate' in entry):
        raise FaultError(f'{where}: give either start (s) or rate (onsets per second)')

    def checked(key, check, default=None):
        if key not in entry:
            if default is None:
                raise FaultError(f'{where}: {key} is required')
            return default
        try:
            return check(entry[key])
        except ValueError as error:
            raise FaultError(f'{where}.{key}: {error}') from None

    return Fault(
        kind=entry['kind'],
        duration=checked('duration', _number(0.0, math.inf)),
        start=checked('start', _number(0.0, 1e9)) if 'start' in entry else None,
        rate=checked('rate', _number(1e-9, 1e6)) if 'rate' in entry else None,
        robot=checked('robot', _index) if 'robot' in entry else None,
        params={key: checked(key, check, default)
                for key, (check, default) in kind.params.items()})


class FaultSchedule:
    """
    Which faults are active at a simulated time; random onsets are drawn from a seeded stream.

    Queries must not go back in time (a reset builds a new schedule). Times are in ns.
    """

    def __init__(self, faults: Iterable[Fault], seed: np.random.SeedSequence,
                 start_ns: int = 0):
        """
        Lay out the faults of one robot from ``start_ns`` (the reset).

        :param seed: the stream of the random onsets (one child per fault)
        """
        self.seed = seed
        self.occurrences = []   # per fault: [fault, start_ns, end_ns, rng or None]
        self.add(faults, start_ns)

    def add(self, faults: Iterable[Fault], offset_ns: int) -> None:
        """Add faults whose times count from ``offset_ns`` (live injection: now)."""
        faults = list(faults)
        for fault, stream in zip(faults, self.seed.spawn(len(faults))):
            if fault.rate is None:
                start = offset_ns + round(fault.start * NS_PER_S)
                self.occurrences.append([fault, start, _end(start, fault.duration), None])
            else:
                rng = np.random.default_rng(stream)
                start = offset_ns + _onset_delay_ns(rng, fault.rate)
                self.occurrences.append([fault, start, _end(start, fault.duration), rng])

    def active(self, time_ns: int) -> list[Fault]:
        """Return the faults active at ``time_ns`` (start <= t < end)."""
        self._advance(time_ns)
        return [fault for fault, start, end, _ in self.occurrences if start <= time_ns < end]

    def next_change_ns(self, time_ns: int) -> float:
        """Return the first time after ``time_ns`` at which a fault starts or ends (or inf)."""
        self._advance(time_ns)
        later = [t for _, start, end, _ in self.occurrences for t in (start, end) if t > time_ns]
        return min(later, default=math.inf)

    def _advance(self, time_ns: int) -> None:
        # A random fault's next onset is drawn once its previous occurrence has ended.
        for occurrence in self.occurrences:
            fault, _, end, rng = occurrence
            while rng is not None and end <= time_ns:
                start = end + _onset_delay_ns(rng, fault.rate)
                occurrence[1:3] = [start, _end(start, fault.duration)]
                end = occurrence[2]


def _onset_delay_ns(rng: np.random.Generator, rate: float) -> int:
    return round(rng.exponential(1.0 / rate) * NS_PER_S)


def _end(start_ns: int, duration: float) -> float:
    return math.inf if math.isinf(duration) else start_ns + round(duration * NS_PER_S)
