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
The launch files, where ``launch``/``launch_ros`` are installed (a ROS 2 distribution).

Without them (the PyPI environment) these tests are skipped with the reason; they are never
counted as passed. The rules the launch files apply are pure and tested everywhere
(test_arguments.py); ``twin run`` covers that environment (twin_tools).
"""

import importlib.util
import os
from pathlib import Path
import signal
import subprocess
import sys

import pytest
from rosgraph_msgs.msg import Clock
from tf2_msgs.msg import TFMessage
from twin.arguments import defaults, SIM_ARGUMENTS

launch = pytest.importorskip(
    'launch', reason='launch is not importable (no ROS 2 distribution sourced): the launch '
                     'files cannot be built or run here')
pytest.importorskip('launch_ros',
                    reason='launch_ros is not importable (no ROS 2 distribution sourced)')

LAUNCH_FILES = ('sim', 'hardware', 'bringup', 'controllers/example_controller',
                'controllers/obstacle_stop', 'controllers/wall_follower',
                'controllers/go_to_goal', 'controllers/policy')
RUN_LAUNCH = """
import signal
import sys
import launch
# Ctrl-C reaches the launch as in a terminal, even when the tests run in a background job
# (which starts with SIGINT ignored: launch would never see it).
signal.signal(signal.SIGINT, signal.default_int_handler)
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
service = launch.LaunchService()
service.include_launch_description(launch.LaunchDescription([IncludeLaunchDescription(
    PythonLaunchDescriptionSource(sys.argv[1]),
    launch_arguments=[a.split(':=') for a in sys.argv[2:]])]))
