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
Injected faults in the bridge: late commands, lost messages, a stalled clock, live injection.

The rules are pure (DelayLine, DroppingPublisher) and tested in milliseconds; the node's
wiring is tested in process, and once over DDS (a fault in /diagnostics and sim/faults).
"""

from pathlib import Path
from unittest import mock

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
import numpy as np
import pytest
from rclpy.parameter import Parameter
from std_msgs.msg import String
from twin_bridge.bridge_node import BridgeNode
from twin_bridge.command import BodyTwist
from twin_bridge.fault_injection import DelayLine, DroppingPublisher
from twin_bridge.injection import LATCHED, varied_parameters
from twin_bridge.parameters import PARAMETERS_BY_NAME
from twin_bridge.testing import diagnostics_value
from twin_sim import TwinConfig
import yaml

NS = 1_000_000_000
MS = 1_000_000
CONFIG = Path(__file__).resolve().parents[3] / 'config'


# -- the rules --------------------------------------------------------------------------


def test_a_delay_line_hands_on_each_command_exactly_its_delay_late():
    line = DelayLine(0.2)
    outputs = {}
    for ms in range(0, 2000):
        command = (0.1, 0.0) if ms < 1000 else (0.2, 0.5)
        outputs[ms] = line.delayed(ms * MS, command)
    assert outputs[0] == (0.1, 0.0)           # in force when the delay began: already sent
    assert outputs[1199] == (0.1, 0.0)
    assert outputs[1200] == (0.2, 0.5)


def test_a_delay_line_keeps_every_change_in_order():
    line = DelayLine(0.01)
    commands = [(0.0, float(k % 3)) for k in range(100)]
    out = [line.delayed(ms * MS, command) for ms, command in enumerate(commands)]
    assert out[10:] == commands[:90]


def test_a_dropping_publisher_drops_with_its_probability():
    sink = mock.Mock()
    rng = np.random.default_rng(1)
    always, half = DroppingPublisher(sink, 1.0, rng), DroppingPublisher(sink, 0.5, rng)
    for k in range(1000):
        always.publish(k)
    assert sink.publish.call_count == 0 and always.dropped == 1000
    for k in range(1000):
        half.publish(k)
    assert 400 < sink.publish.call_count < 600
    assert sink.publish.call_count + half.dropped == 1000


def test_a_variation_names_the_parameter_it_varies():
    varied = varied_parameters(TwinConfig(robot=''))
    assert varied['lidar.range_noise_std'] == 'lidar.range_noise_std'
    assert {'imu.gyro_noise_std', 'odometry.encoder_ticks_per_revolution',
            'lidar.dropout_probability'} <= set(varied)
    assert set(varied) <= set(PARAMETERS_BY_NAME)
    assert 'lidar.rate' not in varied and 'seed' not in varied   # another sensor, not a unit


# -- the node, in process ---------------------------------------------------------------


@pytest.fixture
def make_node(bridge_in_process, tmp_path):
    made = []

    def make(faults: list | None = None, **parameters) -> BridgeNode:
        if faults is not None:
            path = tmp_path / f'faults{len(made)}.yaml'
            path.write_text(yaml.safe_dump({'faults': faults}))
            parameters['faults_file'] = str(path)
        made.append(bridge_in_process(**parameters))
        return made[-1]

    return make


def run(node, seconds: float) -> None:
    """Advance the node's physics to its last step before ``seconds`` of simulated time."""
    twin = node.twin
    while twin.time_at(twin.steps + 1) < seconds * NS:
        node.advance()


def test_a_stalled_clock_publishes_nothing_until_it_ends(make_node):
    node = make_node([{'kind': 'stalled_clock', 'start': 0.5, 'duration': 0.5}])
    clock = node.clock_pub = node.injection.real_clock_pub = mock.Mock()
    odom = node.drivers[0].odom_pub = node.drivers[0].real_publishers['odom'] = mock.Mock()
    run(node, 0.5)
    before = clock.publish.call_count, odom.publish.call_count
    assert min(before) > 0
    run(node, 1.0)
    assert (clock.publish.call_count, odom.publish.call_count) == before
    run(node, 1.1)
    assert clock.publish.call_count > before[0] and odom.publish.call_count > before[1]


