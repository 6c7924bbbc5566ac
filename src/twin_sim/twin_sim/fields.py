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
Allowed values of configuration fields, written once beside the field and checked one way.

A configuration dataclass declares a field as ``samples: int = ranged(360, 1, 100_000)`` or
``policy: str = one_of('saturate', ('saturate', 'reject'))`` and calls
:func:`check_fields` from its ``__post_init__``. Whoever builds a configuration (a script,
the ROS bridge) gets the same error, and the bridge reads the same limits for its parameter
descriptors (:func:`field_range`, :func:`field_choices`).
"""

import dataclasses
import math

RANGE = 'range'
CHOICES = 'choices'


def ranged(default, low: float, high: float = math.inf):
    """Return a dataclass field with a default and an inclusive range ``[low, high]``."""
    return dataclasses.field(default=default, metadata={RANGE: (low, high)})


def one_of(default: str, choices: tuple[str, ...]):
    """Return a dataclass field with a default that must be one of ``choices``."""
    return dataclasses.field(default=default, metadata={CHOICES: tuple(choices)})


def field_range(field: dataclasses.Field) -> tuple[float, float] | None:
    """Return a field's inclusive range, or None when it has none."""
    return field.metadata.get(RANGE)


def field_choices(field: dataclasses.Field) -> tuple[str, ...]:
    """Return a field's allowed values, or () when any value of its type goes."""
    return field.metadata.get(CHOICES, ())


def field_problem(field: dataclasses.Field, value) -> str | None:
    """Return why ``value`` is not allowed in ``field`` (a phrase), or None when it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return 'must be a finite number'
    choices = field_choices(field)
    if choices and value not in choices:
        return f'must be one of {", ".join(choices)}'
    bounds = field_range(field)
    if bounds and not isinstance(value, bool) and isinstance(value, (int, float)):
        low, high = bounds
        if not low <= value <= high:
            return f'must be at least {low:g}' if high == math.inf else \
                f'must be within [{low:g}, {high:g}]'
    return None


def check_fields(config, label: str) -> None:
    """
    Raise ValueError naming the first field of ``config`` outside its range or choices.

    :param config: a dataclass instance whose fields may carry :func:`ranged` or
        :func:`one_of` limits
    :param label: the configuration's name in the message, e.g. ``'lidar'``
    """
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        problem = field_problem(field, value)
        if problem:
            raise ValueError(f'{label} {field.name} {problem}, got {value!r}')
