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

"""Lock-step over DDS: the twin runs one period, then holds until cmd_vel answers."""

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock

from twin_bridge.testing import time_after_steps

# 0.1 s in whole steps, at the time the core reports there: exact, 100 000 000 ns (24 steps
# of a rounded 4 166 667 ns would be 100 000 008, a time the twin never reaches).
PERIOD_NS = time_after_steps(0, 24)


def clock_ns(msg: Clock) -> int:
    return msg.clock.sec * 1_000_000_000 + msg.clock.nanosec


def held_at(arrays: list, sim_ns: int, holds: int):
    """Return a predicate: two diagnostics in a row report this hold, time standing still."""
    def holding() -> bool:
        reports = [{v.key: v.value for s in a.status for v in s.values} for a in arrays[-2:]]
        return len(reports) == 2 and all(
            r.get('sim_time_ns') == str(sim_ns) and r.get('lockstep_holds') == str(holds)
            for r in reports)
    return holding


def test_each_period_waits_for_an_answer_and_clock_comes_only_at_its_end(
        start_bridge, listener):
    start_bridge(**{'lockstep.enabled': True, 'lockstep.period': 0.1,
                    'lockstep.timeout': 600.0})
    clocks = listener.record(Clock, '/clock', 100)
    odometry = listener.record(Odometry, 'odom', 100)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    # The first period waits for the controller: this node, on /clock, publishing cmd_vel.
    listener.spin_until(lambda: held_at(diagnostics, 0, 0)(), 60.0, 'waiting for controllers')
    command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
    # A held twin repeats its /clock with its diagnostics, for nodes that join late.
    first_hold = held_at(diagnostics, PERIOD_NS, 1)
    listener.spin_until(lambda: first_hold() and clocks, 60.0, 'the first hold')
    assert max(clock_ns(c) for c in clocks) == PERIOD_NS   # the first period, no further
    listener.spin_until(lambda: command.get_subscription_count() > 0, 30.0, 'cmd_vel matched')

    command.publish(Twist())
    second_hold = held_at(diagnostics, 2 * PERIOD_NS, 2)
    listener.spin_until(lambda: second_hold() and clock_ns(clocks[-1]) == 2 * PERIOD_NS, 60.0,
                        'the second hold')
    assert max(clock_ns(c) for c in clocks) == 2 * PERIOD_NS   # one answer, one period
    # /clock only at the ends of periods; the period's odometry (50 Hz) is stamped within it.
    assert {clock_ns(c) for c in clocks} <= {0, PERIOD_NS, 2 * PERIOD_NS}
    stamps = [m.header.stamp.sec * 1_000_000_000 + m.header.stamp.nanosec for m in odometry]
    assert stamps and max(stamps) <= 2 * PERIOD_NS
    assert diagnostics_timeouts(diagnostics) == '0'


def diagnostics_timeouts(arrays: list) -> str:
    """Return the newest lockstep_timeouts reported."""
    return next(v.value for a in reversed(arrays) for s in a.status for v in s.values
                if v.key == 'lockstep_timeouts')
