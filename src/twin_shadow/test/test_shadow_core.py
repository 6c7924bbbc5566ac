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

"""The shadow twin against a stand-in robot (a second core twin), in simulated time."""

from robot_stand_in import fault, robot_twin, run, shadow_twin
from twin_shadow.detector import OK

DEADLINE = 2.0   # s of robot time from the fault's onset to its event (the bound)


def first_event_after(drive: float, kind: str, wheel: str, **params):
    """
    Drive ``drive`` s without a fault, then with one.

    :return: the onset, the events before it, the shadow and the first event after it
    """
    robot, shadow = robot_twin(), shadow_twin()
    run(robot, shadow, drive)
    onset, before = robot.time, list(shadow.events)
    robot.inject_faults(fault(kind, wheel, **params))
    run(robot, shadow, DEADLINE + 0.5)
    return onset, before, shadow, shadow.events[len(before)]


def test_perturbed_robot_is_ok_for_a_minute_then_a_slipping_wheel_is_named():
    onset, before, shadow, first = first_event_after(60.3, 'wheel_slip', 'right',
                                                     traction=0.05)
    assert before == []
    assert max(level for time, *_, level in shadow.trace.rows if time < onset) == OK
    assert (first.kind, first.target) == ('wheel_slip', 'right')
    assert onset <= first.time <= onset + DEADLINE


def test_weak_left_motor_is_named():
    onset, before, _, first = first_event_after(8.3, 'weak_motor', 'left', torque=0.0)
    assert before == [] and (first.kind, first.target) == ('weak_motor', 'left')
    assert onset <= first.time <= onset + DEADLINE


def test_left_wheel_slip_is_named_left():
    onset, before, _, first = first_event_after(8.3, 'wheel_slip', 'left', traction=0.05)
    assert before == [] and (first.kind, first.target) == ('wheel_slip', 'left')
    assert onset <= first.time <= onset + DEADLINE


def test_a_persisting_slip_is_one_event_and_its_end_another():
    robot, shadow = robot_twin(), shadow_twin()
    run(robot, shadow, 4.3)
    robot.inject_faults(fault('wheel_slip', 'right', traction=0.05, duration=8.0))
    run(robot, shadow, 8.0)   # eight changes of command with the wheel slipping
    assert [(e.kind, e.target) for e in shadow.events] == [('wheel_slip', 'right')]
    run(robot, shadow, shadow.settings.thresholds.quiet + 1.0)
    assert [(e.kind, e.target) for e in shadow.events] == [('wheel_slip', 'right'),
                                                           ('wheel_slip_ended', 'right')]


def test_commands_reaching_the_motors_late_are_no_event():
    robot, shadow = robot_twin(), shadow_twin()
    run(robot, shadow, 20.0, latency=0.2)   # a live robot's DDS and control loop
    assert shadow.events == []
