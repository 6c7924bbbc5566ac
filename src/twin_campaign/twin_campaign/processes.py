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
What /proc tells of a campaign's processes: their tree, threads, CPU and scheduling.

Shared by the episode (which confines its processes to the core it steps on) and the
benchmark (which confines and measures the campaign's whole tree).
"""

import os
from pathlib import Path

TICKS_PER_S = os.sysconf('SC_CLK_TCK')


def stat_fields(pid: int) -> list[str]:
    """Return /proc/PID/stat's fields after the command's name (field 3 on): OSError if gone."""
    return Path(f'/proc/{pid}/stat').read_text().rpartition(')')[2].split()


def cpu_s(fields: list[str]) -> tuple[float, float]:
    """Return the user and system CPU s of a process from its :func:`stat_fields`."""
    return int(fields[11]) / TICKS_PER_S, int(fields[12]) / TICKS_PER_S


def children_by_parent() -> dict[int, list[int]]:
    """Return every process's children, by the parent's pid."""
    children = {}
    for entry in os.scandir('/proc'):
        if entry.name.isdigit():
            try:
                parent = int(stat_fields(entry.name)[1])
            except (OSError, IndexError):   # it ended meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """Return the processes under ``root`` (its children, theirs, and so on)."""
    children = children_by_parent()
    tree, waiting = [], [root]
    while waiting:
        found = children.get(waiting.pop(), [])
        tree += found
        waiting += found
    return tree


def thread_ids(pid: int) -> list[int]:
    """Return the thread ids of a process (none once it ended)."""
    try:
        return [int(name) for name in os.listdir(f'/proc/{pid}/task')]
    except OSError:
        return []


def confine(pids, cores: set[int]) -> None:
    """Confine every thread of the processes ``pids`` to ``cores`` (new ones inherit it)."""
    for pid in pids:
        for thread in thread_ids(pid):
            try:
                os.sched_setaffinity(thread, cores)
            except ProcessLookupError:   # it ended meanwhile
                pass


def scheduling_of(pid: int) -> dict:
    """
    Return how a process has been scheduled so far ({} once it ended): what CPU costs.

    Its user and system CPU s and, over its live threads, the voluntary and involuntary
    context switches and the s they waited to run (/proc/PID/task/TID/schedstat).
    """
    try:
        user_s, system_s = cpu_s(stat_fields(pid))
    except OSError:   # it ended
        return {}
    counts = {'user_s': user_s, 'system_s': system_s,
              'voluntary_switches': 0, 'involuntary_switches': 0, 'run_delay_s': 0.0}
    for thread in thread_ids(pid):
        task = Path(f'/proc/{pid}/task/{thread}')
        try:
            status = (task / 'status').read_text()
            counts['run_delay_s'] += int((task / 'schedstat').read_text().split()[1]) * 1e-9
        except OSError:   # it ended meanwhile
            continue
        for line in status.splitlines():
            name, _, value = line.partition(':')
            if name in ('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'):
                kind = 'involuntary' if name.startswith('non') else 'voluntary'
                counts[f'{kind}_switches'] += int(value)
    return counts
