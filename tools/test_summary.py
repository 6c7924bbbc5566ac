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
Print one closing line for all packages' tests: ``Total: N passed, N failed, N skipped``.

colcon runs each package's pytest separately, so no single pytest summary covers the
workspace. This reads the JUnit files colcon left in the build folder. It exits non-zero
when a test failed or when no test ran at all (an empty run is not a pass).
"""

from pathlib import Path
import sys
from xml.etree import ElementTree


def count(junit_file: Path) -> tuple[int, int, int, int]:
    """Return (tests, failures, errors, skipped) of one JUnit XML file."""
    root = ElementTree.parse(junit_file).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    return tuple(sum(int(suite.get(key, 0)) for suite in suites)
                 for key in ('tests', 'failures', 'errors', 'skipped'))


def main(build_base: str) -> int:
    """Print the per-package counts and the closing line; return the exit code."""
    totals = [0, 0, 0, 0]
    for junit_file in sorted(Path(build_base).glob('*/pytest.xml')):
        tests, failures, errors, skipped = count(junit_file)
        print(f'  {junit_file.parent.name:<16} {tests - failures - errors - skipped:4d} passed '
              f'{failures + errors:4d} failed {skipped:4d} skipped')
        totals = [a + b for a, b in zip(totals, (tests, failures, errors, skipped))]
    tests, failures, errors, skipped = totals
    passed, failed = tests - failures - errors - skipped, failures + errors
    print(f'Total: {passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'build'))
