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
Faults inside the node, tested in process (reliability.md cases 18 and 24).

An exception in a callback is reported and the node keeps stepping; a non-finite state never
reaches a message, and the node pauses until sim/reset.
"""

import math
import time
from unittest import mock

from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseWithCovarianceStamped, Twist, Vector3
import pytest
from rclpy.executors import SingleThreadedExecutor
from std_srvs.srv import Trigger
from twin_bridge.testing import as_message
from twin_sim import OdometryEstimate, Pose, Readings


@pytest.fixture
def node(bridge_in_process):
    return bridge_in_process()


def test_an_exception_in_a_callback_is_reported_and_the_node_keeps_going(node):
    node.twin.try_teleport = mock.Mock(side_effect=RuntimeError('boom'))
    node.drivers[0].on_teleport(PoseWithCovarianceStamped())   # raises: must not escape
    assert node.counters_callback_errors == 1
    before = node.sim_ns
    node.on_timer()
    assert node.sim_ns > before                           # still stepping


def test_a_tick_steps_at_most_a_quarter_of_the_command_timeout(bridge_in_process):
    # Far faster than real time, 10 ms of stepping without reading cmd_vel would let the
    # watchdog time out a controller that keeps up with /clock.
    node = bridge_in_process(cmd_vel_timeout=0.05)
    for _ in range(3):
        before = node.sim_ns
        node.on_timer()
        assert 0 < node.sim_ns - before <= 0.0125e9 + node.step_ns
    assert node.pacing.overruns == 0


def test_far_faster_than_real_time_a_controller_late_by_sim_time_only_is_waited_for(
        bridge_in_process):
    # At real_time_factor 0 the command's 50 ms of simulated time pass in a few ms of
    # wall time; a controller the machine delays that long is not a dead one.
    node = bridge_in_process(cmd_vel_timeout=0.05)
    node.drivers[0].on_twist(Twist(linear=Vector3(x=0.1)))
    received_ns = node.sim_ns
    for _ in range(20):
        node.on_timer()
    # Held at the first step that would expire the command.
    assert 0.05e9 < node.sim_ns - received_ns < 0.05e9 + node.step_ns + 1
    assert node.drivers[0].gate.counters['watchdog_timeouts'] == 0
    assert node.stats['controller_waits'] == 1
    assert node.step_timer.is_canceled()                  # the wait spins no core
    node.drivers[0].on_twist(Twist(linear=Vector3(x=0.1)))    # the controller catches up
    assert not node.step_timer.is_canceled()
    node.on_timer()
    assert node.drivers[0].gate.advance_to(node.sim_ns) == (0.1, 0.0)
    assert node.pacing.overruns == 0


def test_a_controller_silent_for_the_timeout_in_wall_time_too_is_timed_out(bridge_in_process):
    node = bridge_in_process(cmd_vel_timeout=0.05)
    node.drivers[0].on_twist(Twist(linear=Vector3(x=0.1)))
    received_ns = node.sim_ns
    for _ in range(20):
        node.on_timer()
    assert node.step_timer.is_canceled()                  # waiting for the controller
    time.sleep(0.06)                                          # the wait ends
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    for _ in range(20):                                       # its timer wakes the stepping
        executor.spin_once(timeout_sec=0.05)
        if not node.step_timer.is_canceled():
            break
    assert not node.step_timer.is_canceled()
    executor.remove_node(node)
    for _ in range(20):
        node.on_timer()
    assert node.sim_ns - received_ns > 0.1e9
    assert node.drivers[0].gate.counters['watchdog_timeouts'] == 1


def test_a_controller_wait_ends_at_the_deadline_of_the_robot_it_waits_for(bridge_in_process):
    # tb0's controller spoke long ago and stopped its robot; tb1's is late by sim time only.
    node = bridge_in_process(robots=['tb0', 'tb1'], cmd_vel_timeout=0.05,
                             robot_spawns=[0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    node.drivers[0].on_twist(Twist())
    time.sleep(0.06)                                          # tb0 is late by wall time
    node.drivers[1].on_twist(Twist(linear=Vector3(x=0.1)))
    for _ in range(20):
        node.on_timer()
    assert node.step_timer.is_canceled()
    assert node.controller_timer.timer_period_ns > 0.03e9     # tb1's deadline, not tb0's


def test_divergence_publishes_nothing_non_finite_and_pauses_until_reset(node):
    published = []
    drivers = node.drivers[0]
    for publisher in (drivers.odom_pub, drivers.truth_pub, drivers.tf_pub, drivers.imu_pub,
                      drivers.scan_pub):
        publisher.publish = mock.Mock(side_effect=lambda msg, kind=publisher.msg_type:
                                      published.append(as_message(msg, kind)))
    diverged = Readings(time_ns=0, odometry=OdometryEstimate(math.nan, 0.0, 0.0, 0.0, 0.0))
    with mock.patch.object(node.twin, 'step_all', return_value=[diverged]):
        node.advance()
    assert node.halted and published == []
    frozen = node.sim_ns
    assert node.step_timer.is_canceled()                  # paused: nothing steps

    statuses = []
    node.diagnostics_pub.publish = mock.Mock(side_effect=lambda a: statuses.extend(a.status))
    node.publish_diagnostics()
    assert statuses[0].level == DiagnosticStatus.ERROR   # the simulation's status

    assert node.on_reset(Trigger.Request(), Trigger.Response()).success
    node.on_timer()
    assert node.halted is None and node.sim_ns > frozen
    assert all(math.isfinite(m.pose.pose.position.x) for m in published
               if hasattr(m, 'pose'))


def test_a_step_that_keeps_failing_warns_then_errs_then_halts_with_the_reason(node):
    statuses = []
    node.diagnostics_pub.publish = mock.Mock(side_effect=lambda a: statuses.append(a.status[0]))
    failures = node.step_failures
    with mock.patch.object(node.twin, 'step_all', side_effect=RuntimeError('solver')):
        node.advance()
        node.publish_diagnostics()
        for _ in range(failures.error_after):
            node.advance()
        node.publish_diagnostics()
        assert node.halted is None
        for _ in range(failures.halt_after):
            node.advance()
        node.publish_diagnostics()
    assert [s.level for s in statuses] == [DiagnosticStatus.WARN, DiagnosticStatus.ERROR,
                                           DiagnosticStatus.ERROR]
    assert 'physics step failed' in node.halted and 'solver' in node.halted
    assert 'solver' in statuses[-1].message and 'paused' in statuses[-1].message
    frozen = node.sim_ns
    assert node.step_timer.is_canceled()                   # halted, as after divergence
    assert node.on_reset(Trigger.Request(), Trigger.Response()).success
    node.on_timer()
    assert node.halted is None and node.sim_ns > frozen


def teleport_message(x: float, y: float) -> PoseWithCovarianceStamped:
    msg = PoseWithCovarianceStamped()
    msg.header.frame_id = 'map'   # world coordinates
    msg.pose.pose.position.x, msg.pose.pose.position.y = x, y
    msg.pose.pose.orientation.w = 1.0
    return msg


def test_a_teleport_out_of_the_world_is_refused_and_a_broken_world_is_rebuilt(node):
    statuses = []
    node.diagnostics_pub.publish = mock.Mock(side_effect=lambda a: statuses.append(a.status[0]))
    start = node.twin.ground_truth().position.copy()
    node.drivers[0].on_teleport(teleport_message(1e300, 0.0))
    assert node.twin.ground_truth().position == pytest.approx(start)   # refused, unmoved
    # Break the world as an unchecked teleport did: diagnostics must not say OK over it.
    node.twin.teleport(Pose(x=1e300))
    for _ in range(50):
        node.advance()
    node.publish_diagnostics()
    assert statuses[-1].level == DiagnosticStatus.ERROR
    assert node.on_reset(Trigger.Request(), Trigger.Response()).success
    for _ in range(240):
        node.advance()
    assert node.twin.problems() == []
    assert node.twin.ground_truth().position[2] == pytest.approx(start[2], abs=0.01)
    node.publish_diagnostics()
    assert statuses[-1].level == DiagnosticStatus.OK


@pytest.mark.parametrize('lockstep', [False, True])
def test_a_paused_or_halted_twin_stops_its_step_timer(bridge_in_process, lockstep):
    # At real_time_factor 0 the step timer's period is 0: left running while the twin is
    # paused (a campaign's twin until its controller is up), it spins a core for nothing;
    # in lock-step its 100 Hz poll took 8 % of one.
    node = bridge_in_process(start_paused=True, **{'lockstep.enabled': lockstep})
    assert node.step_timer.is_canceled()
    node.set_paused(False)
    assert not node.step_timer.is_canceled()
    node._halt('physics diverged')
    assert node.step_timer.is_canceled()
    assert node.on_reset(Trigger.Request(), Trigger.Response()).success
    assert not node.step_timer.is_canceled()
    node.set_paused(True)
    assert node.step_timer.is_canceled()


def test_an_overloaded_twin_reports_overruns_though_each_tick_is_cut_short(bridge_in_process):
    # Each tick stops after a quarter of cmd_vel_timeout (3 steps here); a batch's wall-time
    # budget spans the ticks, so a twin that cannot keep the asked factor says so and drops
    # the debt, rather than owing more and more to race through later.
    node = bridge_in_process(real_time_factor=1000.0, cmd_vel_timeout=0.05)
    node.pacing.restart(time.monotonic(), node.sim_ns)
    for _ in range(1000):
        node.on_timer()
        if node.pacing.overruns:
            break
    assert node.pacing.overruns > 0


def test_a_twin_reset_after_halting_owes_nothing_for_the_halt(bridge_in_process):
    # Its step timer stood still while halted; the pacing must start afresh, not race
    # through (and drop as an overrun) the wall time the halt lasted.
    node = bridge_in_process(real_time_factor=1.0)
    node.on_timer()
    node._halt('physics diverged')
    time.sleep(0.2)
    resumed_after = time.monotonic()
    assert node.on_reset(Trigger.Request(), Trigger.Response()).success
    assert node.pacing.anchor[0] >= resumed_after   # owed from the reset on, not before
