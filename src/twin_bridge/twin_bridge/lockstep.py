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
Lock-step with the controllers: the twin advances one control period, then waits for them.

Pure Python (no rclpy); the bridge node carries it out. The rules:

0. The first period waits until every robot's controller is discovered: a node that
   publishes its ``cmd_vel`` and subscribes ``/clock`` (up to ``timeout_s``, then it runs
   anyway, counted as a timeout). A period run before then would go unseen by it.
1. Simulated time advances in whole periods, to the next multiple of ``period_ns``, in one
   go (no command is taken in the middle of a period).
2. The period's sensor data go out first, then ``/clock`` once, at the period's end: a
   controller on sim time sees the data before its timer, due at that instant, fires.
   DDS keeps no order across topics (a controller's timer fired before the period's
   odometry arrived in about 1 period of 200 under load), so ``/clock`` waits until every
   *reliable* subscriber acknowledged the period's odometry, tf, joint states and ground
   truth (up to ``timeout_s``; a miss is counted as a timeout). Fast DDS acknowledges on
   its heartbeats, every 3 s by default: a lock-step run starts its processes with the
   shipped profile ``lockstep_fastdds.xml`` (:mod:`twin_bridge.fastdds_profiles`), which
   makes it about 1 ms. Best-effort subscribers (sensor-data QoS: scan, IMU) acknowledge nothing: a
   controller that must see each scan before its timer fires answers each scan instead.
3. Then the twin *holds* until every robot's ``cmd_vel`` has answered: a TwistStamped
   stamped at or after the hold's time (so a late answer to an earlier period does not
   count), or any Twist (it carries no stamp to tell).
4. An answer releases the next period at once. No answer within ``timeout_s`` of wall time
   releases it anyway, counted in ``timeouts``: that run is no longer reproducible.

The controller is assumed to answer each period exactly once: a sim-time timer whose period
is ``period_ns`` (or divides it), started at sim time 0, that always publishes a command.
"""

from twin_sim.twin import steps_at

NS_PER_S = 1_000_000_000
SLOW_DELIVERY_S = 0.5   # wall s: an acknowledgement this late means default DDS heartbeats


class Lockstep:
    """When the twin may advance: whole periods, each released by the controllers' answers."""

    def __init__(self, period_ns: int, step_ns: int, robots: int, timeout_s: float):
        """
        Start released once the controllers are connected: the first period needs no answer.

        :param period_ns: the control period, ns of simulated time; rounded to whole steps
        :param step_ns: the physics step, ns of simulated time
        :param robots: how many robots must answer each period
        :param timeout_s: wall s to wait for the answers before advancing anyway
        """
        self.period_steps = max(1, round(period_ns / step_ns))
        self.period_ns = self.period_steps * step_ns
        self.step_ns, self.robots, self.timeout_s = step_ns, robots, timeout_s
        self.started = False        # the first period ran (see may_start)
        self.connecting_since = None   # wall s of the first may_start
        self.holding_since = None   # wall s when the hold began, None when released
        self.held_at_ns = 0         # sim ns of the hold
        self.answered = set()
        self.holds = self.timeouts = 0

    @property
    def holding(self) -> bool:
        """Tell whether the twin waits for answers now."""
        return self.holding_since is not None

    def steps_to_boundary(self, sim_ns: int) -> int:
        """
        Return the physics steps from ``sim_ns`` to the next multiple of the period (>= 1).

        Counted in steps, not ns: the core's time is the exact time of its steps rounded to
        the ns (an exact step, 1/240 s, is not a whole number of ns), so a period's end may
        lie a fraction of a ns past the time reported there; ``sim_ns % period_ns`` would
        then see a hair short of the end and run one step instead of a whole period.
        """
        steps_done = steps_at(sim_ns, self.step_ns)
        return self.period_steps - steps_done % self.period_steps

    def may_start(self, wall_s: float, connected: bool) -> bool:
        """Tell whether the first period may run: the controllers are connected, or timed out."""
        if self.connecting_since is None:
            self.connecting_since = wall_s
        if not connected and wall_s - self.connecting_since < self.timeout_s:
            return False
        self.timeouts += not connected
        self.started = True
        return True

    def hold(self, wall_s: float, sim_ns: int) -> None:
        """Begin waiting for every robot's answer to the period that ended at ``sim_ns``."""
        self.holding_since, self.held_at_ns = wall_s, sim_ns
        self.answered = set()
        self.holds += 1

    def answer(self, robot: int, stamp_ns: int | None) -> None:
        """Note a command from ``robot``; ``stamp_ns`` of a TwistStamped, None for a Twist."""
        fresh = stamp_ns is None or stamp_ns >= self.held_at_ns
        if self.holding_since is not None and fresh:
            self.answered.add(robot)

    def delivery(self, delivered: bool, waited_s: float, profile_given: bool) -> bool:
        """
        Note how the period's data reached the subscribers; tell whether advice is due.

        Data not acknowledged within ``timeout_s`` count as a timeout: not reproducible.
        Advice (start every process with the lock-step profile) is due when the data took
        ``SLOW_DELIVERY_S`` or longer and no Fast DDS profile was given to the run: one that
        was is theirs to tune.

        :param profile_given: a Fast DDS profile was named before the bridge started
        """
        if not delivered:
            self.timeouts += 1
        return waited_s >= SLOW_DELIVERY_S and not profile_given

    def may_advance(self, wall_s: float) -> bool:
        """Tell whether the next period may run: released, all answered, or timed out."""
        if self.holding_since is None:
            return True
        if len(self.answered) < self.robots:
            if wall_s - self.holding_since < self.timeout_s:
                return False
            self.timeouts += 1
        self.holding_since = None
        return True

    def diagnostic_values(self) -> dict:
        """Return the hold counters for the bridge's diagnostics."""
        return {'lockstep_period_s': f'{float(self.period_ns) / NS_PER_S:g}',
                'lockstep_holds': str(self.holds), 'lockstep_timeouts': str(self.timeouts)}
