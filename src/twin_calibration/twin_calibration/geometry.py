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
Wheel geometry: the physical left and right wheel radii and the wheel separation.

The encoders say how far each wheel turned; the gyro says how far the body turned, and
scan matching how far it moved and turned against the static surroundings. One
``scipy.optimize.least_squares`` fit of (left radius, right radius, separation, gyro bias)
makes the wheel motion, through the physical geometry, agree with both. Its covariance,
scaled by the residuals, gives the 1-sigma uncertainties.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from twin_calibration.data import gyro_heading, Recording
from twin_calibration.estimate import Estimate, robust_std
from twin_calibration.scan_matching import Match
from twin_sim.kinematics import wrap_angle

GYRO_WINDOW = 10          # joint-state intervals per gyro comparison
MIN_TURNING = np.pi       # rad of differential wheel motion below which nothing turned
# A Burger's wheel separation over its wheel radius (0.160 m / 0.033 m): what makes
# MIN_TURNING (fit_geometry scales the wheels' differential motion by the radius over the
# separation) rad of differential wheel motion before the geometry is known.
NOMINAL_SEPARATION_PER_RADIUS = 0.160 / 0.033
OUTLIER = 4.0             # residuals beyond this many sigmas are dropped in the second pass


@dataclass(frozen=True)
class NominalGeometry:
    """The geometry the robot's odometry was computed with (its driver's settings)."""

    wheel_radius: float
    wheel_separation: float


@dataclass(frozen=True)
class GeometryFit:
    """The physical wheel geometry, the gyro's bias and what constrained them."""

    left_radius: Estimate
    right_radius: Estimate
    separation: Estimate
    gyro_bias: Estimate
    turning: float          # rad of differential wheel motion (the separation's evidence)
    matches: int            # scan matches used


def wheel_angles(recording: Recording, times: np.ndarray) -> np.ndarray:
    """Return the (left, right) forward wheel angles at ``times``."""
    wheels = recording.wheels
    return np.stack([np.interp(times, wheels[:, 0], wheels[:, 1]),
                     np.interp(times, wheels[:, 0], wheels[:, 2])], -1)


def nominal_geometry(recording: Recording) -> NominalGeometry:
    """Infer the odometry's geometry from its pose increments against the wheel angles."""
    times = recording.odom[::5, 0]
    poses = recording.odom[::5, 1:4]
    angles = wheel_angles(recording, times)
    left, right = np.diff(angles, axis=0).T
    heading = np.unwrap(poses[:, 2])
    turn = np.diff(heading)
    step = np.diff(poses[:, :2], axis=0)
    middle = heading[:-1] + turn / 2.0      # the chord of an arc points along its middle
    distance = step[:, 0] * np.cos(middle) + step[:, 1] * np.sin(middle)
    mean = (left + right) / 2.0
    radius = float(mean @ distance / (mean @ mean)) if mean @ mean > 0 else float('nan')
    spin = radius * (right - left)
    # Driving straight, the wheels still drift apart by milliradians (the servo's integral
    # term is weak while driving) and the encoders' noise turns the odometry as much: a
    # separation inferred from that is noise. Only differential wheel motion fit_geometry
    # would accept as turning (MIN_TURNING at the Burger's proportions) shows it.
    differential = float(np.abs(right - left).sum())
    turned = differential >= MIN_TURNING * NOMINAL_SEPARATION_PER_RADIUS
    separation = float(spin @ spin / (spin @ turn)) if turned and spin @ turn > 0 \
        else float('nan')
    return NominalGeometry(radius, separation)


