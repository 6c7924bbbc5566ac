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
The cmd_vel gate: which velocity commands reach the motors, and for how long.

Pure Python (no rclpy), so every rule is unit-tested without DDS. Times are integer
nanoseconds of simulated time. The rules, from ``shared/docs/reliability.md``:

* any non-finite field rejects the whole message, and a rejected message never refreshes
  the watchdog;
* non-planar components (linear y/z, angular x/y) are ignored and counted;
* beyond the velocity limits a message is saturated or rejected (``over_limit_policy``);
* the watchdog runs on *receipt* time; a stamp (TwistStamped) can only get a message
  rejected (too old, or from the future beyond a tolerance), never extend its life;
* a latched e-stop holds every command at zero until released.
"""

from collections import Counter
from dataclasses import dataclass
import math

from twin_sim import DriveLimits

NS_PER_S = 1_000_000_000


@dataclass(frozen=True)
class BodyTwist:
    """The six fields of a geometry_msgs Twist, as the gate sees them (m/s, rad/s)."""

    linear_x: float = 0.0
    linear_y: float = 0.0
    linear_z: float = 0.0
    angular_x: float = 0.0
    angular_y: float = 0.0
    angular_z: float = 0.0

    def fields(self) -> tuple:
        """Return all six values."""
        return (self.linear_x, self.linear_y, self.linear_z,
                self.angular_x, self.angular_y, self.angular_z)


@dataclass(frozen=True)
class Verdict:
    """What the gate did with a message: accepted or not, and why (for the log)."""

    accepted: bool
    reason: str = ''


class CommandGate:
    """Validate velocity commands and hold the one in force."""

    def __init__(self, limits: DriveLimits, timeout: float, over_limit_policy: str = 'saturate',
                 max_age: float = 0.5, future_tolerance: float = 0.05,
                 heartbeat_timeout: float = 0.0):
        """
        Start with no command in force (the robot stands still).

        :param timeout: a command is in force this long after its receipt, s
        :param over_limit_policy: ``'saturate'`` or ``'reject'``
        :param max_age: a stamped command older than this is rejected, s
        :param future_tolerance: a stamp may be this far ahead of the receipt time, s
        :param heartbeat_timeout: with a positive value, e-stop messages must keep coming at
            least this often, or the robot is held stopped, s
        """
        self.limits = limits
        self.timeout_ns = round(timeout * NS_PER_S)
        self.policy = over_limit_policy
        self.max_age_ns = round(max_age * NS_PER_S)
        self.future_ns = round(future_tolerance * NS_PER_S)
        self.heartbeat_ns = round(heartbeat_timeout * NS_PER_S)
        self.last_heartbeat_ns = None
        self.counters = Counter()
        self.e_stopped = False
        self.clear()

    def clear(self) -> None:
        """Drop the command in force (a reset)."""
        self.command = (0.0, 0.0)
        self.received_ns = None

    def offer(self, twist: BodyTwist, receipt_ns: int, stamp_ns: int | None = None) -> Verdict:
        """
        Consider a command received at ``receipt_ns``; ``stamp_ns`` is a TwistStamped's stamp.

        :return: whether it was accepted, and why not
        """
        if not all(math.isfinite(value) for value in twist.fields()):
            return self._reject('non_finite', 'a field is NaN or infinite: whole message '
                                'ignored')
        if stamp_ns is not None:
            verdict = self._check_stamp(stamp_ns, receipt_ns)
            if verdict:
                return verdict
        linear, angular = twist.linear_x, twist.angular_z
        over = abs(linear) > self.limits.max_linear_velocity or \
            abs(angular) > self.limits.max_angular_velocity
        if over and self.policy == 'reject':
            return self._reject('over_limit', f'({linear:g} m/s, {angular:g} rad/s) is beyond '
                                'the limits and over_limit_policy is reject')
        if over:
            self.counters['saturated'] += 1
        if any((twist.linear_y, twist.linear_z, twist.angular_x, twist.angular_y)):
            self.counters['non_planar_ignored'] += 1
        self.counters['accepted'] += 1
        self.command = (_clamp(linear, self.limits.max_linear_velocity),
                        _clamp(angular, self.limits.max_angular_velocity))
        self.received_ns = receipt_ns
        return Verdict(True)

    def _check_stamp(self, stamp_ns: int, receipt_ns: int) -> Verdict | None:
        if stamp_ns == 0:
            self.counters['zero_stamp'] += 1
            return None  # an unstamped TwistStamped: treated as received now
        ahead = (stamp_ns - receipt_ns) / NS_PER_S
        if ahead * NS_PER_S > self.future_ns:
            return self._reject('future_stamp', f'stamped {ahead:.3f} s ahead of the simulated '
                                f'time{_clock_hint(stamp_ns, ahead)}')
        if -ahead * NS_PER_S > self.max_age_ns:
            return self._reject('stale_stamp', f'stamped {-ahead:.3f} s before the simulated '
                                f'time{_clock_hint(stamp_ns, ahead)}')
        return None

    def _reject(self, counter: str, reason: str) -> Verdict:
        self.counters[f'rejected_{counter}'] += 1
        return Verdict(False, reason)

    def heartbeat(self, now_ns: int) -> None:
        """Note an e-stop message (of either value) as a sign of life of the e-stop."""
        self.last_heartbeat_ns = now_ns

    def heartbeat_silent(self, now_ns: int) -> bool:
        """Tell whether a configured e-stop heartbeat is missing."""
        return self.heartbeat_ns > 0 and (self.last_heartbeat_ns is None or
                                          now_ns - self.last_heartbeat_ns > self.heartbeat_ns)

    def advance_to(self, now_ns: int) -> tuple[float, float]:
        """
        Move the gate to ``now_ns`` and return the (linear, angular) command then in force.

        It changes the gate: a command older than the timeout expires here (counted once).
        """
        if self.e_stopped or self.received_ns is None or self.heartbeat_silent(now_ns):
            return 0.0, 0.0
        if now_ns - self.received_ns > self.timeout_ns:
            if self.command != (0.0, 0.0):
                self.counters['watchdog_timeouts'] += 1
            self.command = (0.0, 0.0)
        return self.command

    def moving_until_ns(self) -> int | None:
        """
        Return the last step time at which a moving command is still in force.

        None when no moving command is in force (stopped, expired, e-stopped): stepping
        past it times out only a controller that wants the robot to move.
        """
        if self.e_stopped or self.received_ns is None or self.command == (0.0, 0.0):
            return None
        return self.received_ns + self.timeout_ns

    def watchdog_expired(self, now_ns: int) -> bool:
        """Tell whether no valid command arrived within the timeout."""
        return self.received_ns is None or now_ns - self.received_ns > self.timeout_ns

    def engage_e_stop(self) -> None:
        """Latch the e-stop: commands stay zero until ``release_e_stop``."""
        if not self.e_stopped:
            self.counters['e_stops'] += 1
        self.e_stopped = True
        self.clear()

    def release_e_stop(self) -> None:
        """Release a latched e-stop (only an explicit reset does this)."""
        self.e_stopped = False
        self.clear()


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def _clock_hint(stamp_ns: int, ahead_s: float) -> str:
    if stamp_ns < 0:
        return ('; a negative stamp is no time at all: stamp with the simulated time '
                '(use_sim_time:=true) or with 0')
    # Days ahead means the publisher stamps with wall time while the twin runs sim time.
    if ahead_s > 86400.0:
        return ('; the publisher seems to stamp with wall time: give it use_sim_time:=true '
                'or stamp with 0')
    return ''
