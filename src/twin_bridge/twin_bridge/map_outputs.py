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
The map a world was built from, as a mapped robot's stack would publish it.

The twin's world frame is the map's frame. Each is optional (off by default, as on the real
robot, where map_server, AMCL or SLAM own them):

* the grid on ``map`` (nav_msgs/OccupancyGrid, transient local), as nav2_map_server does;
* a static ``map`` -> ``odom`` per robot at its spawn pose, where AMCL would put it, so rviz2
  shows scans on the map and AMCL's initial pose is the spawn.
"""

from nav_msgs.msg import OccupancyGrid
from tf2_msgs.msg import TFMessage
from twin_bridge import conversions
from twin_bridge.parameters import BridgeSettings
from twin_bridge.robot_drivers import LATCHED
from twin_sim import Pose
from twin_sim.occupancy_map import MapGrid


class MapOutputs:
    """Publish a map world's grid and its map -> odom transforms, once, latched."""

    def __init__(self, node, grid: MapGrid, settings: BridgeSettings,
                 odom_at_spawn: list[tuple[str, Pose]]):
        """
        Create the publishers the settings ask for, and publish.

        :param odom_at_spawn: each robot's odom frame id and spawn pose in the world
        """
        self.publishers = []
        map_frame = settings.frame(settings.map_frame)
        if settings.map_publish_grid:
            self._publish(node, OccupancyGrid, 'map',
                          conversions.occupancy_grid(grid, map_frame, 0))
        if settings.map_publish_transform:
            self._publish(node, TFMessage, 'tf_static', TFMessage(transforms=[
                conversions.static_transform(pose, map_frame, odom, 0)
                for odom, pose in odom_at_spawn]))

    def _publish(self, node, message_type, topic: str, message) -> None:
        # Latched: rviz2, AMCL and the costmaps may subscribe long after the start.
        self.publishers.append(node.create_publisher(message_type, topic, LATCHED))
        self.publishers[-1].publish(message)
