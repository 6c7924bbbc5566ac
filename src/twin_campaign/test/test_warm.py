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

"""Warm children: forked from this process, they run as their command line would."""

import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest
from twin_campaign import warm

PROBE = """
import json, os, sys
json.dump({'argv': sys.argv[1:], 'name': __name__, 'file': __file__,
           'warm': 'twin_campaign.warm' in sys.modules, 'own_group': os.getpgid(0) == os.getpid()},
          open(sys.argv[1], 'w'))
print('probe ran', flush=True)
sys.exit(3)
"""


def test_python_dash_m_runs_the_module_warm_as_main_with_its_arguments(tmp_path, monkeypatch,
                                                                       capfd):
    (tmp_path / 'warm_probe.py').write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    seen = tmp_path / 'seen.json'
    child = warm.start([sys.executable, '-m', 'warm_probe', str(seen), '--ros-args'])
    assert isinstance(child, warm.WarmProcess)
    assert child.wait(timeout=60) == 3
    probe = json.loads(seen.read_text())
    assert probe == {'argv': [str(seen), '--ros-args'], 'name': '__main__',
                     'file': str(tmp_path / 'warm_probe.py'), 'warm': True, 'own_group': True}
    assert capfd.readouterr().out == 'probe ran\n'   # once: nothing buffered here is repeated


def test_an_entry_point_gets_the_command_as_argv_and_exits_with_its_return(tmp_path):
    seen = tmp_path / 'argv.json'
    child = warm.start(['/some/console_script', '--ros-args', '-p', 'a:=1'],
                       lambda: seen.write_text(json.dumps(sys.argv)) and 7)
    assert child.wait(timeout=60) == 7
    assert json.loads(seen.read_text()) == ['/some/console_script', '--ros-args', '-p', 'a:=1']
    assert child.args == ['/some/console_script', '--ros-args', '-p', 'a:=1']


def test_a_raising_child_exits_1_with_its_traceback(capfd):
    child = warm.start(['broken'], lambda: 1 / 0)
    assert child.wait(timeout=60) == 1
    assert 'ZeroDivisionError' in capfd.readouterr().err


def test_a_signal_ends_a_warm_child_as_it_ends_a_process():
    # This process's handler is not the child's: an exec'd program would not have it either.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        child = warm.start(['sleeper'], lambda: time.sleep(60))
    finally:
        signal.signal(signal.SIGTERM, previous)
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.05)
    assert child.poll() is None
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == -signal.SIGTERM
    child.kill()   # already ended: nothing to do
    assert child.poll() == -signal.SIGTERM


def test_other_commands_are_executed():
    child = warm.start(['true'])
    assert isinstance(child, subprocess.Popen)
    assert child.wait(timeout=60) == 0


def test_a_server_forks_a_module_warm_with_its_arguments_output_and_exit_code(
        tmp_path, monkeypatch):
    (tmp_path / 'warm_probe.py').write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))   # the server gets this process's sys.path
    monkeypatch.chdir(tmp_path)
    server = warm.Server(['warm_probe_preloaded'])
    (tmp_path / 'warm_probe_preloaded.py').write_text('')
    seen, log = tmp_path / 'seen.json', tmp_path / 'child.log'
    child = server.start([sys.executable, '-m', 'warm_probe', 'seen.json', '-x'], str(log))
    assert child.wait(timeout=60) == 3
    probe = json.loads(seen.read_text())   # found in the requester's working directory
    assert probe == {'argv': ['seen.json', '-x'], 'name': '__main__',
                     'file': str(tmp_path / 'warm_probe.py'), 'warm': True, 'own_group': True}
    assert log.read_text() == 'probe ran\n'
    with pytest.raises(ValueError, match='-m'):
        server.start(['true'], str(log))


def test_a_served_child_that_outlives_its_wait_is_killed_with_its_group(tmp_path, monkeypatch):
    (tmp_path / 'group_probe.py').write_text(
        'import subprocess, sys, time\n'
        'sleeper = subprocess.Popen(["sleep", "60"])\n'   # a child of its own, in its group
        'print(sleeper.pid, flush=True)\n'
        'time.sleep(60)\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    log = tmp_path / 'child.log'
    child = warm.Server([]).start([sys.executable, '-m', 'group_probe'], str(log))
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.1)
    assert child.poll() is None
    while not log.read_text().endswith('\n'):
        time.sleep(0.05)
    child.kill_group()
    assert child.wait(timeout=60) == -signal.SIGKILL
    assert _ended(int(log.read_text()))   # the grandchild went with it


def _ended(pid: int) -> bool:
    """Tell whether a process (not this one's child) ends within a minute."""
    try:
        ending = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([ending], [], [], 60)[0])
    finally:
        os.close(ending)
