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


"""A stand-in for a calibration, for tests of what reads ``twin calibrate``'s profile."""

from pathlib import Path
from types import SimpleNamespace

from twin_calibration.estimate import Estimate
from twin_calibration.profile import write_profile

UNITS = {'left_radius': 'm', 'right_radius': 'm', 'separation': 'm', 'gyro_bias': 'rad/s',
         'time_constant': 's', 'dead_time': 's', 'gyro_noise': 'rad/s',
         'accel_noise': 'm/s^2', 'range_noise': 'm', 'dropout': ''}


def write_made_up_profile(path: Path, fitted: dict[str, tuple[float, float]],
                          warning: str = '') -> Path:
    """
    Write a profile as ``twin calibrate`` does (its writer), from made-up fitted values.

    The nominal geometry is the Burger's (0.033 m, 0.160 m); the recording is 'robot.mcap'.

    :param fitted: (value, 1-sigma) of every quantity in ``UNITS``, by its name
    :param warning: every estimate's reason it is not observed ('': all are)
    """
    def estimate(name: str) -> Estimate:
        return Estimate(*fitted[name], UNITS[name], warning)
    calibration = SimpleNamespace(
        recording=SimpleNamespace(path=Path('robot.mcap')),
        nominal=SimpleNamespace(wheel_radius=0.033, wheel_separation=0.160),
        geometry=SimpleNamespace(**{name: estimate(name) for name in
                                    ('left_radius', 'right_radius', 'separation',
                                     'gyro_bias')}),
        drive=SimpleNamespace(time_constant=estimate('time_constant'),
                              dead_time=estimate('dead_time')),
        noise=SimpleNamespace(**{name: estimate(name) for name in
                                 ('gyro_noise', 'accel_noise', 'range_noise', 'dropout')}))
    return write_profile(calibration, path)
