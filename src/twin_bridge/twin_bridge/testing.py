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
Keep the ROS 2 graph of a test run on this machine and on a domain of its own.

Call :func:`isolate_ros_graph` from a test package's ``conftest.py``: it runs before any test
creates a node, and every process a test starts inherits the environment it sets.
"""

import fcntl
import os
from pathlib import Path
import tempfile

# Domain ids whose DDS ports are valid on Linux, without the default 0.
_DOMAIN_IDS = range(1, 102)
_held_lock = None  # the open lock file that reserves this run's domain id


def isolate_ros_graph() -> int:
    """
    Set ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` and a domain id no other run holds.

    The id is reserved with a lock file for the life of this process, so test runs that
    execute at the same time (colcon tests packages in parallel) never share a graph.

    :return: the reserved ``ROS_DOMAIN_ID``
    """
    global _held_lock
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    os.environ.pop('ROS_STATIC_PEERS', None)
    if _held_lock is not None:
        return int(os.environ['ROS_DOMAIN_ID'])
    lock_dir = Path(tempfile.gettempdir()) / 'twin-ros-domains'
    lock_dir.mkdir(exist_ok=True)
    start = os.getpid() % len(_DOMAIN_IDS)
    for offset in range(len(_DOMAIN_IDS)):
        domain_id = _DOMAIN_IDS[(start + offset) % len(_DOMAIN_IDS)]
        lock = open(lock_dir / f'{domain_id}.lock', 'w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _held_lock = lock
        os.environ['ROS_DOMAIN_ID'] = str(domain_id)
        return domain_id
    raise RuntimeError(f'all ROS domain ids {_DOMAIN_IDS.start}-{_DOMAIN_IDS.stop - 1} are '
                       f'held by other test runs (locks in {lock_dir})')