class _Problem:
    """The residuals of the fit: gyro windows and scan matches, each over its sigma."""

    def __init__(self, recording: Recording, matches: list[Match]):
        wheels = recording.wheels
        ends = wheels[::GYRO_WINDOW, 0]
        self.gyro_steps = np.diff(wheel_angles(recording, ends), axis=0)
        self.gyro_seconds = np.diff(ends)
        self.gyro_turns = np.diff(gyro_heading(recording, ends))
        self.match_poses = np.array([m.pose for m in matches]).reshape(-1, 3)
        self._wheel_increments(recording, matches)
        self.gyro_sigma = 1e-3
        self.match_sigma = np.array([5e-3, 5e-3, 5e-3])
        self.keep_gyro = np.ones(len(self.gyro_turns), bool)
        self.keep_match = np.ones(len(self.match_poses), bool)

    def _wheel_increments(self, recording: Recording, matches: list[Match]) -> None:
        """Split each match's interval at the joint states: one increment per piece."""
        times, wheels, starts = [], recording.wheels[:, 0], []
        scan_times = recording.scans.time if matches else np.zeros(0)
        for m in matches:
            t1, t2 = scan_times[m.first], scan_times[m.second]
            inside = wheels[(wheels > t1) & (wheels < t2)]
            starts.append(sum(len(t) - 1 for t in times))
            times.append(np.concatenate([[t1], inside, [t2]]))
        self.starts = np.array(starts, dtype=int)
        self.increments = np.concatenate(
            [np.diff(wheel_angles(recording, t), axis=0) for t in times]) if times else \
            np.zeros((0, 2))

    def predicted_matches(self, left: float, right: float, separation: float) -> np.ndarray:
        """Return the base's relative pose over each match, from the wheels' increments."""
        if not len(self.starts):
            return np.zeros((0, 3))
        dl, dr = left * self.increments[:, 0], right * self.increments[:, 1]
        distance, turn = (dl + dr) / 2.0, (dr - dl) / separation
        total = np.cumsum(turn)
        offset = np.repeat(total[self.starts] - turn[self.starts],
                           np.diff(np.append(self.starts, len(turn))))
        heading = total - offset - turn / 2.0
        return np.stack([np.add.reduceat(distance * np.cos(heading), self.starts),
                         np.add.reduceat(distance * np.sin(heading), self.starts),
                         np.add.reduceat(turn, self.starts)], -1)

    def errors(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the gyro windows' and the matches' errors at ``params``: rad; m, m, rad."""
        left, right, separation, bias = params
        gyro = ((right * self.gyro_steps[:, 1] - left * self.gyro_steps[:, 0]) / separation
                - (self.gyro_turns - bias * self.gyro_seconds))
        error = self.predicted_matches(left, right, separation) - self.match_poses
        error[:, 2] = wrap_angle(error[:, 2])
        return gyro, error

    def residuals(self, params: np.ndarray) -> np.ndarray:
        gyro, error = self.errors(params)
        return np.concatenate([(gyro / self.gyro_sigma)[self.keep_gyro],
                               (error / self.match_sigma)[self.keep_match].ravel()])

    def reweigh(self, params: np.ndarray) -> None:
        """Set each group's sigma from its residuals, and drop the outliers."""
        gyro, error = self.errors(params)
        self.gyro_sigma = max(robust_std(gyro), 1e-6)
        self.keep_gyro = np.abs(gyro) < OUTLIER * self.gyro_sigma
        if len(self.match_poses):
            self.match_sigma = np.maximum([robust_std(e) for e in error.T], 1e-6)
            self.keep_match = (np.abs(error) < OUTLIER * self.match_sigma).all(axis=1)


def fit_geometry(recording: Recording, matches: list[Match],
                 nominal: NominalGeometry) -> GeometryFit:
    """
    Fit the physical geometry; an unobservable quantity is held at the nominal value.

    Without turns the separation is unobservable (it only scales the turn rate); without
    scan matches the radii's common scale is (only their ratios to the separation show).
    """
    problem = _Problem(recording, matches)
    turning = float(np.abs(problem.gyro_steps[:, 1] - problem.gyro_steps[:, 0]).sum()
                    * nominal.wheel_radius / nominal.wheel_separation)
    fixed = {}
    if turning < MIN_TURNING:
        fixed[2] = (f'no turns (the wheels turned {turning:.2f} rad apart in all): the '
                    'separation is unobservable; drive curves or turn on the spot')
    if not len(problem.match_poses):
        fixed[0 if 2 not in fixed else 1] = ('no scan matches: the wheel radii are only '
                                             'known relative to the separation')
    start = np.array([nominal.wheel_radius, nominal.wheel_radius,
                      nominal.wheel_separation, 0.0])
    free = [i for i in range(4) if i not in fixed]

    def residuals(values: np.ndarray) -> np.ndarray:
        params = start.copy()
        params[free] = values
        return problem.residuals(params)

    values = start[free]
    for _ in range(2):      # fit, set the sigmas and outliers from the residuals, refit
        fit = least_squares(residuals, values, x_scale=start[free].clip(1e-3), method='lm')
        values = fit.x
        full = start.copy()
        full[free] = values
        problem.reweigh(full)
    fit = least_squares(residuals, values, x_scale=start[free].clip(1e-3), method='lm')
    full = start.copy()
    full[free] = fit.x
    dof = max(len(fit.fun) - len(free), 1)
    covariance = np.linalg.pinv(fit.jac.T @ fit.jac) * (fit.fun @ fit.fun) / dof
    sigma = np.full(4, np.nan)
    sigma[free] = np.sqrt(np.diag(covariance))
    units = ('m', 'm', 'm', 'rad/s')
    estimates = [Estimate(float(full[i]), float(sigma[i]), units[i], fixed.get(i, ''))
                 for i in range(4)]
    if 0 in fixed and 2 not in fixed:   # the ratio is known: the right wheel follows
        estimates[1] = Estimate(float(full[1]), float(sigma[1]), 'm', fixed[0])
    return GeometryFit(*estimates, turning=turning, matches=int(problem.keep_match.sum()))
