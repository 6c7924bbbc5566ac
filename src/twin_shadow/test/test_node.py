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
is steady: standing, then one straight command from DRIVE_AT on (a single short ramp, just
after the fault's onset). The test is about the node's wiring and the wheel it names; the
changing drives are the core tests' (test_shadow_core).
"""

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from robot_stand_in import RADIUS
from std_msgs.msg import Float64MultiArray, String

ROBOT_NS = ['-r', '__ns:=/robot']
ONSET = 6.3      # s of robot time after the first odometry: the weak motor starts
DRIVE_AT = 7.0   # s of robot time: from standing to straight on at DRIVE
DRIVE = (0.15, 0.0)   # m/s, rad/s


def test_shadow_node_is_ok_then_names_the_weak_wheel(start_bridge, start_node, listener,
                                                     robot_xacro):
    start_bridge(ros_args=ROBOT_NS, real_time_factor=2.0, **{
        'physical.left_wheel_radius': RADIUS * 1.005,
        'physical.right_wheel_radius': RADIUS * 0.995})
    start_node('twin_shadow.node', ROBOT_NS, robot_description_file=str(robot_xacro),
               enable_stamped_cmd_vel=False)   # the test drives with Twist
    events = listener.record(String, '/robot/shadow/events')
    numbers = listener.record(Float64MultiArray, '/robot/shadow/divergence')
    predicted = listener.record(Odometry, '/robot/shadow/odom')
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    drive = listener.node.create_publisher(Twist, '/robot/cmd_vel', 1)
    inject = listener.node.create_publisher(String, '/robot/sim/inject_faults', 10)
    state = {'start': None, 'count': 0, 'onset': None, 'before': None}

    def on_odometry(msg):   # a steady controller at 10 Hz of robot time, the fault on cue
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        state['start'] = stamp if state['start'] is None else state['start']
        state['count'] += 1
        if state['count'] % 5 == 0:
            twist = Twist()
            if stamp - state['start'] >= DRIVE_AT:
                twist.linear.x, twist.angular.z = DRIVE
            drive.publish(twist)
        if state['onset'] is None and stamp - state['start'] >= ONSET:
            state['onset'], state['before'] = stamp, list(events)
            inject.publish(String(data='faults: [{kind: weak_motor, wheel: right, '
                                       'torque: 0.0, start: 0.0, duration: 100.0}]'))

    listener.spin_until(lambda: inject.get_subscription_count() and
                        drive.get_subscription_count() == 2, 60.0, 'the bridge and the shadow')
    listener.node.create_subscription(Odometry, '/robot/odom', on_odometry, 10)
    listener.spin_until(lambda: events and state['onset'], 120.0, 'a shadow event')
    assert state['before'] == []
    first = events[0].data
    assert 'weak_motor' in first and 'right' in first
    # Only after the onset: the 2 s bound is held by test_shadow_core; over DDS the event
    # came 2-3 s after it in hand runs (docs/shadow.md, open question).
    assert float(first.split()[0]) >= state['onset']
    assert numbers and predicted
    shadow_levels = [status.level for array in diagnostics for status in array.status
                     if 'twin_shadow' in status.name]
    assert shadow_levels and shadow_levels[0] == DiagnosticStatus.OK
