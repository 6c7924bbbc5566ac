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
Sensor noise and bias from the stretches where the robot stood still.

At rest the true angular velocity is zero and the specific force is gravity, and every
LIDAR beam keeps its range: what varies is noise. Gyro and accelerometer noise are the
standard deviations about each stretch's mean (the bias); the LIDAR's range noise is the
robust spread (MAD) of each beam's ranges about its mean over a stretch, its dropout rate
the share of missing returns among beams that see something well inside the range limits.
"""

from dataclasses import dataclass

import numpy as np

from twin_calibration.data import Recording
from twin_calibration.drive import commanded_twist
from twin_calibration.estimate import Estimate, robust_std

STILL_WHEEL_SPEED = 0.01     # rad/s: a wheel slower than this stands still
SETTLE = 0.5                 # s cut from each end of a stretch (the body comes to rest)
MIN_STRETCH = 1.0            # s: shorter stops are not used
DROPOUT_MARGIN = 5.0         # range noise sigmas a judged beam lies inside the limits
MIN_STILL = 2.0              # s of stillness in all needed for noise figures
GRAVITY = 9.80665


@dataclass(frozen=True)
class NoiseFit:
    """The sensors' noise figures and biases; unobserved ones carry the reason."""

    gyro_noise: Estimate
    accel_noise: Estimate
    gyro_bias: tuple[float, float, float]
    accel_bias: tuple[float, float, float]
    range_noise: Estimate
    dropout: Estimate
    still_seconds: float


def still_stretches(recording: Recording) -> list[tuple[float, float]]:
    """Return (start, end) of every stretch with no command and the wheels at rest."""
    wheels = recording.wheels
    command = commanded_twist(recording, wheels[:, 0])
    still = (np.abs(wheels[:, 3:5]).max(axis=1) < STILL_WHEEL_SPEED) & \
        (np.abs(command).max(axis=1) == 0.0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], still.astype(int), [0]])))
    stretches = []
    for begin, end in zip(edges[::2], edges[1::2]):
        start, stop = wheels[begin, 0] + SETTLE, wheels[end - 1, 0] - SETTLE
        if stop - start >= MIN_STRETCH:
            stretches.append((float(start), float(stop)))
    return stretches


def fit_noise(recording: Recording) -> NoiseFit:
    """Estimate the noise figures from the still stretches, or say why there are none."""
    stretches = still_stretches(recording)
    seconds = sum(end - start for start, end in stretches)
    if seconds < MIN_STILL:
        reason = (f'the robot never stood still long enough ({seconds:.1f} s of rest, '
                  f'{MIN_STILL:.0f} s needed): no noise figures; stop it for a few seconds')
        missing = Estimate(float('nan'), float('nan'), '', reason)
        return NoiseFit(missing, missing, (np.nan,) * 3, (np.nan,) * 3, missing, missing,
                        seconds)
    imu = recording.imu
    pieces = [imu[(imu[:, 0] >= a) & (imu[:, 0] <= b), 1:7] for a, b in stretches]
    pieces = [p for p in pieces if len(p) > 2]
    deviations = np.vstack([p - p.mean(axis=0) for p in pieces])
    count = len(deviations) - len(pieces)
    spread = np.sqrt((deviations ** 2).sum(axis=0) / count)
    mean = np.vstack(pieces).mean(axis=0)
    gyro, accel = spread[:3].mean(), spread[3:].mean()
    return NoiseFit(Estimate(float(gyro), float(gyro / np.sqrt(2 * 3 * count)), 'rad/s'),
                    Estimate(float(accel), float(accel / np.sqrt(2 * 3 * count)), 'm/s^2'),
                    tuple(float(v) for v in mean[:3]),
                    tuple(float(v) for v in mean[3:] - (0.0, 0.0, GRAVITY)),
                    *_lidar_noise(recording, stretches), seconds)


def _lidar_noise(recording: Recording, stretches: list) -> tuple[Estimate, Estimate]:
    scans = recording.scans
    if scans is None:
        missing = Estimate(float('nan'), float('nan'), '', 'no scans in the recording')
        return missing, missing
    period = float(np.median(np.diff(scans.time))) if len(scans.time) > 1 else 0.0
    still = [ranges for start, end in stretches
             if len(ranges := scans.ranges[(scans.time >= start) &
                                           (scans.time + period <= end)]) >= 3]
    inside = [np.isfinite(r) & (r > scans.range_min) & (r < scans.range_max) for r in still]
    deviations = [_deviations(r[:, i.all(axis=0)]) for r, i in zip(still, inside)]
    count = sum(len(d) for d in deviations)
    if count < 100:
        missing = Estimate(float('nan'), float('nan'), '',
                           'too few scans while the robot stood still')
        return missing, missing
    # A robust spread (MAD): a beam on an edge, flipping between two surfaces, is no noise.
    sigma = robust_std(np.concatenate(deviations))
    beams, dropped = 0, 0
    for ranges, returned in zip(still, inside):
        judged = _clear_of_the_limits(ranges, returned, scans, sigma)
        beams += int(judged.sum()) * len(ranges)
        dropped += int((~returned[:, judged] & ~np.isneginf(ranges[:, judged])).sum())
    rate = dropped / beams if beams else 0.0
    return (Estimate(sigma, 1.166 * sigma / np.sqrt(count), 'm'),   # the MAD's spread
            Estimate(float(rate),
                     float(np.sqrt(max(rate * (1 - rate), 1e-12) / max(beams, 1))), ''))


def _deviations(steady: np.ndarray) -> np.ndarray:
    """Return the steady beams' deviations from their means, as single ranges spread."""
    return ((steady - steady.mean(axis=0)) * np.sqrt(len(steady) / (len(steady) - 1))).ravel()


def _clear_of_the_limits(ranges: np.ndarray, returned: np.ndarray, scans,
                         sigma: float) -> np.ndarray:
    """
    Return the beams whose missing returns are dropouts.

    Those that usually return, at a range noise (``DROPOUT_MARGIN`` sigmas) cannot carry
    past range_max or range_min: a wall just inside range_max returns a range in some scans
    and +inf (out of range, REP-117) in others, which is noise, not a dropout.
    """
    usually = returned.mean(axis=0) > 0.5
    typical = np.nanmedian(np.where(returned, ranges, np.nan)[:, usually], axis=0)
    margin = DROPOUT_MARGIN * sigma
    clear = np.zeros_like(usually)
    clear[usually] = (typical + margin < scans.range_max) & (typical - margin > scans.range_min)
    return clear
