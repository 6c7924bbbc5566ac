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

"""The twin command: every verb is listed, has --help with defaults and an example."""

import shutil
import subprocess

import pytest
from twin_cli.main import main, VERBS


@pytest.mark.parametrize('verb', [verb.name for verb in VERBS])
def test_every_verb_has_help_with_its_name_defaults_and_an_example(verb, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([verb, '--help'])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f'usage: twin {verb}')
    assert 'example' in text and f'twin {verb}' in text.rsplit('example', 1)[1]
    assert '(default: ' in text


def test_twin_on_the_path_lists_every_verb_one_line_each():
    twin = shutil.which('twin')
    assert twin, 'twin is not on PATH: is the workspace sourced (install/local_setup.bash)?'
    result = subprocess.run([twin, '--help'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for verb in VERBS:
        [line] = [line for line in lines if line.split()[:1] == [verb.name]]
        assert verb.summary in line


def test_an_unknown_verb_is_refused_with_the_list(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(['fly'])
    assert exit_.value.code == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err
