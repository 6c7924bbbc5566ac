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

"""The controllers' scan helpers, on the readings REP-117 allows (no ROS graph needed)."""

import math

import pytest
from twin_examples.common import clamp, range_at, sector_min

INCREMENT = 2 * math.pi / 360


def scan_with(**beams) -> list:
    """Return 360 ranges (beam i at i degrees) of +inf, with the given beams set."""
    ranges = [math.inf] * 360
    for name, value in beams.items():
        ranges[int(name[1:])] = value
    return ranges


def test_sector_min_sees_only_its_sector():
    ranges = scan_with(b10=0.8, b90=0.2)
    assert sector_min(ranges, 0.0, INCREMENT, 0.0, math.radians(15)) == 0.8
    assert sector_min(ranges, 0.0, INCREMENT, 0.0, math.radians(5)) == math.inf


def test_sector_min_wraps_around_zero():
    ranges = scan_with(b355=0.5)
    assert sector_min(ranges, 0.0, INCREMENT, 0.0, math.radians(10)) == 0.5


def test_too_close_counts_as_zero_and_nan_is_skipped():
    assert sector_min(scan_with(b0=-math.inf), 0.0, INCREMENT, 0.0, 0.1) == 0.0
    assert sector_min(scan_with(b0=math.nan, b1=1.5), 0.0, INCREMENT, 0.0, 0.1) == 1.5


def test_range_at_picks_the_nearest_beam():
    ranges = scan_with(b270=0.4)
    assert range_at(ranges, 0.0, INCREMENT, -math.pi / 2) == pytest.approx(0.4)
    assert range_at(ranges, 0.0, INCREMENT, 0.0) == math.inf
    assert range_at([], 0.0, INCREMENT, 0.0) == math.inf


def test_clamp():
    assert (clamp(3.0, 1.0), clamp(-3.0, 1.0), clamp(0.5, 1.0)) == (1.0, -1.0, 0.5)


def test_progress_watch_sees_a_robot_that_stopped_getting_closer():
    from twin_examples.common import ProgressWatch
    watch = ProgressWatch(timeout=10.0, step=0.05)
    assert not watch.stuck(0.0, 2.0)
    assert not watch.stuck(5.0, 1.0)     # closer: progress
    assert not watch.stuck(14.0, 0.98)   # 2 cm is no progress, but only 9 s since
    assert watch.stuck(15.5, 0.99)       # 10.5 s without getting 5 cm closer
    watch.restart()
    assert not watch.stuck(16.0, 3.0)    # a new goal starts afresh
