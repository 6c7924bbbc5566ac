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
Thresholds from a calibrated profile's uncertainties.

``twin calibrate`` writes each fitted value with its 1-sigma uncertainty as a comment
(``left_wheel_radius: 0.0331  # ± 0.00012 m (1 sigma)``). A shadow of that profile should
warn when the robot leaves what the profile allows, and no sooner: each threshold is

    ``sqrt(floor**2 + (CONFIDENCE * sigma)**2)``

where ``sigma`` is the 1-sigma spread of that divergence propagated from the profile's
uncertainties through the differential drive's kinematics, and ``floor`` what the profile
cannot cover (contact effects, the moment a command reaches the motors, the world model).
A threshold whose inputs the profile lacks keeps its default (``Thresholds``).
"""

import math
from pathlib import Path
import re

from twin_bridge.parameters import node_key_matches
from twin_sim import DriveLimits

CONFIDENCE = 3.0   # sigmas: the shadow warns past the profile's 3-sigma band
# The part of each divergence no calibration removes: about twice the largest value a
# stand-in robot with the exact model gave in 40 s of its drive (test/robot_stand_in.py,
# perturbation 0: position 0.009 m, heading 0.028 rad, speed 0.004 m/s, yaw rate 0.038
# rad/s, wheel 0.59 rad/s, gyro 0.13 rad/s; perturbation 0.005: the wheels' half difference
# 0.17 rad/s); the wheel's with the 0.85 rad/s a live shadow's DDS delay adds on a speed
# ramp, the half difference's with the 0.09 rad/s it adds on a turn rate ramp
# (docs/shadow.md); the scan's and the beams' for a world model's own error (an allowance:
# no stand-in measures it).
FLOORS = {'position': 0.02, 'heading': 0.05, 'linear': 0.01, 'angular': 0.08, 'wheel': 1.5,
          'one_wheel': 0.3, 'gyro': 0.25, 'scan': 0.1, 'beams': 0.05}
BRIDGE = '/twin_bridge'   # a profile's sections for this node hold the robot's parameters
_LINE = re.compile(r'^(?P<indent> *)(?P<key>[^\s#:][^:#]*):(?P<value>[^#]*)(?P<comment>#.*)?$')
_SIGMA = re.compile(r'#\s*±\s*(?P<sigma>[-+0-9.eE]+)')


def profile_sigmas(path: str | Path) -> dict[str, float]:
    """
    Return the 1-sigma uncertainty of each parameter a profile gives one for.

    :param path: a bridge parameter file as ``twin calibrate`` writes it
    :return: e.g. ``{'physical.left_wheel_radius': 0.00012}`` (empty: none given)
    """
    sigmas, stack = {}, []   # stack: (indent, key) of the mappings the line is inside
    for line in Path(path).read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        indent = len(match['indent'])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        keys = [key for _, key in stack] + [match['key'].strip()]
        sigma = _SIGMA.search(match['comment'] or '')
        if not match['value'].strip():
            stack.append((indent, keys[-1]))
        elif sigma and len(keys) > 2 and node_key_matches(keys[0].strip('\'"'), BRIDGE) \
                and keys[1] == 'ros__parameters':
            sigmas['.'.join(keys[2:])] = abs(float(sigma['sigma']))
    return sigmas


def derived_thresholds(values: dict, sigmas: dict[str, float], limits: DriveLimits,
                       horizon: float) -> dict[str, float]:
    """
    Return the thresholds a profile's uncertainties determine (see the module's formula).

    The robot drives at up to ``v`` = ``limits.max_linear_velocity`` and turns at up to
    ``w`` = ``limits.max_angular_velocity``. With the radii's relative uncertainties ``eL``,
    ``eR`` and the separation's ``eb``: forward speed ``v/2 * hypot(eL, eR)``; yaw rate
    ``hypot(v/b * hypot(eL, eR), w * eb)`` (straight at ``v``, turning at ``w``); heading
    over the horizon ``H`` that times ``H``; position ``hypot(H * speed, v * H**2 / 2 *
    yaw rate)`` (the heading error turns the path aside). A wheel's speed residual during an
    acceleration ramp: the ramp's slope times the drive's timing uncertainty
    (``hypot(time_constant, dead_time)`` sigmas); their half difference: the same on a turn
    rate ramp (the wheels' speeds part at ``b/2`` times the angular acceleration). The gyro
    residual: the gyro's noise (its value plus its uncertainty) with the yaw rate's. The
    scan's median residual: 0.95 times the range noise (the median of the difference of two
    noisy ranges); the beams' fraction: the dropout probability on top of the floor.

    :param values: the profile's parameter values by name (``physical.left_wheel_radius``)
    :param sigmas: their 1-sigma uncertainties by name (:func:`profile_sigmas`)
    :param limits: the robot's drive limits
    :param horizon: the shadow's re-anchoring horizon, s
    """
    spread = {}
    radii = _relative(values, sigmas, 'physical.left_wheel_radius',
                      'physical.right_wheel_radius')
    separation = _relative(values, sigmas, 'physical.wheel_separation')
    v, w = limits.max_linear_velocity, limits.max_angular_velocity
    if radii:
        radius_error = math.hypot(*radii)
        spread['linear'] = v / 2.0 * radius_error
        if separation:
            b = values['physical.wheel_separation']
            spread['angular'] = math.hypot(v / b * radius_error, w * separation[0])
            spread['heading'] = horizon * spread['angular']
            spread['position'] = math.hypot(horizon * spread['linear'],
                                            v * horizon ** 2 / 2.0 * spread['angular'])
    timing = [sigmas.get(name) for name in ('drive.time_constant', 'drive.dead_time')]
    radius = values.get('wheels.radius') or values.get('physical.left_wheel_radius')
    if None not in timing and radius:
        spread['wheel'] = limits.max_linear_acceleration / radius * math.hypot(*timing)
        if 'physical.wheel_separation' in values:
            spread['one_wheel'] = limits.max_angular_acceleration * values[
                'physical.wheel_separation'] / 2.0 / radius * math.hypot(*timing)
    if 'imu.gyro_noise_std' in sigmas:
        noise = values.get('imu.gyro_noise_std', 0.0) + sigmas['imu.gyro_noise_std']
        spread['gyro'] = math.hypot(noise, spread.get('angular', 0.0))
    if 'lidar.range_noise_std' in sigmas:
        spread['scan'] = 0.95 * (values.get('lidar.range_noise_std', 0.0)
                                 + sigmas['lidar.range_noise_std'])
    derived = {name: math.hypot(FLOORS[name], CONFIDENCE * sigma)
               for name, sigma in spread.items()}
    if 'lidar.dropout_probability' in sigmas:
        derived['beams'] = FLOORS['beams'] + values.get('lidar.dropout_probability', 0.0) \
            + CONFIDENCE * sigmas['lidar.dropout_probability']
    return derived


def _relative(values: dict, sigmas: dict, *names: str) -> list[float]:
    """Return each named value's relative uncertainty; empty unless all are given."""
    if not all(values.get(name) and name in sigmas for name in names):
        return []
    return [sigmas[name] / values[name] for name in names]
