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

"""The console script: a stop signal while the node's modules load ends it (twin_bridge.entry)."""

from twin_bridge.entry import run


def shadow() -> int:
    """Run the shadow beside the robot (``ros2 run twin_shadow shadow_node``)."""
    return run('twin_shadow.node:main')
