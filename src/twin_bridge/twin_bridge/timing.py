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
Timing of the bridge: pacing to a real-time factor, its jitter, and command latency.

Pure Python (no rclpy). Wall times are seconds of the steady clock (``time.monotonic()``,
which on Linux is shared by every process, so another process can line its own times up
with them); simulated times are integer nanoseconds.
"""

from dataclasses import dataclass
import math

import numpy as np

NS_PER_S = 1_000_000_000


class Pacing:
    """
    How many physics steps are owed to keep simulated time at ``factor`` times wall time.

    Pure arithmetic on the two times it is given; it owns neither (the core owns simulated
    time). An *anchor* pairs a wall time with the simulated time then: at wall time ``now``
    the simulation owes the steps that bring it to ``anchor_sim + (now - anchor_wall) *
    factor``. When physics cannot keep up, the debt is dropped (the anchor moves to now)
    and counted as an overrun, rather than raced later. Factor 0 owes every step at once.
    """

    def __init__(self, factor: float, step_ns: float):
        """
        Start unanchored: :meth:`restart` before the first :meth:`owed`.

        :param factor: simulated seconds per wall second; 0 as fast as possible
        :param step_ns: the physics step, ns of simulated time; exact, so not always whole
            (the core's ``Twin.step_ns``: 1/240 s is 12 500 000/3 ns)
        """
        self.factor, self.step_ns = factor, step_ns
        self.overruns = 0
        self.anchor = (0.0, 0)
        self.sample = (0.0, 0)   # the (wall, sim) of the last achieved-factor sample

    def restart(self, wall_s: float, sim_ns: int) -> None:
        """Anchor at now: nothing is owed for the time before (a pause, a dropped debt)."""
        self.anchor = (wall_s, sim_ns)

    def owed(self, wall_s: float, sim_ns: int) -> float:
        """Return the whole steps owed at ``wall_s`` with the simulation at ``sim_ns``."""
        if self.factor == 0.0:
            return math.inf
        wall_start, sim_start = self.anchor
        return (sim_start + (wall_s - wall_start) * self.factor * NS_PER_S - sim_ns) // \
            self.step_ns

    def settle(self, wall_s: float, sim_ns: int, still_owed: float) -> None:
        """After a batch of steps: steps still owed are an overrun, and their debt dropped."""
        if self.factor > 0.0 and still_owed > 0:
            self.overruns += 1
            self.restart(wall_s, sim_ns)

    def achieved(self, wall_s: float, sim_ns: int) -> float | None:
        """Return simulated seconds per wall second since the last call (None: no wall time)."""
        wall, sim = self.sample
        self.sample = (wall_s, sim_ns)
        return (sim_ns - sim) / NS_PER_S / (wall_s - wall) if wall_s > wall else None


class StepFailures:
    """
    Physics steps that raised, in a row: a warning, then an error, then a reason to halt.

    One failure is a WARN; ``error_after`` in a row an ERROR; ``halt_after`` in a row stop
    the simulation (as divergence does), since a step that keeps failing will not recover.
    """

    def __init__(self, error_after: int = 10, halt_after: int = 240):
        """Nothing failed yet; ``halt_after`` is one second of 1/240 s steps by default."""
        self.error_after, self.halt_after = error_after, halt_after
        self.in_a_row = self.total = 0
        self.last_error = ''

    def failed(self, error: Exception) -> bool:
        """Count a failed step; return True when the simulation should halt now."""
        self.in_a_row += 1
        self.total += 1
        self.last_error = repr(error)
        return self.in_a_row >= self.halt_after

    def succeeded(self) -> None:
        """End the run of failures: a step went through, or the world was reset."""
        self.in_a_row = 0

    def serious(self) -> bool:
        """Tell whether the failures in a row are an error, not a warning."""
        return self.in_a_row >= self.error_after

    def reason(self) -> str:
        """Return what failed, for logs and diagnostics."""
        return f'physics step failed {self.in_a_row} time(s) in a row: {self.last_error}'


class PacingJitter:
    """How far the intervals between paced steps stray from their nominal period."""

    def __init__(self):
        """Start an empty window."""
        self.times = []

    def mark(self, wall_s: float) -> None:
        """Note that a step was published at ``wall_s``."""
        self.times.append(wall_s)

    def clear(self) -> None:
        """Forget the window (after a pause, whose gap is no jitter)."""
        self.times = []

    def take(self, period_s: float) -> tuple[float, float] | None:
        """
        Return the p50 and p99 of ``|interval - period_s|`` in ms and start a new window.

        None when fewer than two steps were marked.
        """
        times, self.times = self.times, self.times[-1:]
        if len(times) < 2:
            return None
        deviation_ms = np.abs(np.diff(times) - period_s) * 1e3
        return float(np.percentile(deviation_ms, 50)), float(np.percentile(deviation_ms, 99))


@dataclass(frozen=True)
class CommandTiming:
    """When one accepted command was received and when a step first applied it."""

    received_wall_s: float
    received_sim_ns: int
    applied_wall_s: float
    applied_sim_ns: int   # the start of the step that applied it

    @property
    def wall_ms(self) -> float:
        """Return the wall time from receipt to application, ms."""
        return (self.applied_wall_s - self.received_wall_s) * 1e3


class CommandLatency:
    """Follow each accepted command from its receipt to the first step that applies it."""

    def __init__(self):
        """Nothing received yet."""
        self.pending = None   # (wall s, sim ns) of a command no step has applied yet
        self.last = None
        self.max_wall_ms = 0.0

    @property
    def waiting(self) -> bool:
        """Tell whether a received command has not been applied yet."""
        return self.pending is not None

    @property
    def received_wall_s(self) -> float | None:
        """Return the wall time of the newest accepted command (None before the first)."""
        if self.pending is not None:
            return self.pending[0]
        return self.last.received_wall_s if self.last else None

    def received(self, wall_s: float, sim_ns: int) -> None:
        """Note an accepted command (a newer one replaces one not yet applied)."""
        self.pending = (wall_s, sim_ns)

    def applying(self, wall_s: float, sim_ns: int) -> None:
        """Note that the step starting at ``sim_ns`` sends the command in force to the motors."""
        if self.pending is None:
            return
        self.last = CommandTiming(*self.pending, wall_s, sim_ns)
        self.pending = None
        self.max_wall_ms = max(self.max_wall_ms, self.last.wall_ms)
