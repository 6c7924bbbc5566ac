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
Benchmark: ``twin shadow --replay`` on a 2-minute recording of the stand-in robot.

Not a test (no timing is asserted anywhere): ``python benchmark_replay.py DIR`` records the
stand-in (a weak right motor from 90 s on) into ``DIR/robot.mcap`` unless it is there, then
replays it; the verb prints its speed in robot seconds per second of its own CPU time (the
machine is shared: wall time measures the neighbours). ``--profile`` adds cProfile's top 25.
"""

import argparse
import cProfile
from pathlib import Path
import pstats
import sys
import time

from robot_stand_in import fault, record, robot_twin
from twin_shadow.replay import main

SECONDS, ONSET = 120.0, 90.3


def benchmark(folder: Path, profile: bool) -> int:
    """Record once, replay (profiled on request); return the verb's exit status."""
    recording = folder / 'robot.mcap'
    if not recording.exists():
        folder.mkdir(parents=True, exist_ok=True)
        record(robot_twin(), recording, SECONDS, ONSET,
               fault('weak_motor', 'right', torque=0.0), live=lambda *_: None)
    args = ['--replay', str(recording), '--report', str(folder / 'report')]
    if not profile:
        return main(args, prog='twin shadow')
    profiler = cProfile.Profile(time.process_time)   # CPU: the machine is shared
    status = profiler.runcall(main, args, prog='twin shadow')
    pstats.Stats(profiler).sort_stats('cumulative').print_stats(30)
    return status


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('folder', type=Path)
    parser.add_argument('--profile', action='store_true')
    options = parser.parse_args()
    sys.exit(benchmark(options.folder, options.profile))
