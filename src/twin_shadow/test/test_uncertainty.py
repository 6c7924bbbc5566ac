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

"""Thresholds from a calibrated profile's uncertainties, as ``twin calibrate`` writes them."""

import dataclasses

from twin_calibration.testing import write_made_up_profile
from twin_shadow.detector import Thresholds
from twin_shadow.model import shadow_settings
from twin_shadow.uncertainty import profile_sigmas

DERIVED = ('position', 'heading', 'linear', 'angular', 'wheel', 'one_wheel', 'gyro', 'scan',
           'beams')


# A typical fitted value and its 1-sigma of every quantity twin calibrate writes.
TYPICAL = {'left_radius': (0.0331, 1e-4), 'right_radius': (0.0329, 1e-4),
           'separation': (0.161, 5e-4), 'gyro_bias': (0.0, 1e-4),
           'time_constant': (0.05, 5e-3), 'dead_time': (0.01, 2e-3),
           'gyro_noise': (0.002, 2e-4), 'accel_noise': (0.02, 2e-3),
           'range_noise': (0.01, 1e-3), 'dropout': (0.01, 2e-3)}


def calibrated_profile(path, scale: float, observed: bool = True):
    """Write a profile as ``twin calibrate`` does, every sigma ``scale`` times a typical one."""
    fitted = {name: (value, sigma * scale) for name, (value, sigma) in TYPICAL.items()}
    return str(write_made_up_profile(path, fitted, '' if observed else 'no turns'))


def test_the_calibrated_profile_comments_are_read_as_sigmas(tmp_path):
    sigmas = profile_sigmas(calibrated_profile(tmp_path / 'profile.yaml', 1.0))
    assert sigmas['physical.left_wheel_radius'] == 1e-4
    assert sigmas['physical.wheel_separation'] == 5e-4
    assert sigmas['drive.dead_time'] == 2e-3
    assert sigmas['lidar.dropout_probability'] == 2e-3
    assert 'wheels.radius' not in sigmas   # the nominal values carry no uncertainty


def test_a_tighter_profile_gives_tighter_thresholds(tmp_path):
    loose = shadow_settings(calibrated_profile(tmp_path / 'loose.yaml', 4.0)).thresholds
    tight = shadow_settings(calibrated_profile(tmp_path / 'tight.yaml', 0.5)).thresholds
    for name in DERIVED:
        assert getattr(tight, name) < getattr(loose, name), name
    for name in ('drift', 'alarm', 'obstacle'):   # the detector's tuning is not derived
        assert getattr(tight, name) == getattr(loose, name) == getattr(Thresholds(), name)


def test_a_longer_horizon_widens_the_pose_thresholds_only(tmp_path):
    profile = calibrated_profile(tmp_path / 'profile.yaml', 1.0)
    short = shadow_settings(profile, horizon=2.0).thresholds
    long = shadow_settings(profile, horizon=10.0).thresholds
    assert long.position > short.position and long.heading > short.heading
    assert (long.linear, long.angular, long.wheel) == (short.linear, short.angular, short.wheel)


def test_defaults_apply_without_a_profile_or_without_uncertainties(tmp_path):
    assert shadow_settings(None).thresholds == Thresholds()
    plain = tmp_path / 'plain.yaml'
    plain.write_text('twin_bridge:\n  ros__parameters:\n    physical:\n'
                     '      left_wheel_radius: 0.0331\n')
    assert shadow_settings(str(plain)).thresholds == Thresholds()
    unobserved = calibrated_profile(tmp_path / 'unobserved.yaml', 1.0, observed=False)
    assert shadow_settings(unobserved).thresholds == Thresholds()


def test_the_profile_shadow_section_wins_over_the_derived_thresholds(tmp_path):
    profile = tmp_path / 'profile.yaml'
    calibrated_profile(profile, 1.0)
    derived = shadow_settings(str(profile)).thresholds
    with open(profile, 'a') as file:
        file.write('twin_shadow:\n  ros__parameters:\n    thresholds:\n      wheel: 1.75\n')
    chosen = shadow_settings(str(profile)).thresholds
    assert chosen.wheel == 1.75 != derived.wheel
    assert dataclasses.replace(chosen, wheel=derived.wheel) == derived
