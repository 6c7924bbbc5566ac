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

"""The physical wheels written into the URDF text (pure XML, no physics)."""

from xml.etree import ElementTree

import pytest
from twin_sim import DescriptionError, load_robot_description, PhysicalConfig
from twin_sim.physical import physical_body

JOINTS = ('wheel_left_joint', 'wheel_right_joint')


def wheel_collisions(urdf: str, side: str) -> list:
    link = ElementTree.fromstring(urdf).find(f"link[@name='wheel_{side}_link']")
    return [c.find('geometry/cylinder') for c in link.findall('collision')]


def joint_y(urdf: str, side: str) -> float:
    joint = ElementTree.fromstring(urdf).find(f"joint[@name='wheel_{side}_joint']")
    return float(joint.find('origin').get('xyz').split()[1])


@pytest.fixture
def urdf(robot_xacro) -> str:
    return load_robot_description(robot_xacro).urdf


def test_by_default_the_wheels_are_the_descriptions(urdf):
    text, described = physical_body(urdf, *JOINTS, PhysicalConfig())
    assert (described.left_radius, described.right_radius) == (0.033, 0.033)
    assert described.separation == pytest.approx(0.160)
    assert text == urdf


def test_physical_values_resize_and_respace_the_wheels(urdf):
    text, described = physical_body(urdf, *JOINTS, PhysicalConfig(
        left_wheel_radius=0.0335, right_wheel_radius=0.032, wheel_separation=0.17))
    assert described.left_radius == 0.033   # the description's own, for the nominal default
    assert [float(c.get('radius')) for c in wheel_collisions(text, 'left')] == [0.0335]
    assert float(wheel_collisions(text, 'right')[0].get('radius')) == 0.032
    assert (joint_y(text, 'left'), joint_y(text, 'right')) == pytest.approx((0.085, -0.085))


def test_a_missing_wheel_joint_is_left_for_the_robot_to_report(urdf):
    text, described = physical_body(urdf, 'no_such_joint', JOINTS[1], PhysicalConfig())
    assert described.left_radius == 0.0 and described.separation == 0.0


MESH_WHEEL = """<robot name="r"><link name="base"/>
  <joint name="wheel_left_joint" type="continuous"><parent link="base"/>
    <child link="wheel_left_link"/><origin xyz="0 0.1 0"/></joint>
  <link name="wheel_left_link"><collision><geometry><mesh filename="/w.stl"/></geometry>
  </collision></link>
  <joint name="wheel_right_joint" type="continuous"><parent link="wheel_left_link"/>
    <child link="wheel_right_link"/><origin xyz="0 -0.1 0"/></joint>
  <link name="wheel_right_link"/></robot>"""


def test_a_mesh_wheel_takes_no_physical_radius_and_says_so():
    text, described = physical_body(MESH_WHEEL, *JOINTS, PhysicalConfig())
    assert described.left_radius == 0.0   # unknown here: measured on the loaded body
    with pytest.raises(DescriptionError, match='wheel_left_joint.*wheel_left_link.*cylinder'):
        physical_body(MESH_WHEEL, *JOINTS, PhysicalConfig(left_wheel_radius=0.03))


def test_wheels_on_different_parents_take_no_physical_separation():
    with pytest.raises(DescriptionError, match='different parent links'):
        physical_body(MESH_WHEEL, *JOINTS, PhysicalConfig(wheel_separation=0.2))


def test_negative_sizes_are_refused():
    with pytest.raises(ValueError, match='physical right_wheel_radius must be within'):
        PhysicalConfig(right_wheel_radius=-0.01)
