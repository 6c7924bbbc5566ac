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

"""Several robots in one bridge: each under its own namespace, in one world and one /clock."""

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import LaserScan
from std_msgs.msg import Bool
from tf2_msgs.msg import TFMessage
from twin_bridge.robot_drivers import qos_profile_sensor_data


def test_each_robot_has_its_namespace_frames_and_commands(start_bridge, listener):
    # Two robots 1 m apart, facing each other.
    start_bridge(robots=['tb0', 'tb1'], robot_spawns=[0.0, 0.0, 0.0, 1.0, 0.0, 3.14159],
                 e_stop_topic='/fleet_stop')   # absolute: one e-stop for every robot
    truth = {name: listener.record(Odometry, f'{name}/ground_truth/odom')
             for name in ('tb0', 'tb1')}
    scans = listener.record(LaserScan, 'tb0/scan', qos_profile_sensor_data)
    transforms = listener.record(TFMessage, 'tb1/tf', 100)
    clocks = listener.record(Clock, '/clock', 100)
    diagnostics = listener.record(DiagnosticArray, '/diagnostics')
    command = listener.node.create_publisher(Twist, 'tb1/cmd_vel', 1)
    listener.spin_until(lambda: scans and transforms and all(truth.values()) and clocks,
                        30.0, 'both robots publishing')
    assert scans[-1].header.frame_id == 'tb0/base_scan'
    assert min(scans[-1].ranges) < 1.1            # tb0 sees tb1 (else all +inf)
    odom_tf = next(t for t in transforms[-1].transforms
                   if t.child_frame_id == 'tb1/base_footprint')
    assert odom_tf.header.frame_id == 'tb1/odom'

    def drive():
        msg = Twist()
        msg.angular.z = 1.0
        command.publish(msg)
        return truth['tb1'][-1].twist.twist.angular.z > 0.5
    listener.spin_until(drive, 30.0, 'tb1 turning on its cmd_vel')
    assert abs(truth['tb0'][-1].twist.twist.angular.z) < 0.01   # tb0 was not commanded
    listener.spin_until(lambda: diagnostics, 30.0, 'diagnostics')
    statuses = {status.name for status in diagnostics[-1].status}
    assert {'twin_bridge: simulation', 'twin_bridge: tb0', 'twin_bridge: tb1'} <= statuses

    stop = listener.node.create_publisher(Bool, '/fleet_stop', 10)

    def both_stopped() -> bool:
        stop.publish(Bool(data=True))
        e_stops = [item.value for status in diagnostics[-1].status for item in status.values
                   if item.key == 'e_stop']
        return e_stops == ['true', 'true']
    listener.spin_until(both_stopped, 30.0, 'both robots e-stopped by /fleet_stop')
