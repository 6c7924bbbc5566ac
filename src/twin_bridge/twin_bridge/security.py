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

"""SROS2: refuse to run unauthenticated when the environment asks for security."""

REQUESTING = ('ROS_SECURITY_KEYSTORE', 'ROS_SECURITY_ENCLAVE_OVERRIDE')


def security_problem(environ) -> str | None:
    """
    Return why the twin must not start, given the environment's security settings.

    Security is *requested* by ``ROS_SECURITY_STRATEGY=Enforce`` or a keystore/enclave
    setting, and *active* only with ``ROS_SECURITY_ENABLE=true`` (then rcl itself refuses
    to start without valid credentials under Enforce). Requested but not active would run
    the twin unauthenticated: refused.
    """
    requested = [name for name in REQUESTING if environ.get(name)]
    if environ.get('ROS_SECURITY_STRATEGY') == 'Enforce':
        requested.append('ROS_SECURITY_STRATEGY=Enforce')
    if requested and environ.get('ROS_SECURITY_ENABLE') != 'true':
        return (f'security is requested ({", ".join(requested)}) but not active '
                f'(ROS_SECURITY_ENABLE={environ.get("ROS_SECURITY_ENABLE", "")!r}, not '
                "'true'): refusing to run unauthenticated. Export ROS_SECURITY_ENABLE=true "
                'with a keystore (src/twin_bridge/README.md, SROS2), or unset the security '
                'variables')
    return None
