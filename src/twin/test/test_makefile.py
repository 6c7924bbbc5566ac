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

"""``make run`` rebuilds only when a source changed (asked of make itself, nothing built)."""

import shutil
import subprocess

import pytest


def up_to_date(workspace, stamp, *what_if: str) -> bool:
    """Ask make (-q) whether the build stamp is up to date; -W pretends a file changed."""
    make = shutil.which('make')
    if make is None:
        pytest.skip('make is not installed')
    result = subprocess.run(
        [make, '-q', '-C', str(workspace), f'BUILD_STAMP={stamp}', str(stamp),
         *[arg for path in what_if for arg in ('-W', path)]],
        capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


def test_a_build_is_redone_only_when_a_source_changed(workspace, tmp_path):
    if not (workspace / '.venv' / 'twin-env.stamp').is_file():
        pytest.skip('no project environment (.venv) here: the Makefile is not in use')
    stamp = tmp_path / 'build.stamp'
    stamp.touch()   # as if just built
    assert up_to_date(workspace, stamp)
    assert not up_to_date(workspace, stamp, 'launch/sim.launch.py')
    assert not up_to_date(workspace, stamp, 'src/twin_tools/twin_tools/run.py')
