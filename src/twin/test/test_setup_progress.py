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

"""``make setup`` shows progress while pip works (tools/bootstrap.py), not a silent minute."""

import importlib.util


def bootstrap(workspace):
    spec = importlib.util.spec_from_file_location('bootstrap', workspace / 'tools' /
                                                  'bootstrap.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pips_steps_become_progress_lines(workspace):
    step = bootstrap(workspace).pip_step
    assert step('Collecting numpy==1.26.4 (from -r x.txt (line 3))', 7) == \
        'pip: collecting 7: numpy==1.26.4'
    assert step('  Downloading numpy-1.26.4.whl (18.2 MB)', 7) is None
    assert step('Installing collected packages: a, b, c', 3) == 'pip: installing 3 packages'
    assert step('Successfully installed a-1 b-2', 3) == 'pip: installed 2 packages'


def test_a_log_gets_a_line_every_tenth_requirement_and_each_step(
        workspace, capsys, monkeypatch, tmp_path):
    module = bootstrap(workspace)
    lines = [f'Collecting p{i}' for i in range(1, 21)] + ['Installing collected packages: p1']
    script = tmp_path / 'fake_pip.py'
    script.write_text('\n'.join(f'print({line!r})' for line in lines) + '\n')
    monkeypatch.setattr(module.sys.stdout, 'isatty', lambda: False)
    module.run_with_progress([module.sys.executable, script])
    out = capsys.readouterr().out.splitlines()
    assert out == ['[twin setup] pip: collecting 1: p1', '[twin setup] pip: collecting 11: p11',
                   '[twin setup] pip: installing 1 packages']
