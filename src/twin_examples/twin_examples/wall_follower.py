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

"""Follow the wall on the right at a set distance, turning left at corners ahead."""

import math

from rclpy.node import Node

from twin_examples.common import clamp, range_at, run, ScanController, sector_min

BEAM_SPREAD = math.radians(40.0)   # between the right beam and the one ahead of it


class WallFollower(ScanController, Node):
    """Keep the right-hand wall at ``distance``, looking ``look_ahead`` metres ahead."""

    def __init__(self):
        """Declare the parameters, subscribe to the scan, start the control timer."""
        super().__init__('wall_follower')
        self.start({
            'distance': 0.4,               # m, wanted distance to the wall on the right
            'speed': 0.15,                 # m/s
            'max_angular': 1.2,            # rad/s
            'gain': 3.0,                   # rad/s per m of distance error
            'look_ahead': 0.3,             # m
            'front_clearance': 0.45,       # m: a wall this close ahead means a corner
        })

    def control(self) -> None:
        """Turn toward the wanted distance, or left at a corner, or right to find the wall."""
        scan, p = self.usable_scan(), self.p
        if scan is None:   # none yet, stale or blind: stand still
            self.commander.stop()
            return
        ahead = sector_min(scan.ranges, scan.angle_min, scan.angle_increment, 0.0, 0.3)
        if ahead < p['front_clearance']:
            self.commander.send(0.03, p['max_angular'])      # corner ahead: turn left
            return
        right = range_at(scan.ranges, scan.angle_min, scan.angle_increment, -math.pi / 2)
        ahead_right = range_at(scan.ranges, scan.angle_min, scan.angle_increment,
                               -math.pi / 2 + BEAM_SPREAD)
        if not (math.isfinite(right) and math.isfinite(ahead_right)) or \
                right > 2.5 * p['distance']:
            self.commander.send(p['speed'], -0.5 * p['max_angular'])   # find the wall
            return
        # The wall's angle to our heading from two beams, and the distance we will have soon.
        angle = math.atan2(ahead_right * math.cos(BEAM_SPREAD) - right,
                           ahead_right * math.sin(BEAM_SPREAD))
        future = right * math.cos(angle) + p['look_ahead'] * math.sin(angle)
        self.commander.send(p['speed'], clamp(p['gain'] * (p['distance'] - future),
                                              p['max_angular']))


def main(args=None) -> None:
    """Run the node."""
    run(WallFollower, args)


if __name__ == '__main__':
    main()
