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
TurtleBot3's xacro-in-.urdf, and worlds too large to build (refused before they stall).

Malformed world and robot files are in the tables of test_worlds.py and
test_description_and_world.py.
"""

import pytest
from twin_sim import DescriptionError, load_robot_description, load_world
from twin_sim.worlds import MAX_OBJECTS

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


def test_xacro_in_a_urdf_file_is_expanded(tmp_path, make_twin):
    path = tmp_path / 'mini.urdf'
    path.write_text(XACRO_IN_URDF)
    description = load_robot_description(path)
    assert 'name="wheel_left_link"' in description.urdf and '${' not in description.urdf
    twin = make_twin(robot=path)
    assert twin.robot.wheel_radius == pytest.approx(0.033)


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
