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
Start an episode's Python processes warm: forked from the episode process, not exec'd.

A fresh interpreter for the twin or for a Python controller first imports rclpy, the
message packages, NumPy and PyBullet (0.3-0.5 CPU s each, per episode); the episode process
has imported them already. A child forked from it runs the same entry point with the same
arguments, environment, working directory and output as the command line would. Other
commands (``ros2 launch``) are exec'd. Either way the child has a process group of its own
and gets SIGTERM when the episode process dies.
"""

import ctypes
import os
import runpy
import signal
import subprocess
import sys
import time
import traceback
from typing import Callable, NoReturn

PR_SET_PDEATHSIG = 1   # prctl(2): the signal a child gets when its parent dies
WAIT_POLL_S = 0.01     # how often a timed wait looks at a warm child


def start(command: list[str], main: Callable[[], int | None] | None = None):
    """
    Start ``command``: warm when it is ``python -m MODULE ...`` or ``main`` is given.

    :param main: the command's entry point, e.g. a console script's function, called with
        ``sys.argv`` set to ``command``
    :return: a :class:`WarmProcess`, or a ``subprocess.Popen`` for an exec'd command
    """
    if main is None and command[:2] == [sys.executable, '-m'] and len(command) > 2:
        return WarmProcess(command, lambda: _run_module(command[2], command[3:]))
    if main is None:
        return subprocess.Popen(command, process_group=0, preexec_fn=_terminate_with_parent)
    return WarmProcess(command, main)


class WarmProcess:
    """A forked child, with what the episode uses of ``subprocess.Popen``'s interface."""

    def __init__(self, args: list[str], main: Callable[[], int | None]):
        """Fork; the child runs ``main`` with ``sys.argv`` = ``args`` and exits with it."""
        self.args, self.returncode = list(args), None
        _flush()   # or the child would write this process's buffered output again
        self.pid = os.fork()
        if self.pid == 0:
            _run_child(self.args, main)

    def poll(self) -> int | None:
        """Return the exit code (negative: the signal) once the child ended, else None."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child's end; raise ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(WAIT_POLL_S)
        return self.returncode

    def send_signal(self, number: int) -> None:
        """Send a signal to the child, unless it has ended."""
        if self.poll() is None:
            os.kill(self.pid, number)

    def kill(self) -> None:
        """Kill the child (SIGKILL)."""
        self.send_signal(signal.SIGKILL)


def _run_module(name: str, arguments: list[str]) -> None:
    """Run a module as ``python -m name arguments`` does (runpy sets argv[0], as -m does)."""
    sys.argv = [name, *arguments]
    runpy.run_module(name, run_name='__main__', alter_sys=True)


def _run_child(args: list[str], main: Callable[[], int | None]) -> NoReturn:
    """In the forked child: run ``main`` as a program; never return to the parent's code."""
    code = 1
    try:
        os.setpgid(0, 0)
        _default_signal_handlers()
        _terminate_with_parent()
        sys.argv = args
        code = _exit_code(main())
    except SystemExit as end:
        code = _exit_code(end.code)
    except KeyboardInterrupt:   # as an interpreter ends on an unhandled SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
    finally:
        _flush()
        os._exit(code)


def _exit_code(value) -> int:
    """Return the exit status ``sys.exit(value)`` gives (a message: printed, and 1)."""
    if value is None or isinstance(value, int):
        return value or 0
    print(value, file=sys.stderr)
    return 1


def _default_signal_handlers() -> None:
    """Drop the parent's Python signal handlers, as exec would: a fresh interpreter's own."""
    for number in signal.valid_signals():
        if callable(signal.getsignal(number)):
            signal.signal(number, signal.default_int_handler if number == signal.SIGINT
                          else signal.SIG_DFL)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # closed, or a pipe nobody reads any more
            pass


def _terminate_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
