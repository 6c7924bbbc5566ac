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

"""The drawn shapes, the Foxglove messages and the Teleop commands: pure, no ROS graph."""

import json
import math
from pathlib import Path
from types import SimpleNamespace

from foxglove_client import decode_message
import numpy
import pytest
from twin_sim.description import DescriptionError, load_robot_description
from twin_sim.world import Pose
from twin_view.layout import layout_text
from twin_view.messages import scene_update, Trail
from twin_view.shapes import relative_to, robot_shapes, root_link, world_shapes
from twin_view.teleop import check_channel, parse_velocity, same_topic, TeleopError, Velocity
from twin_view.view_node import PARAMETERS

ROOT = Path(__file__).resolve().parents[3]
ROBOT_XACRO = ROOT / 'urdf' / 'twin_burger.urdf.xacro'


def by_name(shapes: list) -> dict:
    return {shape.name: shape for shape in shapes}


def test_world_shapes_are_what_the_world_file_builds():
    shapes = by_name(world_shapes(ROOT / 'worlds' / 'arena.yaml'))
    assert len(shapes) == 15  # six walls, nine pillars; the ground is not drawn
    wall = shapes['wall_1']  # from (1.45, 2.5115) to (-1.45, 2.5115)
    assert wall.kind == 'box' and wall.size == pytest.approx((2.9, 0.1, 0.5))
    assert wall.position() == pytest.approx((0.0, 2.5115, 0.25))
    assert wall.transform[:3, 0] == pytest.approx((-1.0, 0.0, 0.0), abs=1e-9)  # yaw pi
    pillar = shapes['pillar_21']
    assert pillar.kind == 'cylinder' and pillar.size == pytest.approx((0.3, 0.3, 0.5))
    assert pillar.position() == pytest.approx((1.1, 0.0, 0.25))


def test_a_map_world_is_drawn_as_its_boxes():
    shapes = world_shapes(ROOT / 'worlds' / 'flat.yaml')  # walls from an occupancy grid
    assert len(shapes) > 10 and {shape.kind for shape in shapes} == {'box'}
    assert all(shape.size[2] > 0.1 and shape.position()[2] > 0.0 for shape in shapes)


def test_world_file_errors_name_the_file(tmp_path):
    broken = tmp_path / 'broken.yaml'
    broken.write_text('objects:\n  - box: {name: b, size: [1, 2]}\n')
    with pytest.raises(DescriptionError, match='broken.yaml.*size'):
        world_shapes(broken)


def test_robot_shapes_are_placed_in_the_root_frame():
    urdf = load_robot_description(ROBOT_XACRO).xml
    assert root_link(urdf) == 'base_footprint'
    shapes = by_name(robot_shapes(urdf))
    assert set(shapes) == {'base_link', 'wheel_left_link', 'wheel_right_link', 'base_scan'}
    chassis = shapes['base_link']  # base_link 0.010 up, the box 0.070 above that
    assert chassis.kind == 'box' and chassis.position() == pytest.approx((-0.032, 0.0, 0.080))
    assert chassis.color == (0.8, 0.8, 0.8, 1.0)  # the named material 'light'
    wheel = shapes['wheel_left_link']
    assert wheel.position() == pytest.approx((0.0, 0.08, 0.033))
    assert wheel.size == pytest.approx((0.066, 0.066, 0.018))
    # The joint's roll of -pi/2 turns the cylinder's axis (its z) along the axle (y).
    axis = wheel.transform[:3, :3] @ numpy.array([0.0, 0.0, 1.0])
    assert axis == pytest.approx((0.0, 1.0, 0.0), abs=1e-9)
    assert shapes['base_scan'].position() == pytest.approx((-0.032, 0.0, 0.1595))


def test_robot_without_a_single_root_is_refused():
    two_roots = '<robot name="r"><link name="a"/><link name="b"/></robot>'
    with pytest.raises(DescriptionError, match='one root link'):
        robot_shapes(two_roots)


def test_scene_update_holds_every_shape_as_a_primitive():
    shapes = world_shapes(ROOT / 'worlds' / 'arena.yaml')
    (entity,) = decode_message(scene_update('world', 'odom', shapes)).entities
    assert entity.id == 'world' and entity.frame_id == 'odom' and not entity.frame_locked
    assert len(entity.cubes) == 6 and len(entity.cylinders) == 9
    pillar = entity.cylinders[0]  # pillar_00 at (-1.1, -1.1), 0.3 m wide, 0.5 m tall
    assert (pillar.pose.position.x, pillar.pose.position.y) == pytest.approx((-1.1, -1.1))
    assert (pillar.size.x, pillar.size.z) == pytest.approx((0.3, 0.5))
    assert pillar.bottom_scale == pillar.top_scale == 1.0  # a cylinder, not a cone


