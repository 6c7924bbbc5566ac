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
The message types of ``cmd_vel``, for every node that publishes or reads commands.

Without the core (no pybullet import), so the command-line verbs can use it cheaply.
"""

from geometry_msgs.msg import Twist, TwistStamped

# cmd_vel's two message types, by the type names the graph reports.
COMMAND_TYPES = {'geometry_msgs/msg/Twist': Twist, 'geometry_msgs/msg/TwistStamped': TwistStamped}


def command_type_name(stamped: bool) -> str:
    """Return cmd_vel's type name: TwistStamped (``enable_stamped_cmd_vel``) or Twist."""
    return 'geometry_msgs/msg/TwistStamped' if stamped else 'geometry_msgs/msg/Twist'


def command_type(stamped: bool) -> type:
    """Return cmd_vel's message class: TwistStamped (``enable_stamped_cmd_vel``) or Twist."""
    return COMMAND_TYPES[command_type_name(stamped)]
