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
The ``twin`` command: one entry point, a verb per tool (as ``ros2 bag``, ``colcon build``).

Each verb is a thin dispatcher into the package that does the work: a module with
``main(args, prog) -> int``, imported only when its verb runs, so ``twin --help`` is
fast. A new verb is one line in VERBS.
"""

import argparse
from dataclasses import dataclass
import importlib
import sys


@dataclass(frozen=True)
class Verb:
    """A verb of the twin command: its name, one line of help, the module that does it."""

    name: str
    summary: str
    module: str


VERBS = (
    Verb('run', 'bring up the twin with a live status line (make run)', 'twin_tools.run'),
    Verb('check', 'check a live robot or twin against the interface contract',
         'twin_tools.check'),
    Verb('report', 'write the report (picture and summary) of a recording',
         'twin_analysis.report'),
    Verb('bench', 'benchmarks (not tests): speed, pacing, latency, memory',
         'twin_tools.bench'),
    Verb('soak', 'hours of simulated time with resets: does memory stay flat?',
         'twin_tools.soak'),
    Verb('drive', 'drive the robot from the keyboard (teleop_twist_keyboard keys)',
         'twin_tools.drive'),
    Verb('sim', 'pause, resume, step, reset or teleport the twin (sim/ services)',
         'twin_tools.sim'),
    Verb('topic', 'list the topics, echo one, or measure its rate (ros2 topic)',
         'twin_tools.topic'),
)


def parser() -> argparse.ArgumentParser:
    """Return the top-level command line; each verb parses its own options."""
    result = argparse.ArgumentParser(
        prog='twin', description='The digital twin of a TurtleBot3-class robot.',
        epilog="'twin VERB --help' gives a verb's options and an example.")
    verbs = result.add_subparsers(dest='verb', metavar='VERB', required=True)
    for verb in VERBS:
        verbs.add_parser(verb.name, help=verb.summary, description=verb.summary,
                         add_help=False)
    return result


def main(args: list[str] | None = None) -> int:
    """Dispatch to the verb's module; Ctrl-C while it starts ends quietly."""
    options, rest = parser().parse_known_args(sys.argv[1:] if args is None else args)
    verb = next(v for v in VERBS if v.name == options.verb)
    try:
        return importlib.import_module(verb.module).main(rest, prog=f'twin {verb.name}')
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
