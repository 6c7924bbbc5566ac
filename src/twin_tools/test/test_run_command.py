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

"""The run command brings the twin up headless, shows its status, and loads other robots."""

from pathlib import Path
import re
import shutil
import signal
import subprocess

from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
import pytest
from rcl_interfaces.srv import GetParameters
from twin_tools import run
from twin_tools.run import (bridge_parameter_values, checked_commands, controller_command,
                            first_robot, main, parser)

STATUS = re.compile(r'^sim +(\d+\.\d+) s \| factor +(\d+\.\d+) \| x +([-+]?\d+\.\d{3}) '
                    r'y +([-+]?\d+\.\d{3}) yaw', re.MULTILINE)

# Not a TurtleBot: other link and joint names, a flipped right-wheel axis, 5 cm wheels 30 cm
# apart, two ball casters, and its root link on the ground.
OTHER_ROBOT = """<?xml version="1.0"?>
<robot name="other_robot">
  <link name="chassis">
    <collision><origin xyz="0 0 0.09"/><geometry><box size="0.40 0.26 0.08"/></geometry>
    </collision>
    <inertial><origin xyz="0 0 0.09"/><mass value="3.0"/>
      <inertia ixx="0.02" ixy="0" ixz="0" iyy="0.04" iyz="0" izz="0.05"/></inertial>
  </link>
  <joint name="left_hinge" type="continuous">
    <parent link="chassis"/><child link="left_tyre"/>
    <origin xyz="0 0.15 0.05"/><axis xyz="0 1 0"/><limit effort="5.0" velocity="20"/>
  </joint>
  <link name="left_tyre">
    <collision><origin rpy="1.5707963 0 0"/><geometry><cylinder radius="0.05" length="0.03"/>
    </geometry></collision>
    <inertial><mass value="0.2"/><inertia ixx="1e-4" ixy="0" ixz="0" iyy="2e-4" iyz="0"
      izz="1e-4"/></inertial>
  </link>
  <joint name="right_hinge" type="continuous">
    <parent link="chassis"/><child link="right_tyre"/>
    <origin xyz="0 -0.15 0.05"/><axis xyz="0 -1 0"/><limit effort="5.0" velocity="20"/>
  </joint>
  <link name="right_tyre">
    <collision><origin rpy="1.5707963 0 0"/><geometry><cylinder radius="0.05" length="0.03"/>
    </geometry></collision>
    <inertial><mass value="0.2"/><inertia ixx="1e-4" ixy="0" ixz="0" iyy="2e-4" iyz="0"
      izz="1e-4"/></inertial>
  </link>
  <joint name="front_ball" type="fixed"><parent link="chassis"/><child link="front_caster"/>
    <origin xyz="0.17 0 0.02"/></joint>
  <link name="front_caster">
    <collision><geometry><sphere radius="0.02"/></geometry></collision>
    <inertial><mass value="0.01"/><inertia ixx="1e-6" ixy="0" ixz="0" iyy="1e-6" iyz="0"
      izz="1e-6"/></inertial>
    <contact><lateral_friction value="0.0"/></contact>
  </link>
  <joint name="back_ball" type="fixed"><parent link="chassis"/><child link="back_caster"/>
    <origin xyz="-0.17 0 0.02"/></joint>
  <link name="back_caster">
    <collision><geometry><sphere radius="0.02"/></geometry></collision>
    <inertial><mass value="0.01"/><inertia ixx="1e-6" ixy="0" ixz="0" iyy="1e-6" iyz="0"
      izz="1e-6"/></inertial>
    <contact><lateral_friction value="0.0"/></contact>
  </link>
  <joint name="laser_mount" type="fixed"><parent link="chassis"/><child link="laser"/>
    <origin xyz="0.1 0 0.16"/></joint>
  <link name="laser"/>
  <joint name="imu_mount" type="fixed"><parent link="chassis"/><child link="imu"/>
    <origin xyz="0 0 0.1"/></joint>
  <link name="imu"/>
</robot>
"""


