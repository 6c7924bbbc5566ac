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
The shadow node beside a bridge in namespace ``robot`` standing in for the robot.

Over DDS the shadow cannot know when a Twist reached the robot's motors, so the drive here
is steady: standing, then straight on from DRIVE_AT, speeding up over RAMP as a velocity
smoother would (a step would put the DDS delay's whole speed change into the residual), and
the fault while the robot drives straight. The fault's start is the bridge's own word: the
simulated time on its latched ``sim/faults`` when the fault became active, so the bound on
the event's delay compares stamps (robot time), not wall time. The changing drives are the
core tests' (test_shadow_core).
"""

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from robot_stand_in import RADIUS
from std_msgs.msg import Float64MultiArray, String
import yaml

ROBOT_NS = ['-r', '__ns:=/robot']
DRIVE_AT = 2.0   # s of robot time after the first odometry: from standing to straight on
ONSET = 6.3      # s of robot time: the right motor dies
DRIVE = 0.15    # m/s, straight on
RAMP = 1.0      # s from standing to DRIVE
DEADLINE = 2.0   # s of robot time from the fault's start to its event (the bound)


def fault_start(faults: list) -> float | None:
    """Return the simulated time the weak motor became active (sim/faults), if it did."""
    for msg in faults:
        document = yaml.safe_load(msg.data)
        if any(fault['kind'] == 'weak_motor' for active in document['active'].values()
               for fault in active):
            return document['sim_time_s']
    return None


def test_shadow_node_is_ok_then_names_the_weak_wheel_within_the_deadline(
        start_bridge, start_node, listener, robot_xacro):
    start_bridge(ros_args=ROBOT_NS, real_time_factor=2.0, **{
        'physical.left_wheel_radius': RADIUS * 1.005,
        'physical.right_wheel_radius': RADIUS * 0.995})
    start_node('twin_shadow.node', ROBOT_NS, robot_description_file=str(robot_xacro),
               enable_stamped_cmd_vel=False)   # the test drives with Twist
    events = listener.record(String, '/robot/shadow/events')
    numbers = listener.record(Float64MultiArray, '/robot/shadow/divergence')
    predicted = listener.record(Odometry, '/robot/shadow/odom')
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    faults = listener.record(String, '/robot/sim/faults')
    drive = listener.node.create_publisher(Twist, '/robot/cmd_vel', 1)
    inject = listener.node.create_publisher(String, '/robot/sim/inject_faults', 10)
    state = {'start': None, 'count': 0, 'injected': False, 'before': None}

    def on_odometry(msg):   # a steady controller at 10 Hz of robot time, the fault on cue
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        state['start'] = stamp if state['start'] is None else state['start']
        state['count'] += 1
        if state['count'] % 5 == 0:
            twist = Twist()
            driving = stamp - state['start'] - DRIVE_AT
            twist.linear.x = DRIVE * min(1.0, max(0.0, driving / RAMP))
            drive.publish(twist)
        if not state['injected'] and stamp - state['start'] >= ONSET:
            state['injected'], state['before'] = True, list(events)
            inject.publish(String(data='faults: [{kind: weak_motor, wheel: right, '
                                       'torque: 0.0, start: 0.0, duration: 100.0}]'))

    listener.spin_until(lambda: inject.get_subscription_count() and
                        drive.get_subscription_count() == 2, 60.0, 'the bridge and the shadow')
    listener.node.create_subscription(Odometry, '/robot/odom', on_odometry, 10)
    listener.spin_until(lambda: events and fault_start(faults) is not None, 120.0,
                        'a shadow event after the fault')
    assert state['before'] == []
    first = events[0].data
    assert 'weak_motor' in first and 'right' in first
    onset = fault_start(faults)
    assert onset <= float(first.split()[0]) <= onset + DEADLINE
    assert numbers and predicted
    shadow_levels = [status.level for array in diagnostics for status in array.status
                     if 'twin_shadow' in status.name]
    assert shadow_levels and shadow_levels[0] == DiagnosticStatus.OK
