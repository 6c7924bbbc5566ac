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

"""Check that every source file opens with a copyright line and the Apache-2.0 notice."""

from pathlib import Path
import sys

SOURCE_SUFFIXES = ('.py',)
EXCLUDED_DIRS = {'build', 'install', 'log', '__pycache__', '.pytest_cache'}
REQUIRED = (
    'Copyright',
    'Licensed under the Apache License, Version 2.0',
)


def header_comment(path: Path) -> str:
    """Return the leading comment block of a file (shebang and blank lines skipped)."""
    lines = []
    for line in path.read_text(encoding='utf-8').splitlines():
        stripped = line.strip()
        if stripped.startswith('#!') and not lines:
            continue
        if stripped.startswith('#'):
            lines.append(stripped)
        elif stripped or lines:
            break
    return '\n'.join(lines)


def source_files(paths: list[str]) -> list[Path]:
    """List the source files below the given files or folders."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
            continue
        for candidate in sorted(path.rglob('*')):
            if candidate.suffix in SOURCE_SUFFIXES and \
                    not EXCLUDED_DIRS.intersection(candidate.parts):
                found.append(candidate)
    return found


def main(argv: list[str] | None = None) -> int:
    """
    Check the files below ``argv`` (default: the current folder); 0 when all pass.

    :param argv: files or folders to check
    """
    files = source_files(argv or ['.'])
    missing = [f for f in files
               if not all(text in header_comment(f) for text in REQUIRED)]
    for path in missing:
        print(f'{path}: no copyright notice; start the file with the Apache-2.0 header '
              f'used by the other files in this package', file=sys.stderr)
    print(f'{len(files)} files checked, {len(missing)} without a copyright notice')
    return 1 if missing else 0
