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

"""Small readings of messages the system tests share."""

import math


def planar_pose(odometry) -> tuple:
    """Return (x, y, yaw) of an Odometry message."""
    pose = odometry.pose.pose
    return (pose.position.x, pose.position.y,
            2.0 * math.atan2(pose.orientation.z, pose.orientation.w))


def sim_seconds(msg) -> float:
    """Return a message's header stamp in seconds."""
    return msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9


class HeadingTracker:
    """Sum the signed heading change over a growing list of Odometry messages."""

    def __init__(self, messages: list):
        """Follow ``messages`` (appended to by a subscription)."""
        self.messages, self.seen, self.turned = messages, 0, 0.0

    def update(self) -> float:
        """Take in the messages that arrived since the last call; return the total, rad."""
        for index in range(max(self.seen, 1), len(self.messages)):
            before = planar_pose(self.messages[index - 1])[2]
            after = planar_pose(self.messages[index])[2]
            self.turned += math.atan2(math.sin(after - before), math.cos(after - before))
        self.seen = len(self.messages)
        return self.turned
