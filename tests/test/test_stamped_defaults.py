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


"""The twin ships the Jazzy TurtleBot3's cmd_vel type, TwistStamped, in every default."""

from nav_msgs.msg import Odometry
import pytest
import rclpy
from twin.arguments import arguments, bridge_parameters_file
from twin_bridge.parameters import BridgeSettings
from twin_examples.go_to_goal import GoToGoal
from twin_examples.obstacle_stop import ObstacleStop
from twin_examples.wall_follower import WallFollower
from twin_tests.messages import planar_pose
import yaml


@pytest.fixture
def ros_context():
    """Initialise rclpy for nodes made in this process."""
    rclpy.init()
    yield
    rclpy.shutdown()


def test_every_shipped_default_is_twist_stamped(ros_context):
    with open(bridge_parameters_file()) as shipped:
        listed = yaml.safe_load(shipped)['/**']['ros__parameters']['enable_stamped_cmd_vel']
    examples = []
    for example in (GoToGoal, ObstacleStop, WallFollower):
        node = example()
        examples.append(node.get_parameter('enable_stamped_cmd_vel').value)
        node.destroy_node()
    launch_default = arguments()['enable_stamped_cmd_vel'].default_text()
    assert (listed, BridgeSettings().enable_stamped_cmd_vel, launch_default, examples) == \
        (True, True, 'true', [True, True, True])


def test_the_shipped_defaults_drive_the_robot(start_node, listener, robot_xacro, world_file):
    # No enable_stamped_cmd_vel on either side: the defaults alone must agree.
    start_node('twin_bridge.bridge_node', robot_description_file=str(robot_xacro),
               world_file=str(world_file('arena')), real_time_factor=4.0)
    truth = listener.record(Odometry, 'ground_truth/odom')
    listener.wait_matched('ground_truth/odom')
    start_node('twin_examples.obstacle_stop', use_sim_time=True, speed=0.15)
    listener.spin_until(lambda: truth and truth[-1].pose.pose.position.x > 0.3, 120.0,
                        lambda: f'the robot to drive 0.3 m forward (now at '
                                f'{planar_pose(truth[-1]) if truth else "?"})')
    types = {info.topic_type for info in listener.node.get_subscriptions_info_by_topic('cmd_vel')}
    assert types == {'geometry_msgs/msg/TwistStamped'}   # as the Jazzy TurtleBot3's driver
