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
The drive's dynamics: actuator time constant and dead time, and the limits the robot showed.

The recorded commands go through the same stages as in the twin (command timeout, velocity
and acceleration limits, wheel speeds by the nominal geometry); the wheel speeds that should
result, delayed by the dead time and lagged by a first-order response, are fitted to the
measured wheel speeds (joint states) with ``scipy.optimize.least_squares``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import lfilter

from twin_calibration.data import Recording
from twin_calibration.estimate import Estimate
from twin_calibration.geometry import NominalGeometry
from twin_sim.kinematics import body_to_wheels, DriveLimits, VelocityLimiter

STEP = 1.0 / 240.0          # s: the grid the commands are replayed on (the twin's step)
COMMAND_TIMEOUT = 0.5       # s: the bridge stops the robot this long after the last command
MIN_STEPS = 3               # command changes of more than 1 rad/s a wheel needed for a fit
ACCEL_WINDOW = 0.1          # s: odometry speeds are differentiated over this
TIE_SLACK = 1e-6            # s: a command stamped this little after a grid time acts at it
BLOCKS = 8                  # stretches of the recording whose fits give the uncertainty


@dataclass(frozen=True)
class DriveFit:
    """The actuator's dynamics, and the largest speeds and accelerations the robot showed."""

    time_constant: Estimate
    dead_time: Estimate
    max_linear_velocity: float
    max_angular_velocity: float
    max_linear_acceleration: float
    max_angular_acceleration: float


def commanded_twist(recording: Recording, times: np.ndarray) -> np.ndarray:
    """Return the command in force at ``times`` (zero after the timeout), as (linear, angular)."""
    command = recording.command
    if not len(command):
        return np.zeros((len(times), 2))
    # A command stamped at a grid time is in force from it; the slack keeps the seconds'
    # rounding (stamps and grid both come from ns) from putting it a whole step late.
    latest = np.searchsorted(command[:, 0], times + TIE_SLACK, side='right') - 1
    valid = (latest >= 0) & (times - command[latest.clip(0), 0] <= COMMAND_TIMEOUT)
    return np.where(valid[:, None], command[latest.clip(0), 1:3], 0.0)


def commanded_wheel_speeds(recording: Recording, nominal: NominalGeometry,
                           limits: DriveLimits = DriveLimits()) -> tuple:
    """Return (grid times, left and right wheel speed commands) as the firmware makes them."""
    times = np.arange(recording.wheels[0, 0], recording.wheels[-1, 0], STEP)
    limiter = VelocityLimiter(limits)
    limited = [limiter.update(v, w, STEP) for v, w in commanded_twist(recording, times)]
    speeds = np.array([body_to_wheels(v, w, nominal.wheel_radius, nominal.wheel_separation)
                       for v, w in limited]).reshape(-1, 2)
    return times, speeds


def respond(times: np.ndarray, commands: np.ndarray, time_constant: float,
            dead_time: float) -> np.ndarray:
    """Return the wheel speeds a dead time and a first-order lag make of the commands."""
    delayed = np.stack([np.interp(times - dead_time, times, c, left=0.0) for c in commands.T])
    decay = np.exp(-STEP / max(time_constant, 1e-6))
    # The speed at a grid time is the lag's response to the input held over the step before
    # it (exact for a held input), not to the input at that time: that would run a step ahead.
    return lfilter([0.0, 1.0 - decay], [1.0, -decay], delayed, axis=1).T


def fit_drive(recording: Recording, nominal: NominalGeometry,
              limits: DriveLimits = DriveLimits()) -> DriveFit:
    """
    Fit time constant and dead time; report the limits the odometry reached.

    The uncertainty comes from the spread of the fit over ``BLOCKS`` stretches of the
    recording (batch means: a model error lasts seconds, so neighbouring residuals are not
    independent and the fit's own covariance would be far too small), together with the
    time resolution of the model: a step of ``STEP``, within which a delay is uniformly
    uncertain (the twin, too, realises a dead time only in whole steps).
    """
    times, commands = commanded_wheel_speeds(recording, nominal, limits)
    wheels = recording.wheels

    def fitted(start: np.ndarray, samples: np.ndarray) -> np.ndarray:
        def residuals(params: np.ndarray) -> np.ndarray:
            response = respond(times, commands, *params)
            return np.concatenate([np.interp(wheels[samples, 0], times, r)
                                   for r in response.T]) - wheels[samples, 3:5].T.ravel()
        return least_squares(residuals, start, bounds=([1e-4, 0.0], [2.0, 0.5]),
                             x_scale=[0.05, 0.02], diff_step=1e-3)

    requested = np.array([body_to_wheels(v, w, nominal.wheel_radius,
                                         nominal.wheel_separation)
                          for v, w in commanded_twist(recording, recording.command[:, 0])])
    steps = int((np.abs(np.diff(requested.reshape(-1, 2), axis=0)).max(axis=1) > 1.0).sum())
    warning = '' if steps >= MIN_STEPS else (
        'the commands hardly changed: no step responses to fit the drive dynamics to')
    everything = np.ones(len(wheels), bool)
    best = min((fitted(np.array(start), everything) for start in ([0.05, 0.01], [0.15, 0.06])),
               key=lambda f: f.cost).x
    block = np.minimum((np.arange(len(wheels)) * BLOCKS) // len(wheels), BLOCKS - 1)
    spread = np.array([fitted(best, block == b).x for b in range(BLOCKS)]).std(axis=0, ddof=1)
    sigma = np.hypot(spread / np.sqrt(BLOCKS), STEP / np.sqrt(12.0))
    # The fit sees the delay the twin realises: it releases a command at the first step
    # that starts at or after the command's time plus the dead time, so every dead time in
    # (R - STEP, R] gives the same response R. Report the middle of that step (uniformly
    # uncertain within it: the sigma above), whose realisation is R again; the fit itself
    # would configure a twin one step late whenever it lands a little above R.
    dead_time = max(best[1] - STEP / 2.0, 0.0)
    values = np.array([best[0], dead_time]) if not warning else np.zeros(2)
    return DriveFit(Estimate(float(values[0]), float(sigma[0]), 's', warning),
                    Estimate(float(values[1]), float(sigma[1]), 's', warning),
                    *observed_limits(recording))


def observed_limits(recording: Recording) -> tuple[float, float, float, float]:
    """Return the largest |linear|, |angular| speeds and accelerations in the odometry."""
    odom = recording.odom
    if len(odom) < 3:
        return (float('nan'),) * 4
    period = float(np.median(np.diff(odom[:, 0])))
    width = max(int(round(ACCEL_WINDOW / period)), 1)
    smooth = np.stack([np.convolve(odom[:, col], np.ones(width) / width, mode='same')
                       for col in (4, 5)], -1)
    accel = np.gradient(smooth, odom[:, 0], axis=0)[width:-width]
    peak = np.percentile(np.abs(accel), 99.5, axis=0) if len(accel) else (float('nan'),) * 2
    return (float(np.abs(odom[:, 4]).max()), float(np.abs(odom[:, 5]).max()),
            float(peak[0]), float(peak[1]))
