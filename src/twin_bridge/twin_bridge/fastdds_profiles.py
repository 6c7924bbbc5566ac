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
The Fast DDS XML profile twin_bridge ships for lock-step, and when a process gets it.

Fast DDS reads one profile file, named by an environment variable, when a process creates
its first participant. ``lockstep_fastdds.xml`` makes acknowledgements take about 1 ms
instead of waiting for Fast DDS's heartbeats, every 3 s (:mod:`twin_bridge.lockstep`, rule
2); a lock-step run gives it to every process. A profile the user names is always kept: it
is theirs to tune.
"""

from pathlib import Path

from ament_index_python.packages import get_package_share_directory

# Fast DDS 2.x reads the first, 3.x the second.
PROFILE_VARIABLES = ('FASTRTPS_DEFAULT_PROFILES_FILE', 'FASTDDS_DEFAULT_PROFILES_FILE')


def fast_acknowledgements_profile() -> Path:
    """Return the installed path of the shipped lock-step profile."""
    return Path(get_package_share_directory('twin_bridge')) / 'lockstep_fastdds.xml'


def configured(environ) -> bool:
    """Tell whether ``environ`` names a Fast DDS profile (the shipped one or the user's)."""
    return any(environ.get(name) for name in PROFILE_VARIABLES)


def with_fast_acknowledgements(environ) -> dict:
    """Return ``environ`` with the lock-step profile, unless it names a profile already."""
    if configured(environ):
        return dict(environ)
    profile = str(fast_acknowledgements_profile())
    return {**environ, **{name: profile for name in PROFILE_VARIABLES}}


def slow_acknowledgements_advice(waited_s: float) -> str:
    """Return what to do when a lock-step period's data took ``waited_s`` to be acknowledged."""
    return (f"lock-step: subscribers acknowledged a period's data after {waited_s:.1f} s "
            '(Fast DDS heartbeats every 3 s by default): start the twin and its '
            'controllers with ' + ' and '.join(
                f'{name}={fast_acknowledgements_profile()}' for name in PROFILE_VARIABLES))
