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
A ROS domain id of its own for each episode, reserved with a lock file.

The locks live where twin_bridge.testing keeps those of the test runs
(``$TMPDIR/twin-ros-domains``), so campaigns and tests on one machine never share a graph.
Tests take ids 1-101; campaigns take 120-232 (the last id Fast DDS and Cyclone accept).
"""

import fcntl
import os
from pathlib import Path
import tempfile

CAMPAIGN_DOMAIN_IDS = range(120, 233)
_held = []   # open lock files: an id stays reserved while this process lives


def reserve_domain_id(ids: range = CAMPAIGN_DOMAIN_IDS) -> int:
    """
    Reserve a free domain id for the life of this process and return it.

    :raises RuntimeError: when every id is held (by other episodes or test runs)
    """
    lock_dir = Path(tempfile.gettempdir()) / 'twin-ros-domains'
    lock_dir.mkdir(exist_ok=True)
    start = os.getpid() % len(ids)
    for offset in range(len(ids)):
        domain_id = ids[(start + offset) % len(ids)]
        lock = open(lock_dir / f'{domain_id}.lock', 'w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _held.append(lock)
        return domain_id
    raise RuntimeError(f'all ROS domain ids {ids.start}-{ids.stop - 1} are held (locks in '
                       f'{lock_dir}); wait for other campaigns or use fewer --workers')
