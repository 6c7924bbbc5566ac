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

"""The LIDAR's noise figures from synthetic scans at rest, where the truth is exact."""

from pathlib import Path

import numpy as np
import pytest
from twin_calibration.data import Recording, Scans
from twin_calibration.noise import fit_noise

RANGE_MAX, RANGE_NOISE, SECONDS, BEAMS = 3.5, 0.02, 30.0, 360


def resting(true_ranges: np.ndarray, dropout: float, seed: int = 3) -> Recording:
    """Return a recording of a robot standing still for SECONDS with these beams' ranges."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, SECONDS, 0.2)                      # 5 Hz scans
    ranges = true_ranges + rng.normal(0.0, RANGE_NOISE, (len(times), BEAMS))
    ranges[ranges >= RANGE_MAX] = np.inf                      # REP-117: out of range
    ranges[rng.random(ranges.shape) < dropout] = np.inf       # no return at all
    scans = Scans(times, ranges, np.linspace(-np.pi, np.pi, BEAMS, endpoint=False), 0.0,
                  0.12, RANGE_MAX, 'base_scan')
    clock = np.arange(0.0, SECONDS, 0.01)
    imu = np.column_stack([clock, rng.normal(0.0, 0.002, (len(clock), 3)),
                           rng.normal(0.0, 0.02, (len(clock), 3)) + (0.0, 0.0, 9.80665)])
    wheels = np.column_stack([clock, np.zeros((len(clock), 4))])
    odom = np.column_stack([clock, np.zeros((len(clock), 5))])
    return Recording(Path('resting.mcap'), np.zeros((0, 3)), odom, wheels, imu, scans)


def walls(just_inside: int) -> np.ndarray:
    """Return beams at 2 m, and ``just_inside`` of them at 3.47 m: 1.5 sigmas from range_max."""
    ranges = np.full(BEAMS, 2.0)
    ranges[:just_inside] = 3.47
    return ranges


def test_a_wall_just_inside_range_max_is_not_taken_for_dropouts():
    # Noise carries such a beam past range_max in 7 % of scans: +inf, but no dropout.
    dropout = fit_noise(resting(walls(just_inside=90), dropout=0.0)).dropout
    assert dropout.value < 1e-4 and dropout.warning == ''


@pytest.mark.parametrize('just_inside', [0, 90])
def test_a_true_dropout_rate_is_found_within_its_uncertainty(just_inside):
    noise = fit_noise(resting(walls(just_inside), dropout=0.02))
    assert abs(noise.dropout.value - 0.02) < 3 * noise.dropout.sigma
    assert noise.range_noise.value == pytest.approx(RANGE_NOISE, rel=0.05)
