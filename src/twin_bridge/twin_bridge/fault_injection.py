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
The bridge's part of injected faults (twin_sim.faults): late commands and lost messages.

Pure Python (no rclpy), tested without DDS; times are integer nanoseconds of simulated time.
The core says which faults are active; these classes carry out the ``bridge`` ones:
``latency_spike`` (:class:`DelayLine`), ``dropped_messages`` (:class:`DroppingPublisher`)
and ``stalled_clock`` (the node publishes nothing while :func:`stalled` says so).
"""

from collections import deque

import numpy as np
import yaml

NS_PER_S = 1_000_000_000


class DelayLine:
    """Hand on each command ``delay`` late: what was in force ``delay`` ago."""

    def __init__(self, delay_s: float):
        """
        Start delaying; the command in force at the first step is already on its way.

        :param delay_s: how late commands arrive, s of simulated time
        """
        self.delay_ns = round(delay_s * NS_PER_S)
        self.pending = deque()   # (time ns, command), oldest first
        self.current = None

    def delayed(self, sim_ns: int, command: tuple[float, float]) -> tuple[float, float]:
        """Note the command in force at ``sim_ns``; return the one in force ``delay`` ago."""
        if self.current is None:
            self.current = command
        elif (self.pending[-1][1] if self.pending else self.current) != command:
            self.pending.append((sim_ns, command))
        while self.pending and self.pending[0][0] <= sim_ns - self.delay_ns:
            self.current = self.pending.popleft()[1]
        return self.current


class DroppingPublisher:
    """Stand in for a publisher and drop each message with a probability (seeded)."""

    def __init__(self, publisher, probability: float, rng: np.random.Generator):
        """:param publisher: the real publisher, which gets the messages not dropped."""
        self.publisher, self.probability, self.rng = publisher, probability, rng
        self.dropped = 0

    def publish(self, msg) -> None:
        """Publish ``msg`` unless it is dropped."""
        if self.probability >= 1.0 or self.rng.random() < self.probability:
            self.dropped += 1
            return
        self.publisher.publish(msg)


def stalled(faults) -> bool:
    """Tell whether a stalled clock is among the active faults."""
    return any(fault.kind == 'stalled_clock' for fault in faults)


def latency(faults) -> float:
    """Return the longest command delay of the active faults, s (0: none)."""
    return max((fault.params['delay'] for fault in faults if fault.kind == 'latency_spike'),
               default=0.0)


def dropped_topics(faults) -> dict[str, float]:
    """Return the drop probability of each topic named by an active fault."""
    drops = {}
    for fault in faults:
        if fault.kind == 'dropped_messages':
            topic = fault.params['topic']
            drops[topic] = max(drops.get(topic, 0.0), fault.params['probability'])
    return drops


def describe(faults) -> str:
    """Return the active faults in one line, for diagnostics ('none' when there are none)."""
    return '; '.join(fault.describe() for fault in faults) or 'none'


def as_yaml(faults_by_robot: dict[str, list], time_ns: int) -> str:
    """Return the active faults of every robot as YAML, for the latched sim/faults topic."""
    return yaml.safe_dump({
        'sim_time_s': time_ns / NS_PER_S,
        'active': {robot or 'robot': [{'kind': fault.kind, **_plain(fault.params)}
                                      for fault in faults]
                   for robot, faults in faults_by_robot.items()}}, sort_keys=False)


def _plain(params: dict) -> dict:
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in params.items()}
