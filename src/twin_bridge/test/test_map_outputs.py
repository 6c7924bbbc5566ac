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

"""A map world's outputs: the grid as map_server publishes it, and map -> odom at the spawn."""

import math

from nav_msgs.msg import OccupancyGrid
import numpy as np
import pytest
from rclpy.qos import DurabilityPolicy
from tf2_msgs.msg import TFMessage
from twin_bridge import conversions
from twin_bridge.robot_drivers import LATCHED
from twin_sim.occupancy_map import MapGrid, read_map


def test_the_grid_converts_row_major_from_the_bottom_with_its_origin():
    cells = np.array([[0, 100, -1], [50, 0, 0]], dtype=np.int8)   # row 0 is the bottom row
    msg = conversions.occupancy_grid(MapGrid(cells, 0.05, (-1.0, 2.0, 0.5)), 'map', 3 * 10**9)
    assert (msg.header.frame_id, msg.header.stamp.sec, msg.info.map_load_time.sec) == \
        ('map', 3, 3)
    assert (msg.info.width, msg.info.height) == (3, 2)
    assert msg.info.resolution == pytest.approx(0.05)
    assert (msg.info.origin.position.x, msg.info.origin.position.y) == (-1.0, 2.0)
    assert 2 * math.atan2(msg.info.origin.orientation.z, msg.info.origin.orientation.w) == \
        pytest.approx(0.5)
    assert list(msg.data) == [0, 100, -1, 50, 0, 0]


def test_map_world_publishes_its_grid_and_map_to_odom_at_the_spawn(start_bridge, listener,
                                                                   worlds):
    start_bridge(world_file=str(worlds / 'flat.yaml'), **{
        'spawn.x': -2.0, 'spawn.y': 0.5, 'spawn.yaw': 0.3, 'map.publish_grid': True,
        'map.publish_transform': True})
    grids = listener.record(OccupancyGrid, '/map', LATCHED)
    static = listener.record(TFMessage, '/tf_static', LATCHED)

    def map_to_odom():
        return [t for m in static for t in m.transforms if t.header.frame_id == 'map']
    listener.spin_until(lambda: grids and map_to_odom(), 60.0, 'the map and map -> odom')
    durability = listener.node.get_publishers_info_by_topic('/map')[0].qos_profile.durability
    assert durability == DurabilityPolicy.TRANSIENT_LOCAL
    expected = read_map(worlds / 'flat.yaml')
    grid = grids[0]
    assert (grid.info.width, grid.info.height) == expected.cells.shape[::-1]
    assert bytes(np.array(grid.data, dtype=np.int8)) == expected.cells.tobytes()
    transform = map_to_odom()[0]
    assert transform.child_frame_id == 'odom'
    translation, rotation = transform.transform.translation, transform.transform.rotation
    assert (translation.x, translation.y) == pytest.approx((-2.0, 0.5))
    assert 2 * math.atan2(rotation.z, rotation.w) == pytest.approx(0.3)


def test_the_map_outputs_are_off_by_default(start_bridge, listener, worlds):
    start_bridge(world_file=str(worlds / 'flat.yaml'), publish_robot_state='true')
    static = listener.record(TFMessage, '/tf_static', LATCHED)
    # The robot's static transforms come from the constructor that would make the map's.
    listener.spin_until(lambda: static, 60.0, 'the robot state on /tf_static')
    assert not listener.node.get_publishers_info_by_topic('/map')
    assert all(t.header.frame_id != 'map' for m in static for t in m.transforms)
