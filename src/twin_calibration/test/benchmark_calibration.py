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
Benchmark (not a test): CPU seconds to calibrate from a 2-minute recording.

Run in the project shell: ``python src/twin_calibration/test/benchmark_calibration.py``.
It records two minutes of a hidden twin (recordings.FIRST), then times the calibration
(fitting) and the validation replay separately, in CPU seconds of this process (one core).
"""

from pathlib import Path
import sys
import tempfile
import time

from recordings import FIRST, record

from twin_calibration.calibrate import calibrate
from twin_calibration.report import write_report

TARGET = 30.0   # s of one core, fitting and report together (issue 15)


def main() -> int:
    """Record, calibrate and report; print the CPU seconds of each."""
    with tempfile.TemporaryDirectory() as folder:
        path = record(Path(folder) / 'robot.mcap', FIRST, 120.0)
        start = time.process_time()
        calibration = calibrate(path)
        fitted = time.process_time()
        write_report(calibration, Path(folder) / 'report')
        done = time.process_time()
    total = done - start
    print(f'calibration of a 120 s recording: fit {fitted - start:.1f} s, validation report '
          f'{done - fitted:.1f} s, total {total:.1f} s of one core (target < {TARGET:.0f} s)')
    return 0 if total < TARGET else 1


if __name__ == '__main__':
    sys.exit(main())
