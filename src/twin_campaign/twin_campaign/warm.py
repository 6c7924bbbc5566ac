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
Start Python processes warm: forked from a process that imported their modules, not exec'd.

A fresh interpreter for the twin or for a Python controller first imports rclpy, the
message packages, NumPy and PyBullet (0.3-0.5 CPU s each, per episode); the episode process
has imported them already. A child forked from it runs the same entry point with the same
arguments, environment, working directory and output as the command line would
(:func:`start`). Other commands (``ros2 launch``) are exec'd. Either way the child has a
process group of its own and gets SIGTERM when its parent dies.

One mechanism, two kinds of parent. The episode process forks its children itself: it is
single-threaded until rclpy starts and has imported everything. The campaign process cannot
(it runs threads, the pool's or Ray's, that a fork would leave half-way, and has not
imported the episode's modules), so it asks a :class:`Server`: a process started once, cold,
that imports the episode's modules and forks each episode process the same way. Unlike
multiprocessing's forkserver, a served child does not import its requester's ``__main__``
again (under ``python -m twin_campaign.bench`` that was 1-1.5 CPU s of matplotlib and Optuna
in every episode process; under Ray, 0.4 s of Ray's worker).
"""

import atexit
import ctypes
import json
import os
import runpy
import select
import selectors
import signal
import socket
import subprocess
import sys
import threading
import traceback
from typing import Callable, NoReturn

PR_SET_PDEATHSIG = 1   # prctl(2): the signal a child gets when its parent dies
REQUEST_BYTES = 1 << 20   # a served command line, as JSON, is at most this long
READY = b'ready'          # what a server says once it imported its modules


def start(command: list[str], main: Callable[[], int | None] | None = None):
    """
    Start ``command``: warm when it is ``python -m MODULE ...`` or ``main`` is given.

    :param main: the command's entry point, e.g. a console script's function, called with
        ``sys.argv`` set to ``command``
    :return: a :class:`WarmProcess`, or a ``subprocess.Popen`` for an exec'd command
    """
    main = main or module_entry_point(command)
    if main is None:
        return subprocess.Popen(command, process_group=0, preexec_fn=_terminate_with_parent)
    return WarmProcess(command, main)


def module_entry_point(command: list[str]) -> Callable[[], None] | None:
    """Return what runs ``python -m MODULE ARGS`` in this interpreter, or None for another."""
    if command[:2] == [sys.executable, '-m'] and len(command) > 2:
        return lambda: _run_module(command[2], command[3:])
    return None


class WarmProcess:
    """A forked child, with what the episode uses of ``subprocess.Popen``'s interface."""

    def __init__(self, args: list[str], main: Callable[[], int | None]):
        """Fork; the child runs ``main`` with ``sys.argv`` = ``args`` and exits with it."""
        self.args, self.returncode = list(args), None
        self.cpu_s = None   # its CPU seconds (and its reaped children's), once it ended
        _flush()   # or the child would write this process's buffered output again
        self.pid = os.fork()
        if self.pid == 0:
            _run_child(self.args, main)
        self._ended = os.pidfd_open(self.pid)   # readable once the child ended: waits sleep

    def poll(self) -> int | None:
        """Return the exit code (negative: the signal) once the child ended, else None."""
        if self.returncode is None:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_s = usage.ru_utime + usage.ru_stime
                os.close(self._ended)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child's end; raise ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        if self.poll() is None and not select.select([self._ended], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.poll()

    def send_signal(self, number: int) -> None:
        """Send a signal to the child, unless it has ended."""
        if self.poll() is None:
            os.kill(self.pid, number)

    def kill(self) -> None:
        """Kill the child (SIGKILL)."""
        self.send_signal(signal.SIGKILL)


class Server:
    """
    A process that imported ``preload`` once and forks warm children on request.

    A preloaded module's ``warm_up()``, if it has one, runs after its import: what the
    children would load at their start (twin_campaign.episode's type supports), loaded once.

    Started at the first :meth:`start` (a fresh interpreter, with this process's working
    directory, environment and ``sys.path``), it lives until this process ends. Any thread
    may call :meth:`start`.
    """

    def __init__(self, preload: list[str]):
        """Name the modules the server imports before it forks anything."""
        self.preload, self._lock, self._socket = list(preload), threading.Lock(), None

    def ensure_running(self) -> None:
        """
        Start the server unless it runs; return once it has imported ``preload``.

        :raises RuntimeError: when it could not (its error is on this process's stderr)
        """
        with self._lock:
            if self._socket is not None:
                return
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            setup = json.dumps({'sys_path': sys.path, 'preload': self.preload})
            process = subprocess.Popen(
                [sys.executable, '-c', 'from twin_campaign.warm import serve; serve()',
                 str(theirs.fileno()), setup], pass_fds=[theirs.fileno()])
            theirs.close()
            atexit.register(_stop_server, ours, process)
            if ours.recv(len(READY)) != READY:
                raise RuntimeError(f'the warm server could not import {self.preload} (its '
                                   'error is above); try python -c "import MODULE"')
            self._socket = ours

    def start(self, command: list[str], log: str) -> 'ServedProcess':
        """
        Start ``python -m MODULE ARGS`` (``command``) warm, its output appended to ``log``.

        :raises ValueError: for another kind of command
        """
        if module_entry_point(command) is None:
            raise ValueError(f'a warm server runs [{sys.executable!r}, "-m", MODULE, ...], '
                             f'not {command}')
        self.ensure_running()
        ended_r, ended_w = os.pipe()
        output = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            request = json.dumps({'command': command, 'cwd': os.getcwd()}).encode()
            with self._lock:
                socket.send_fds(self._socket, [request], [output, ended_w])
        finally:
            os.close(output)
            os.close(ended_w)
        return ServedProcess(command, ended_r)


class ServedProcess:
    """A child of a :class:`Server`: its pid, then its exit code, come through a pipe."""

    def __init__(self, args: list[str], status: int):
        """Wait for the server to say the child's pid."""
        self.args, self.returncode, self._status, self._said = list(args), None, status, b''
        while b'\n' not in self._said:
            self._read()
        self.pid = int(self._said.split(b'\n')[0])

    def poll(self) -> int | None:
        """Return the exit code (negative: the signal) once the child ended, else None."""
        try:
            return self.wait(timeout=0)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child's end; raise ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        while self.returncode is None:
            lines = self._said.split(b'\n')
            if len(lines) > 2:   # pid, exit code, and the end of the line
                self.returncode = int(lines[1])
                os.close(self._status)
            elif not select.select([self._status], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(self.args, timeout)
            else:
                self._read()
        return self.returncode

    def kill_group(self) -> None:
        """Kill the child and its process group (what it started), unless it ended."""
        if self.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)

    def _read(self) -> None:
        said = os.read(self._status, 64)
        if not said:
            raise RuntimeError(f'the warm server ended before its child {self.args}')
        self._said += said


def serve() -> NoReturn:
    """
    Be a :class:`Server` (``sys.argv``: the socket's fd, the set-up as JSON); never return.

    Each request on the socket is a command line with two fds: the output file, and a pipe
    that gets the child's pid, then its exit code. Ends when the requester closes the socket
    (it ended); the children get SIGTERM then (``_run_child``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # a Ctrl-C is for the requester; it ends us
    requests = socket.socket(fileno=int(sys.argv[1]))
    setup = json.loads(sys.argv[2])
    sys.path[:] = setup['sys_path']
    for module in setup['preload']:
        __import__(module)
        getattr(sys.modules[module], 'warm_up', lambda: None)()
    requests.send(READY)
    waiting = selectors.DefaultSelector()
    waiting.register(requests, selectors.EVENT_READ)
    while True:
        for key, _ in waiting.select():
            if key.fileobj is requests:
                message, fds, _, _ = socket.recv_fds(requests, REQUEST_BYTES, 2)
                if not message:
                    os._exit(0)
                output, status = fds
                pid = _fork_served(json.loads(message), output, status, waiting)
                os.close(output)
                _say(status, pid)
                waiting.register(os.pidfd_open(pid), selectors.EVENT_READ, (pid, status))
            else:
                pid, status = key.data
                waiting.unregister(key.fileobj)
                os.close(key.fd)
                _say(status, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
                os.close(status)


def _fork_served(request: dict, output: int, status: int,
                 waiting: selectors.BaseSelector) -> int:
    """Fork the child of a request; in the child, run its command; return its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            _leave_the_server(status, waiting)
            os.chdir(request['cwd'])
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.close(output)
        except BaseException:   # never back into the server's loop
            traceback.print_exc()
            os._exit(1)
        _run_child(request['command'], module_entry_point(request['command']))
    return pid


def _leave_the_server(status: int, waiting: selectors.BaseSelector) -> None:
    """In a served child: close the server's fds and its other children's; SIGINT back."""
    os.close(status)
    # The epoll instance is shared with the server: closed here, never changed (unregister
    # would take the fds from the server's set too).
    keys = list(waiting.get_map().values())
    waiting.close()
    for key in keys:
        if key.data is None:   # the requests' socket
            key.fileobj.close()
        else:                  # a child's pidfd and its status pipe
            os.close(key.fd)
            os.close(key.data[1])
    signal.signal(signal.SIGINT, signal.default_int_handler)   # the server ignores it


def _say(status: int, number: int) -> None:
    try:
        os.write(status, f'{number}\n'.encode())
    except BrokenPipeError:   # the requester gave up on its child
        pass


def _stop_server(requests: socket.socket, process: subprocess.Popen) -> None:
    requests.close()   # the server's end of file: it exits
    process.wait()


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
