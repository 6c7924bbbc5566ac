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
What the sim launch does when the bridge ends: the rules, without launch (pure, tested alone).

``ros2 launch`` exits 0 after a ``Shutdown`` action, so a bridge that cannot start would go
unnoticed by scripts and CI. Launch returns 1 when an event handler raises; the error it
logs is then the last line only if every other process has already ended (each logs its own
exit). So the launch file feeds :class:`BridgeWatch` the process events and raises the
reason it returns, at the right moment.
"""

from dataclasses import dataclass, field
import re
import signal

BRIDGE_FAILED = 'the twin bridge failed'
# '[FATAL] [1796039454.204195009] [twin_bridge]: ': the ROS log prefix of the reason
LOG_PREFIX = re.compile(r'^\[[A-Z]+\] \[[0-9.]+\] \[[^\]]*\]: ')


@dataclass
class BridgeWatch:
    """Follow the processes of a sim bringup; say when and why the launch must fail."""

    running: set = field(default_factory=set)
    last_line: str = ''
    failure: str | None = None

    def started(self, pid: int) -> None:
        """Note a process that started."""
        self.running.add(pid)

    def bridge_output(self, text: str) -> None:
        """Keep the bridge's last non-empty line of error output: its reason, if it fails."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            self.last_line = LOG_PREFIX.sub('', lines[-1])

    def exited(self, pid: int, returncode: int, bridge: bool,
               shutting_down: bool) -> str | None:
        """
        Note a process's end; return the failure to raise once nothing runs any more.

        :param bridge: the process is the twin bridge
        :param shutting_down: the launch is already shutting down (Ctrl-C, or after the
            bridge's end): an exit then is no failure, whatever its code
        :returns: the bridge's failure, once, when it failed and every process has ended
        """
        self.running.discard(pid)
        if bridge and returncode != 0 and not shutting_down:
            self.failure = (f'{BRIDGE_FAILED} (exit code {returncode}): '
                            f'{self._reason(returncode)}')
        if self.failure and not self.running:
            failure, self.failure = self.failure, None
            return failure
        return None

    def _reason(self, returncode: int) -> str:
        """
        Return why the bridge ended: the signal that killed it, or its last line.

        A killed bridge said nothing about it: its last line is whatever it logged before
        (an INFO line), no reason.
        """
        if returncode < 0:
            try:
                return f'killed by {signal.Signals(-returncode).name}'
            except ValueError:
                return f'killed by signal {-returncode}'
        return self.last_line or 'no reason given'