sys.exit(service.run())
"""


def installed_launch_file(name: str) -> Path:
    from ament_index_python.packages import get_package_share_directory
    return Path(get_package_share_directory('twin'), 'launch', f'{name}.launch.py')


def launch_description(name: str):
    spec = importlib.util.spec_from_file_location(name.replace('/', '_'),
                                                  installed_launch_file(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_launch_description()


def run_launch(name: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', RUN_LAUNCH, str(installed_launch_file(name)),
                           *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=90)


class Running:
    """A launch file running as ``ros2 launch`` in a terminal: its own process group."""

    def __init__(self, log: Path, name: str, *arguments: str):
        self.log = log
        with open(log, 'w') as output:
            self.process = subprocess.Popen(
                [sys.executable, '-c', RUN_LAUNCH, str(installed_launch_file(name)),
                 *arguments], stdout=output, stderr=subprocess.STDOUT, process_group=0)

    def interrupt(self) -> None:
        """
        Ctrl-C: SIGINT to the whole group, as a terminal sends it; check everything ended well.

        launch then leaves the signal to its processes and sends SIGTERM to those still there
        after 5 s: a node that does not stop on SIGINT shows as that escalation.
        """
        os.killpg(self.process.pid, signal.SIGINT)
        assert self.process.wait(timeout=30) == 0, self.log.read_text()
        output = self.log.read_text()
        assert "escalating to 'SIGTERM'" not in output, output
        assert 'Traceback' not in output, output
        with pytest.raises(ProcessLookupError):   # nothing of the launch left running
            os.killpg(self.process.pid, 0)


def read_by_the_bridge(listener, topic: str) -> bool:
    """Tell whether the twin bridge subscribes to ``topic``: it is up and reads it."""
    return any(info.node_name == 'twin_bridge'
               for info in listener.node.get_subscriptions_info_by_topic(topic))


def test_sim_launch_shows_exactly_the_bringup_arguments_with_their_defaults():
    arguments = launch_description('sim').get_launch_arguments()
    assert [a.name for a in arguments] == list(SIM_ARGUMENTS)   # no use_sim_time
    assert {a.name: a.default_value[0].perform(None) for a in arguments} == defaults()


def test_a_bad_controller_fails_before_the_bridge_starts():
    result = run_launch('sim', 'controller:=wall_folower')
    output = result.stdout
    assert result.returncode == 1
    assert "controller: 'wall_folower' is neither an example controller" in output
    assert 'twin_bridge' not in output   # never started: nothing left orphaned


def test_a_bridge_that_cannot_start_fails_the_launch_with_its_reason_last(tmp_path):
    robot = tmp_path / 'broken.urdf'
    robot.write_text('<robot')
    result = run_launch('sim', f'robot:={robot}')
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1
    assert 'the twin bridge failed (exit code 1): cannot start: ' in last
    assert str(robot) in last


@pytest.mark.parametrize('name', LAUNCH_FILES)
def test_launch_file_builds_and_describes_every_argument(name):
    description = launch_description(name)
    arguments = description.get_launch_arguments()
    assert arguments
    undescribed = [a.name for a in arguments
                   if not a.description or a.description == 'no description given']
    assert not undescribed


def test_sim_launch_brings_up_topics_tf_chain_and_clock(listener, tmp_path):
    launched = Running(tmp_path / 'launch.log', 'sim', 'real_time_factor:=2.0')
    try:
        clocks = listener.record(Clock, '/clock')
        transforms = set()

        def collect(msg):
            transforms.update((t.header.frame_id, t.child_frame_id) for t in msg.transforms)
        from rclpy.qos import DurabilityPolicy, QoSProfile
        listener.node.create_subscription(TFMessage, '/tf', collect, 10)
        listener.node.create_subscription(
            TFMessage, '/tf_static', collect,
            QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        chain = {('odom', 'base_footprint'), ('base_footprint', 'base_link'),
                 ('base_link', 'base_scan')}
        listener.spin_until(lambda: chain <= transforms and len(clocks) > 10, 60.0,
                            lambda: f'the TF chain (have {sorted(transforms)}) and /clock')
        assert clocks[-1].clock.sec * 10**9 + clocks[-1].clock.nanosec > \
            clocks[0].clock.sec * 10**9 + clocks[0].clock.nanosec
        topics = {name for name, _ in listener.node.get_topic_names_and_types()}
        assert {'/scan', '/imu', '/odom', '/tf', '/joint_states', '/clock'} <= topics
    finally:
        launched.interrupt()


def test_a_namespace_moves_the_tf_topics_and_keeps_the_frames_unprefixed(listener, tmp_path):
    launched = Running(tmp_path / 'launch.log', 'sim', 'namespace:=tb0',
                       'real_time_factor:=2.0')
    try:
        transforms = set()
        listener.node.create_subscription(TFMessage, '/tb0/tf', lambda msg: transforms.update(
            (t.header.frame_id, t.child_frame_id) for t in msg.transforms), 10)
        listener.spin_until(lambda: transforms, 60.0, '/tb0/tf')
        assert ('odom', 'base_footprint') in transforms   # Nav2's convention: no tb0/ prefix
    finally:
        launched.interrupt()


@pytest.mark.parametrize('controller', ['wall_follower', 'policy'])
def test_an_example_controller_by_name_starts_and_commands_the_twin(
        listener, controller, tmp_path):
    launched = Running(tmp_path / 'launch.log', 'sim', f'controller:={controller}',
                       'real_time_factor:=2.0')
    try:
        from geometry_msgs.msg import TwistStamped
        commands = listener.record(TwistStamped, '/cmd_vel')
        listener.spin_until(lambda: commands, 60.0, f'TwistStamped on /cmd_vel from {controller}')
        listener.spin_until(lambda: read_by_the_bridge(listener, '/cmd_vel'), 60.0,
                            'the bridge reading /cmd_vel')
        # Node names come with DDS discovery of the process, which may trail its messages.
        listener.spin_until(lambda: controller in listener.node.get_node_names(), 60.0,
                            f'the node {controller} in the ROS graph')
    finally:
        launched.interrupt()


def test_with_several_robots_the_controller_drives_the_first(listener, tmp_path):
    robots = tmp_path / 'robots.yaml'
    robots.write_text('/**:\n  ros__parameters:\n    robots: [tb0, tb1]\n'
                      '    robot_spawns: [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]\n')
    launched = Running(tmp_path / 'launch.log', 'sim', f'params_file:={robots}',
                       'controller:=wall_follower', 'real_time_factor:=2.0')
    try:
        from geometry_msgs.msg import TwistStamped
        commands = listener.record(TwistStamped, '/tb0/cmd_vel')
        listener.spin_until(lambda: commands, 60.0, 'TwistStamped on /tb0/cmd_vel')
        listener.spin_until(lambda: read_by_the_bridge(listener, '/tb0/cmd_vel'), 60.0,
                            'the bridge reading /tb0/cmd_vel')
        assert not read_by_the_bridge(listener, '/cmd_vel')   # no robot without a name
        assert commands[-1].header.stamp.sec < 10**9   # on the twin's clock, not the wall's
    finally:
        launched.interrupt()


def test_a_params_file_reaches_the_bridge_under_the_launch_arguments(listener, tmp_path):
    profile = tmp_path / 'profile.yaml'
    profile.write_text('/**:\n  ros__parameters:\n    physical.left_wheel_radius: 0.0345\n'
                       '    seed: 99\n')
    launched = Running(tmp_path / 'launch.log', 'sim', f'params_file:={profile}', 'seed:=5')
    try:
        from rcl_interfaces.srv import GetParameters
        client = listener.node.create_client(GetParameters, '/twin_bridge/get_parameters')
        listener.spin_until(client.service_is_ready, 60.0, "the bridge's parameter service")
        future = client.call_async(GetParameters.Request(
            names=['physical.left_wheel_radius', 'seed']))
        listener.spin_until(future.done, 30.0, "the bridge's parameters")
        radius, seed = future.result().values
        assert radius.double_value == 0.0345   # the profile's
        assert seed.integer_value == 5         # the launch argument wins
    finally:
        launched.interrupt()


def test_hardware_launch_without_drivers_fails_clearly():
    result = subprocess.run(
        [sys.executable, '-c', RUN_LAUNCH, str(installed_launch_file('hardware'))],
        capture_output=True, text=True, timeout=60)
    if 'turtlebot3_bringup' not in result.stderr + result.stdout:
        pytest.skip('turtlebot3_bringup is installed: the default drivers exist here')
    assert result.returncode != 0
    assert 'no robot drivers' in result.stderr + result.stdout


def test_the_shadow_runs_beside_a_robot_and_stops_on_ctrl_c(listener, tmp_path):
    drivers = tmp_path / 'drivers.launch.py'   # the twin plays the robot: no drivers to start
    drivers.write_text('from launch import LaunchDescription\n\n\n'
                       'def generate_launch_description():\n    return LaunchDescription([])\n')
    robot = Running(tmp_path / 'robot.log', 'sim', 'real_time_factor:=2.0')
    try:
        shadow = Running(tmp_path / 'shadow.log', 'hardware', 'shadow:=true',
                         'shadow_world:=arena', f'driver_launch:={drivers}')
        try:
            from nav_msgs.msg import Odometry
            predicted = listener.record(Odometry, '/shadow/odom')
            listener.spin_until(lambda: predicted, 60.0, "the shadow's /shadow/odom")
        finally:
            shadow.interrupt()
    finally:
        robot.interrupt()
