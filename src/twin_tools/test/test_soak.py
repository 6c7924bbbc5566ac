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

"""The soak tells a leak (steady growth to the end) from an allocator that settles."""

import math

import pytest
from twin_tools.soak import growth_per_hour


def test_a_steady_leak_shows_in_the_second_half_trend():
    series = [(60.0 * k, 120.0 + 0.1 * k) for k in range(1, 31)]   # +0.1 MB per reset
    assert growth_per_hour(series) == pytest.approx(6.0)


def test_growth_during_the_warm_up_that_then_settles_is_no_trend():
    series = [(60.0 * k, 120.0 + min(k, 10) * 0.5) for k in range(1, 31)]
    assert growth_per_hour(series) == pytest.approx(0.0)


def test_too_short_a_series_has_no_trend():
    assert math.isnan(growth_per_hour([(60.0, 120.0)]))