def test_dropped_messages_lose_their_topic_only_while_the_fault_lasts(make_node):
    node = make_node([{'kind': 'dropped_messages', 'topic': 'odom', 'start': 0.5,
                       'duration': 0.5}])
    drivers = node.drivers[0]
    odom = drivers.real_publishers['odom'] = drivers.odom_pub = mock.Mock()
    truth = drivers.real_publishers['ground_truth/odom'] = drivers.truth_pub = mock.Mock()
    run(node, 0.5)
    counts = odom.publish.call_count, truth.publish.call_count
    run(node, 1.0)
    assert odom.publish.call_count == counts[0]           # dropped
    assert truth.publish.call_count > counts[1]           # the others go on
    run(node, 1.1)
    assert odom.publish.call_count > counts[0]
    assert drivers.odom_pub is odom                       # the real publisher is back


def test_a_latency_spike_delays_commands_by_its_delay(make_node):
    node = make_node([{'kind': 'latency_spike', 'delay': 0.25, 'start': 0.0,
                       'duration': 10.0}])
    drivers = node.drivers[0]
    run(node, 0.5)
    sent = []
    drivers.robot.set_command = lambda linear, angular: sent.append((node.sim_ns, linear))
    drivers.gate.offer(BodyTwist(linear_x=0.1), node.sim_ns, None)
    offered_ns = node.sim_ns
    run(node, 1.0)
    first = next(ns for ns, linear in sent if linear > 0.0)
    assert first - offered_ns == pytest.approx(0.25 * NS, abs=node.twin.time_at(1))


def test_live_injection_counts_from_now_and_a_bad_document_is_refused(make_node):
    node = make_node()
    run(node, 1.0)
    node.get_logger = mock.Mock()
    node.injection.on_inject(String(data='faults: [{kind: lidar_blackout, duration: 1}]'))
    assert 'faults not injected: sim/inject_faults: faults[0] (lidar_blackout): give either' \
        in node.get_logger().warn.call_args[0][0]
    node.injection.on_inject(String(data='faults: [{kind: imu_freeze, start: 0, '
                                         'duration: 0.5}]'))
    assert [f.kind for f in node.twin.robots[0].active_faults] == ['imu_freeze']
    status = node._robot_status(node.drivers[0])
    assert status.level == DiagnosticStatus.WARN and status.message == 'faults injected'
    run(node, 1.6)
    assert node.twin.robots[0].active_faults == []


def test_reset_starts_the_episode_the_parameter_names(make_node):
    node = make_node(variations_file=str(CONFIG / 'variations' / 'everything.yaml'), seed=3)
    published = []
    node.injection.variation_pub = mock.Mock(publish=lambda msg: published.append(msg.data))
    node.set_parameters([Parameter('episode', value=7)])
    response = node.on_reset(mock.Mock(), mock.Mock())
    assert response.success and 'episode 7' in response.message
    drawn = yaml.safe_load(published[-1])
    assert (drawn['seed'], drawn['episode']) == (3, 7)
    assert drawn['values'] == pytest.approx(node.twin.variation)
    values = {kv.key: kv.value for kv in node._simulation_status().values}
    assert values['episode'] == '7'
    assert float(values['variation.floor.friction']) == pytest.approx(
        node.twin.variation['floor.friction'], rel=1e-5)


def test_a_bad_fault_file_stops_the_bridge_with_its_place(make_node, tmp_path):
    with pytest.raises(Exception, match=r'faults0.yaml: faults\[0\] \(wheel_slip\): '
                                        'traction is required'):
        make_node([{'kind': 'wheel_slip', 'wheel': 'left', 'start': 0, 'duration': 1}])


# -- over DDS ---------------------------------------------------------------------------


def test_an_active_fault_shows_in_diagnostics_and_on_sim_faults(
        start_bridge, listener, tmp_path):
    faults = tmp_path / 'faults.yaml'
    faults.write_text('faults:\n  - {kind: lidar_blackout, start: 0.0, duration: .inf}\n')
    start_bridge(faults_file=str(faults))
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    active = listener.record(String, 'sim/faults', LATCHED)
    listener.spin_until(lambda: diagnostics_value(diagnostics, 'faults_active') and active,
                        60.0, 'diagnostics and sim/faults')
    assert diagnostics_value(diagnostics, 'faults_active') == 'lidar_blackout'
    assert yaml.safe_load(active[-1].data)['active']['robot'] == [{'kind': 'lidar_blackout'}]
    robot = [status for array in diagnostics for status in array.status
             if status.name.endswith(': robot')][-1]
    assert robot.level == DiagnosticStatus.WARN
