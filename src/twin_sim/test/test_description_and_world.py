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

"""Robot descriptions and the world API: file references, errors, bodies by name (DIRECT)."""

import pytest
from twin_sim import DescriptionError, DriveConfig, load_robot_description, Pose, World

CUBE_OBJ = """v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0 0 1\nv 1 0 1\nv 1 1 1\nv 0 1 1
f 1 2 3 4\nf 5 6 7 8\nf 1 2 6 5\nf 2 3 7 6\nf 3 4 8 7\nf 4 1 5 8
"""


def test_xacro_expands_to_the_burger_frames(robot_xacro):
    description = load_robot_description(robot_xacro)
    for name in ('base_footprint', 'base_link', 'wheel_left_link', 'wheel_right_link',
                 'caster_back_link', 'base_scan', 'imu_link'):
        assert f'name="{name}"' in description.urdf
    assert description.massless_links == {'base_footprint', 'imu_link'}


def test_package_and_relative_mesh_uris_become_absolute(tmp_path, monkeypatch):
    share = tmp_path / 'prefix' / 'share' / 'my_robot' / 'meshes'
    share.mkdir(parents=True)
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(tmp_path / 'prefix'))
    urdf = tmp_path / 'robot.urdf'
    urdf.write_text(
        '<robot name="r"><link name="a"><visual><geometry>'
        '<mesh filename="package://my_robot/meshes/a.stl"/></geometry></visual>'
        '<collision><geometry><mesh filename="meshes/b.stl"/></geometry></collision>'
        '</link></robot>')
    text = load_robot_description(urdf).urdf
    assert f'filename="{share}/a.stl"' in text
    assert f'filename="{tmp_path}/meshes/b.stl"' in text


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


# Each row a way a robot file can be wrong, hostile ones included (issue 13 item 5).
@pytest.mark.parametrize('content, message', [
    (None, 'robot description not found'),
    ('<robot name="r"><link name="a">', 'not valid XML'),
    ('<robot name="r"/>', 'not a URDF robot'),
    (robot_with(wheel_origin='0 nan 0'),
     r"joint 'wheel_left_joint': <origin xyz=\"0 nan 0\">: expected finite numbers"),
    (robot_with(wheel_origin='0 inf 0'), 'expected finite numbers'),
    (robot_with(wheel_mass='nan'), r"link 'wheel_left_link': <mass value=\"nan\">"),
    (robot_with(wheel_mass='0'), "link 'wheel_left_link': mass 0 kg, but joint "
     "'wheel_left_joint' moves it"),
    (robot_with(wheel_mass='-0.1'), "link 'wheel_left_link': mass -0.1 kg is negative"),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80', 'not a text file'),
])
def test_bad_descriptions_name_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / 'robot.urdf'
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(DescriptionError, match=message) as error:
        load_robot_description(path)
    assert str(path) in str(error.value)


def test_unknown_package_uri_says_what_to_source(tmp_path, monkeypatch):
    monkeypatch.setenv('AMENT_PREFIX_PATH', str(tmp_path))
    with pytest.raises(DescriptionError, match='no share/nowhere'):
        load_robot_description('<robot name="r"><link name="a"><visual><geometry>'
                               '<mesh filename="package://nowhere/a.stl"/></geometry></visual>'
                               '</link></robot>')


def test_wrong_wheel_joint_names_list_the_joints(make_twin):
    with pytest.raises(DescriptionError, match="no joint named 'left'.*wheel_left_joint"):
        make_twin(drive=DriveConfig(left_wheel_joint='left'))


def test_world_adds_every_kind_of_body_by_name(tmp_path):
    mesh = tmp_path / 'cube.obj'
    mesh.write_text(CUBE_OBJ)
    model = tmp_path / 'post.urdf'
    model.write_text('<robot name="post"><link name="p"><collision><geometry>'
                     '<box size="0.1 0.1 1"/></geometry></collision></link></robot>')
    sdf = tmp_path / 'crate.sdf'
    sdf.write_text('<sdf version="1.6"><model name="crate"><static>true</static>'
                   '<link name="l"><collision name="c"><geometry><box><size>0.3 0.3 0.3</size>'
                   '</box></geometry></collision></link></model></sdf>')
    world = World()
    try:
        world.add_ground(friction=0.8)
        world.add_box('box', (1.0, 1.0, 1.0), Pose(x=2.0, z=0.5), friction=0.5)
        world.add_cylinder('pillar', 0.2, 1.0, Pose(x=-2.0, z=0.5))
        world.add_mesh('cube', str(mesh), Pose(y=3.0))
        world.add_model('post', str(model), Pose(y=-3.0))
        world.add_model('crate', str(sdf), Pose(x=4.0))
        assert set(world.bodies) == {'ground', 'box', 'pillar', 'cube', 'post', 'crate'}
        assert world.distance('box', 'pillar') == pytest.approx(3.3, abs=0.01)
        with pytest.raises(ValueError, match="'box' already exists"):
            world.add_box('box', (1.0, 1.0, 1.0), Pose())
        with pytest.raises(DescriptionError, match='model file not found'):
            world.add_model('ghost', str(tmp_path / 'ghost.urdf'))
    finally:
        world.close()


def test_a_body_loaded_after_a_removed_one_has_its_own_root_frame(tmp_path):
    # PyBullet gives a removed body's id to the next body; the world keeps each body's root
    # frame relative to its centre of mass, which must then be the new body's.
    def model(name: str, centre_of_mass_x: float) -> str:
        path = tmp_path / f'{name}.urdf'
        path.write_text(
            f'<robot name="{name}"><link name="l"><inertial>'
            f'<origin xyz="{centre_of_mass_x} 0 0"/><mass value="1"/>'
            '<inertia ixx="0.01" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>'
            '<collision><geometry><box size="0.1 0.1 0.1"/></geometry></collision>'
            '</link></robot>')
        return str(path)

    world = World()
    try:
        world.add_model('first', model('first', 0.3), Pose(x=1.0))
        assert world.pose('first').x == pytest.approx(1.0)
        first_id = world.bodies['first']
        world.remove('first')
        world.add_model('second', model('second', -0.2), Pose(x=2.0))
        assert world.bodies['second'] == first_id
        assert world.pose('second').x == pytest.approx(2.0)
    finally:
        world.close()
