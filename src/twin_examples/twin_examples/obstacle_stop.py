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

"""Drive forward; stop before anything in a forward sector of the scan comes too close."""

from rclpy.node import Node

from twin_examples.common import run, ScanController, sector_min


class ObstacleStop(ScanController, Node):
    """Forward at ``speed`` while the sector ahead is clear beyond ``stop_distance``."""

    def __init__(self):
        """Declare the parameters, subscribe to the scan, start the control timer."""
        super().__init__('obstacle_stop')
        self.stopped = False
        self.start({
            'speed': 0.15,                 # m/s forward
            'stop_distance': 0.35,         # m from the scanner
            'sector_half_angle': 0.35,     # rad either side of straight ahead
        })

    def control(self) -> None:
        """Go or stop."""
        scan = self.usable_scan()
        if scan is None:   # none yet, stale or blind: stand still
            self.commander.stop()
            return
        ahead = sector_min(scan.ranges, scan.angle_min, scan.angle_increment,
                           0.0, self.p['sector_half_angle'])
        if ahead < self.p['stop_distance']:
            if not self.stopped:
                self.get_logger().info(f'obstacle {ahead:.2f} m ahead: stopping')
            self.stopped = True
            self.commander.stop()
        else:
            self.stopped = False
            self.commander.send(self.p['speed'], 0.0)


def main(args=None) -> None:
    """Run the node."""
    run(ObstacleStop, args)


if __name__ == '__main__':
    main()
