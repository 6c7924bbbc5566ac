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

"""Check that XML files are well-formed and package.xml follows package format 3."""

from pathlib import Path
import sys
from xml.etree import ElementTree

from catkin_pkg.package import InvalidPackage, parse_package

XML_SUFFIXES = ('.xml', '.urdf', '.xacro', '.sdf', '.launch')
EXCLUDED_DIRS = {'build', 'install', 'log', '__pycache__'}


def xml_files(paths: list[str]) -> list[Path]:
    """List the XML files below the given files or folders."""
    found = []
    for name in paths:
        path = Path(name)
        candidates = [path] if path.is_file() else sorted(path.rglob('*'))
        found += [c for c in candidates
                  if c.suffix in XML_SUFFIXES and not EXCLUDED_DIRS.intersection(c.parts)]
    return found


def problems(path: Path) -> list[str]:
    """Return what is wrong with one XML file (empty when nothing is)."""
    try:
        ElementTree.parse(path)
    except ElementTree.ParseError as error:
        return [f'not well-formed XML: {error}']
    if path.name != 'package.xml':
        return []
    warnings = []
    try:
        package = parse_package(path, warnings=warnings)
    except InvalidPackage as error:
        return [str(error)]
    if package.package_format != 3:
        warnings.append(f'package format {package.package_format}, expected 3')
    return warnings


def main(argv: list[str] | None = None) -> int:
    """
    Check the XML files below ``argv`` (default: the current folder); 0 when all pass.

    :param argv: files or folders to check
    """
    files = xml_files(argv or ['.'])
    failures = 0
    for path in files:
        for problem in problems(path):
            failures += 1
            print(f'{path}: {problem}', file=sys.stderr)
    print(f'{len(files)} XML files checked, {failures} problems')
    return 1 if failures else 0