def run_twin(*arguments: str) -> subprocess.Popen:
    """Start ``twin run`` as a user types it (the command on PATH)."""
    return subprocess.Popen([shutil.which('twin'), 'run', *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_twin_run_brings_the_twin_up_and_shows_the_pose():
    twin = run_twin('--world', 'arena', '--real-time-factor', '2', '--duration', '5')
    output, _ = twin.communicate(timeout=90)
    assert twin.returncode == 0, output
    lines = STATUS.findall(output)
    assert lines, f'no status line in:\n{output}'
    sim_time, factor, x, y = (float(v) for v in lines[-1])
    assert sim_time > 2.0 and factor > 0.5
    assert abs(x) < 0.01 and abs(y) < 0.01   # at rest at its start (the odom origin)


def test_a_different_robot_loads_by_its_urdf_and_wheel_joint_names(tmp_path, listener):
    urdf = tmp_path / 'other_robot.urdf'
    urdf.write_text(OTHER_ROBOT)
    twin = run_twin('--world', 'empty', '--robot', str(urdf), '--real-time-factor', '2',
                    '--param', 'wheels.left_joint:=left_hinge',
                    '--param', 'wheels.right_joint:=right_hinge',
                    '--param', 'base_frame:=chassis', '--param', 'lidar.link:=laser',
                    '--param', 'imu.link:=imu', '--param', 'enable_stamped_cmd_vel:=false')
    try:
        odom = listener.record(Odometry, 'odom')
        truth = listener.record(Odometry, 'ground_truth/odom')
        command = listener.node.create_publisher(Twist, 'cmd_vel', 1)
        forward = Twist()
        forward.linear.x = 0.2

        def drive():
            command.publish(forward)
            return odom and odom[-1].pose.pose.position.x > 0.5
        listener.spin_until(drive, 90.0, 'the other robot to drive 0.5 m forward')
        assert odom[-1].child_frame_id == 'chassis'
        assert truth[-1].pose.pose.position.x == pytest.approx(
            odom[-1].pose.pose.position.x, abs=0.02)
        assert abs(truth[-1].pose.pose.position.y) < 0.02   # straight: the signs are right
    finally:
        twin.send_signal(signal.SIGINT)
        output, _ = twin.communicate(timeout=60)
    assert twin.returncode == 0, output


def test_the_status_line_and_the_controller_follow_the_first_of_several_robots():
    assert first_robot(['seed:=3', 'robots:=[tb0, tb1]']) == 'tb0'
    assert first_robot(['robots:=[]']) == first_robot([]) == ''
    assert controller_command('obstacle_stop', 'tb0')[-2:] == ['-r', '__ns:=/tb0']
    assert '-r' not in controller_command('obstacle_stop')


def test_the_controller_speaks_the_cmd_vel_type_of_the_bridge(monkeypatch):
    monkeypatch.setattr(run, 'launch_command', lambda options: None)   # the nodes directly

    def stamped(*arguments: str) -> bool:
        options = parser().parse_args(['--controller', 'obstacle_stop', *arguments])
        controller = checked_commands(options)[-1]
        bridge = bridge_parameter_values(options)['enable_stamped_cmd_vel']
        assert f'enable_stamped_cmd_vel:={str(bridge).lower()}' in controller
        return bridge
    assert stamped() is True   # the Jazzy TurtleBot3's TwistStamped
    assert stamped('--param', 'enable_stamped_cmd_vel:=false') is False


def test_a_cmd_vel_type_that_is_not_a_bool_is_one_line_before_anything_starts(capsys):
    assert main(['--param', 'enable_stamped_cmd_vel:=maybe']) == 2
    assert capsys.readouterr().err.count('\n') == 1


def calibration_profile(path: Path) -> Path:
    """Write a profile as ``twin calibrate`` does (its writer), with made-up fitted values."""
    from twin_calibration.testing import write_made_up_profile
    return write_made_up_profile(path, {
        'left_radius': (0.0345, 1e-5), 'right_radius': (0.0327, 1e-5),
        'separation': (0.1664, 1e-4), 'gyro_bias': (0.002, 1e-5),
        'time_constant': (0.12, 1e-3), 'dead_time': (0.03, 1e-3),
        'gyro_noise': (0.004, 1e-5), 'accel_noise': (0.02, 1e-4),
        'range_noise': (0.015, 1e-4), 'dropout': (0.01, 1e-3)})


def test_a_calibration_profile_loads_into_the_twin_and_the_options_win(tmp_path, listener):
    profile = calibration_profile(tmp_path / 'my_robot.yaml')
    twin = run_twin('--world', 'empty', '--params-file', str(profile), '--seed', '5')
    try:
        client = listener.node.create_client(GetParameters, '/twin_bridge/get_parameters')
        listener.spin_until(client.service_is_ready, 90.0, "the bridge's parameter service")
        future = client.call_async(GetParameters.Request(
            names=['physical.left_wheel_radius', 'drive.dead_time', 'seed']))
        listener.spin_until(future.done, 30.0, "the bridge's parameters")
        radius, dead_time, seed = future.result().values
        assert radius.double_value == 0.0345 and dead_time.double_value == 0.03
        assert seed.integer_value == 5     # an option wins over the file
    finally:
        twin.send_signal(signal.SIGINT)
        output, _ = twin.communicate(timeout=60)
    assert twin.returncode == 0, output
