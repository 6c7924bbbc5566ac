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
Commands from a Foxglove client (its Teleop panel) as plain velocities (no ROS import).

A client advertises a channel (topic, encoding, schema name), then sends messages on it. The
view takes JSON-encoded ``geometry_msgs`` Twist or TwistStamped, the schemas the Teleop panel
publishes (ROS 1 and ROS 2 spellings), on the command topic. Numbers pass through unchecked
beyond being numbers: limits and non-finite values are the bridge's command gate's business,
so a command from the view obeys exactly the rules of any other.
"""

from dataclasses import dataclass
import json

COMMAND_SCHEMAS = {'geometry_msgs/Twist', 'geometry_msgs/msg/Twist',
                   'geometry_msgs/TwistStamped', 'geometry_msgs/msg/TwistStamped'}
AXES = ('x', 'y', 'z')


class TeleopError(ValueError):
    """A client's command could not be read; the message says what was wrong."""


@dataclass(frozen=True)
class Velocity:
    """A twist: linear (m/s) and angular (rad/s) velocity, each x, y, z in the body frame."""

    linear: tuple = (0.0, 0.0, 0.0)
    angular: tuple = (0.0, 0.0, 0.0)


def same_topic(client_topic: str, command_topic: str) -> bool:
    """Return whether a client's topic names the command topic (a leading ``/`` optional)."""
    return client_topic.lstrip('/') == command_topic.lstrip('/')


def check_channel(encoding: str, schema_name: str) -> None:
    """
    Accept a client channel on the command topic, or say why not.

    :raises TeleopError: not JSON, or not a Twist/TwistStamped schema
    """
    if encoding != 'json':
        raise TeleopError(f'encoding {encoding!r} is not supported; publish JSON')
    if schema_name not in COMMAND_SCHEMAS:
        raise TeleopError(f'schema {schema_name!r} is not a command; publish one of '
                          f'{", ".join(sorted(COMMAND_SCHEMAS))}')


def parse_velocity(data: bytes) -> Velocity:
    """
    Read a JSON Twist (``{"linear": {...}, "angular": {...}}``) or TwistStamped (``twist``).

    Missing axes are 0, as in a ROS message's defaults.

    :raises TeleopError: not JSON, not an object, or an axis that is not a number
    """
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TeleopError(f'not JSON: {error}') from None
    if isinstance(message, dict) and 'twist' in message:
        message = message['twist']
    if not isinstance(message, dict):
        raise TeleopError(f'expected a Twist object, got {message!r:.80}')
    return Velocity(_vector(message, 'linear'), _vector(message, 'angular'))


def _vector(message: dict, name: str) -> tuple:
    vector = message.get(name, {})
    if not isinstance(vector, dict):
        raise TeleopError(f'{name}: expected an object with x, y, z, got {vector!r:.80}')
    values = tuple(vector.get(axis, 0.0) for axis in AXES)
    for axis, value in zip(AXES, values):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TeleopError(f'{name}.{axis}: expected a number, got {value!r:.40}')
    return tuple(float(v) for v in values)