def odometry(x: float, y: float = 0.0, sec: int = 1) -> SimpleNamespace:
    """Return an Odometry-shaped object (the conversions read fields only)."""
    position = SimpleNamespace(x=x, y=y, z=0.0)
    orientation = SimpleNamespace(x=0.0, y=0.0, z=0.0, w=1.0)
    return SimpleNamespace(header=SimpleNamespace(frame_id='odom',
                                                  stamp=SimpleNamespace(sec=sec, nanosec=0)),
                           pose=SimpleNamespace(pose=SimpleNamespace(position=position,
                                                                     orientation=orientation)))


def test_trail_keeps_poses_spacing_apart_and_the_newest_length():
    trail = Trail(spacing=0.1, length=3)
    assert trail.add(odometry(0.0))
    assert not trail.add(odometry(0.05))  # too close to the last kept pose
    assert trail.add(odometry(0.1))
    for x in (0.3, 0.5, 0.7):
        trail.add(odometry(x))
    path = decode_message(trail.message())
    assert [pose.position.x for pose in path.poses] == [0.3, 0.5, 0.7]
    assert path.frame_id == 'odom' and path.timestamp.seconds == 1


def test_teleop_reads_twist_and_twist_stamped():
    twist = b'{"linear": {"x": 0.2, "y": 0, "z": 0}, "angular": {"x": 0, "y": 0, "z": -1}}'
    assert parse_velocity(twist) == Velocity((0.2, 0.0, 0.0), (0.0, 0.0, -1.0))
    stamped = b'{"header": {"frame_id": ""}, "twist": {"linear": {"x": 0.1}}}'
    assert parse_velocity(stamped) == Velocity((0.1, 0.0, 0.0), (0.0, 0.0, 0.0))


@pytest.mark.parametrize('data, problem', [
    (b'not json', 'not JSON'),
    (b'[1, 2]', 'expected a Twist object'),
    (b'{"linear": 3}', 'linear: expected an object'),
    (b'{"angular": {"z": "fast"}}', 'angular.z: expected a number'),
    (b'{"linear": {"x": true}}', 'linear.x: expected a number'),
])
def test_teleop_refuses_what_is_not_a_twist(data, problem):
    with pytest.raises(TeleopError, match=problem):
        parse_velocity(data)


def test_teleop_passes_non_finite_values_to_the_command_gate():
    assert math.isnan(parse_velocity(b'{"linear": {"x": NaN}}').linear[0])  # the gate refuses it


def test_teleop_channel_must_be_a_json_twist_on_the_command_topic():
    assert same_topic('/cmd_vel', 'cmd_vel') and same_topic('cmd_vel', '/cmd_vel')
    assert not same_topic('/tb0/cmd_vel', '/cmd_vel')
    check_channel('json', 'geometry_msgs/Twist')
    check_channel('json', 'geometry_msgs/msg/TwistStamped')
    with pytest.raises(TeleopError, match='encoding'):
        check_channel('cdr', 'geometry_msgs/msg/Twist')
    with pytest.raises(TeleopError, match='schema'):
        check_channel('json', 'std_msgs/msg/String')


def test_shipped_layout_is_the_one_the_code_builds():
    shipped = (ROOT / 'config' / 'foxglove' / 'twin.json').read_text()
    assert shipped == layout_text(), 'run: python -m twin_view.layout > config/foxglove/twin.json'
    panels = {panel['panelType']
              for panel in walk_panels(json.loads(shipped)['content'])}
    assert panels == {'ThreeDee', 'Teleop', 'Plot', 'DiagnosticsSummary'}


def walk_panels(content: dict):
    """Yield every panel of a layout's content (containers hold items)."""
    if 'items' in content:
        for item in content['items']:
            yield from walk_panels(item['content'])
    else:
        yield content


def test_world_shapes_relative_to_the_start_pose():
    start = Pose(x=-2.0, y=-0.5, yaw=math.pi / 2)  # facing +y in the world
    pillar = by_name(relative_to(world_shapes(ROOT / 'worlds' / 'arena.yaml'), start))['pillar_00']
    # World (-1.1, -1.1) is 0.9 m along the world's x (the start's -y), 0.6 m behind.
    assert pillar.position() == pytest.approx((-0.6, -0.9, 0.25))


def test_readme_documents_every_parameter_with_its_default():
    readme = (ROOT / 'src' / 'twin_view' / 'README.md').read_text()
    rows = {line.split('|')[1].strip(): line.split('|')[3].strip()
            for line in readme.splitlines() if line.startswith('| `')}
    for name, (default, *_) in PARAMETERS.items():
        row = next((value for names, value in rows.items() if f'`{name}`' in names), None)
        assert row is not None, f'{name} is not in the README'
        assert str(default) in row, f'{name}: README says {row}, the node {default}'
