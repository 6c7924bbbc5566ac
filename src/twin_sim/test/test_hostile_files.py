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

"""Hostile world and robot files: each refused at the start with one line naming the place."""

import pytest
from twin_sim import DescriptionError, load_robot_description, load_world
from twin_sim.worlds import MAX_OBJECTS

BINARY = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80'

# Xacro in a file named .urdf, as TurtleBot3's Jazzy turtlebot3_burger.urdf is: a namespace
# argument prefixes the link names, so only expanded does it name wheel_left_joint's links.
XACRO_IN_URDF = """<?xml version="1.0"?>
<robot name="mini" xmlns:xacro="http://www.ros.org/wiki/xacro">
  <xacro:arg name="namespace" default=""/>
  <xacro:property name="namespace" value="$(arg namespace)"/>
  <xacro:macro name="body" params="name mass">
    <link name="${namespace}${name}">
      <inertial><mass value="${mass}"/>
        <inertia ixx="1e-4" ixy="0" ixz="0" iyy="1e-4" iyz="0" izz="1e-4"/></inertial>
      <collision><geometry><cylinder radius="0.033" length="0.018"/></geometry></collision>
    </link>
  </xacro:macro>
  <link name="${namespace}base_footprint"/>
  <xacro:body name="base_link" mass="0.8"/>
  <joint name="${namespace}base_joint" type="fixed">
    <parent link="${namespace}base_footprint"/><child link="${namespace}base_link"/>
    <origin xyz="0 0 0.033"/>
  </joint>
  <xacro:macro name="wheel" params="side y">
    <xacro:body name="wheel_${side}_link" mass="0.03"/>
    <joint name="${namespace}wheel_${side}_joint" type="continuous">
      <parent link="${namespace}base_link"/><child link="${namespace}wheel_${side}_link"/>
      <origin xyz="0 ${y} 0" rpy="-1.5708 0 0"/><axis xyz="0 0 1"/>
    </joint>
  </xacro:macro>
  <xacro:wheel side="left" y="0.08"/>
  <xacro:wheel side="right" y="-0.08"/>
  <link name="${namespace}base_scan"/>
  <joint name="${namespace}scan_joint" type="fixed">
    <parent link="${namespace}base_link"/><child link="${namespace}base_scan"/>
    <origin xyz="0 0 0.15"/>
  </joint>
  <link name="${namespace}imu_link"/>
  <joint name="${namespace}imu_joint" type="fixed">
    <parent link="${namespace}base_link"/><child link="${namespace}imu_link"/>
  </joint>
</robot>
"""


def robot_with(wheel_mass: str = '0.03', wheel_origin: str = '0 0.08 0') -> str:
    """Return a two-wheeled URDF (plain XML) with the given wheel mass and joint origin."""
    wheels = ''.join(
        f'<link name="wheel_{side}_link"><inertial><mass value="{wheel_mass}"/>'
        '<inertia ixx="1e-4" ixy="0" ixz="0" iyy="1e-4" iyz="0" izz="1e-4"/></inertial>'
        '</link>'
        f'<joint name="wheel_{side}_joint" type="continuous"><parent link="base_link"/>'
        f'<child link="wheel_{side}_link"/><origin xyz="{wheel_origin}"/>'
        '<axis xyz="0 1 0"/></joint>' for side in ('left', 'right'))
    return ('<robot name="r"><link name="base_link"><inertial><mass value="1"/>'
            '<inertia ixx="1e-2" ixy="0" ixz="0" iyy="1e-2" iyz="0" izz="1e-2"/></inertial>'
            f'</link>{wheels}</robot>')


def test_xacro_in_a_urdf_file_is_expanded(tmp_path, make_twin):
    path = tmp_path / 'mini.urdf'
    path.write_text(XACRO_IN_URDF)
    description = load_robot_description(path)
    assert 'name="wheel_left_link"' in description.urdf and '${' not in description.urdf
    twin = make_twin(robot=path)
    assert twin.robot.wheel_radius == pytest.approx(0.033)


@pytest.mark.parametrize('urdf, message', [
    (robot_with(wheel_origin='0 nan 0'),
     r"joint 'wheel_left_joint': <origin xyz=\"0 nan 0\">: expected finite numbers"),
    (robot_with(wheel_origin='0 inf 0'), 'expected finite numbers'),
    (robot_with(wheel_mass='nan'), r"link 'wheel_left_link': <mass value=\"nan\">"),
    (robot_with(wheel_mass='0'), "link 'wheel_left_link': mass 0 kg, but joint "
     "'wheel_left_joint' moves it"),
    (robot_with(wheel_mass='-0.1'), "link 'wheel_left_link': mass -0.1 kg is negative"),
])
def test_unsimulatable_robots_are_refused_at_the_start(tmp_path, urdf, message):
    path = tmp_path / 'robot.urdf'
    path.write_text(urdf)
    with pytest.raises(DescriptionError, match=message) as error:
        load_robot_description(path)
    assert str(error.value).startswith(str(path))


def test_binary_robot_file_names_the_file(tmp_path):
    path = tmp_path / 'robot.urdf'
    path.write_bytes(BINARY)
    with pytest.raises(DescriptionError, match='not a text file') as error:
        load_robot_description(path)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize('content, message', [
    (BINARY, 'not a text file'),
    (b'', 'the file is empty'),
    (b'# nothing but a comment\n', 'the file is empty'),
    (b'objects: ' + b'[' * 3000 + b']' * 3000, 'nested too deeply'),
    (b'- box: {name: b}', 'expected a mapping'),
    (b'objects:\n  - box: {name: b, size: [1, -1, 1]}', r"'b'.size: expected a size > 0"),
    (b'objects:\n  - box: {name: b, size: [1, 1, 1], mass: -2}', r"'b'.mass: expected a value"),
    (b'objects:\n  - cylinder: {name: c, radius: -0.1, height: 1}',
     r"'c'.radius: expected a size > 0"),
    (b'objects:\n  - cylinder: {name: c, radius: 0.1, height: 0}', r"'c'.height"),
    (b'objects:\n  - wall: {name: w, from: [0, 0], to: [1, 0], thickness: -0.1}',
     r"'w'.thickness"),
    (b'objects:\n  - box: {name: b, size: [1, 1, 1], friction: -1}', r"'b'.friction"),
    (b'objects: {name: b}', 'objects: expected a list'),
])
def test_hostile_world_files_are_refused_with_the_place(tmp_path, content, message):
    path = tmp_path / 'bad.yaml'
    path.write_bytes(content)
    with pytest.raises(DescriptionError, match=message) as error:
        load_world(path)
    assert str(error.value).startswith(str(path))


def test_a_world_of_too_many_objects_is_refused_before_it_is_built(tmp_path):
    path = tmp_path / 'many.yaml'
    path.write_text('objects:\n' + ''.join(f'  - box: {{name: b{i}, size: [1, 1, 1]}}\n'
                                           for i in range(MAX_OBJECTS + 1)))
    with pytest.raises(DescriptionError, match=f'{MAX_OBJECTS + 1} objects; the twin takes at '
                       f'most {MAX_OBJECTS}'):
        load_world(path)


def test_a_huge_world_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / 'huge.yaml'
    line = '  - box: {name: b, size: [0.1, 0.1, 0.1], pose: {x: 1.0, y: 2.0}}\n'
    path.write_text('objects:\n' + line * 100_000)   # 6.6 MB: minutes to parse
    with pytest.raises(DescriptionError, match='MB; world files are read up to'):
        load_world(path)
