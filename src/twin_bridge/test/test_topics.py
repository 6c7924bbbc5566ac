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

"""The topic contract: types, QoS, frame ids and plausible content of every topic."""

import math

from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from rclpy.qos import DurabilityPolicy, qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, JointState, LaserScan
from std_msgs.msg import String
from tf2_msgs.msg import TFMessage

LATCHED = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
TOPICS = {  # topic: (type, QoS to subscribe with)
    '/clock': (Clock, 10), '/scan': (LaserScan, qos_profile_sensor_data),
    '/imu': (Imu, qos_profile_sensor_data), '/odom': (Odometry, 10), '/tf': (TFMessage, 10),
    '/joint_states': (JointState, 10), '/ground_truth/odom': (Odometry, 10),
    '/diagnostics': (DiagnosticArray, 10), '/robot_description': (String, LATCHED),
    '/tf_static': (TFMessage, LATCHED),
}


def stamp_s(header) -> float:
    return seconds(header.stamp)


def seconds(time_msg) -> float:
    return time_msg.sec + time_msg.nanosec * 1e-9


def test_every_contract_topic_with_its_type_qos_and_frames(start_bridge, listener, worlds):
    start_bridge(world_file=str(worlds / 'arena.yaml'), publish_robot_state='true')
    received = {topic: listener.record(msg_type, topic, qos)
                for topic, (msg_type, qos) in TOPICS.items()}
    wanted = {topic: 1 if qos is LATCHED else 2 for topic, (_, qos) in TOPICS.items()}
    listener.spin_until(
        lambda: all(len(received[t]) >= n for t, n in wanted.items()), 60.0,
        lambda: 'messages on ' + ', '.join(f'{t} ({len(received[t])})' for t in TOPICS))

    node = listener.node
    reliability = {topic: node.get_publishers_info_by_topic(topic)[0].qos_profile.reliability
                   for topic in TOPICS}
    assert reliability['/scan'] == reliability['/imu'] == ReliabilityPolicy.BEST_EFFORT
    assert reliability['/odom'] == reliability['/clock'] == ReliabilityPolicy.RELIABLE
    durability = node.get_publishers_info_by_topic('/tf_static')[0].qos_profile.durability
    assert durability == DurabilityPolicy.TRANSIENT_LOCAL

    clock = received['/clock']
    assert seconds(clock[-1].clock) > seconds(clock[0].clock)  # /clock advances

    scan = received['/scan'][-1]
    assert scan.header.frame_id == 'base_scan'
    assert len(scan.ranges) == round((scan.angle_max - scan.angle_min) /
                                     scan.angle_increment) + 1 == 360
    assert any(math.isinf(r) and r > 0 for r in scan.ranges)   # misses are +inf
    assert any(scan.range_min <= r <= scan.range_max for r in scan.ranges)

    imu = received['/imu'][-1]
    assert imu.header.frame_id == 'imu_link'
    assert abs(imu.linear_acceleration.z - 9.81) < 0.2          # REP-145
    assert imu.angular_velocity_covariance[0] > 0.0             # from the noise model

    odom = received['/odom'][-1]
    assert (odom.header.frame_id, odom.child_frame_id) == ('odom', 'base_footprint')
    transforms = [t for m in received['/tf'] for t in m.transforms]
    assert ('odom', 'base_footprint') in {(t.header.frame_id, t.child_frame_id)
                                          for t in transforms}
    static = {(t.header.frame_id, t.child_frame_id)
              for t in received['/tf_static'][0].transforms}
    assert {('base_footprint', 'base_link'), ('base_link', 'base_scan'),
            ('base_link', 'imu_link')} <= static
    assert received['/joint_states'][-1].name == ['wheel_left_joint', 'wheel_right_joint']
    truth = received['/ground_truth/odom'][-1]
    assert truth.header.frame_id == 'odom'                       # relative to the start
    assert abs(truth.pose.pose.position.x) < 0.01
    assert '<robot name="twin_burger"' in received['/robot_description'][0].data
    assert stamp_s(scan.header) > 0.0                            # stamped with sim time


def test_namespace_and_frame_prefix_move_everything(start_bridge, listener):
    start_bridge(frame_prefix='robot1/', ros_args=('-r', '__ns:=/robot1'))
    scans = listener.record(LaserScan, '/robot1/scan', qos_profile_sensor_data)
    odoms = listener.record(Odometry, '/robot1/odom')
    listener.spin_until(lambda: scans and odoms, 60.0, 'namespaced scan and odom')
    assert scans[-1].header.frame_id == 'robot1/base_scan'
    assert (odoms[-1].header.frame_id, odoms[-1].child_frame_id) == \
        ('robot1/odom', 'robot1/base_footprint')
