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
The calibrated profile: a bridge parameter file, and the settings for the robot's own driver.

The file holds the twin's own parameter names, nested as ``config/twin_bridge.yaml`` is,
each fitted value with its 1-sigma uncertainty as a comment. A quantity the recording could
not determine is left out (the bridge keeps its value), with a comment saying why.
"""

from pathlib import Path

from twin_calibration.estimate import Estimate

NODE = '/**/twin_bridge'   # the bridge in any namespace (a robot of a fleet)


def profile_values(calibration) -> list[tuple[str, float | None, str]]:
    """Return (parameter, value or None when left out, comment) in the file's order."""
    geometry, drive, noise = calibration.geometry, calibration.drive, calibration.noise
    nominal = calibration.nominal
    rows = [('wheels.radius', nominal.wheel_radius, "nominal: the recording's odometry"),
            ('wheels.separation', nominal.wheel_separation,
             "nominal: the recording's odometry")]
    for name, estimate in (('physical.left_wheel_radius', geometry.left_radius),
                           ('physical.right_wheel_radius', geometry.right_radius),
                           ('physical.wheel_separation', geometry.separation),
                           ('drive.time_constant', drive.time_constant),
                           ('drive.dead_time', drive.dead_time),
                           ('imu.gyro_bias_z', geometry.gyro_bias),
                           ('imu.gyro_noise_std', noise.gyro_noise),
                           ('imu.accel_noise_std', noise.accel_noise),
                           ('lidar.range_noise_std', noise.range_noise),
                           ('lidar.dropout_probability', noise.dropout)):
        rows.append((name, *_with_comment(estimate)))
    return rows


def _with_comment(estimate: Estimate) -> tuple[float | None, str]:
    if not estimate.observed:
        return None, f'not written: {estimate.warning}'
    return estimate.value, f'± {estimate.sigma:.2g} {estimate.unit} (1 sigma)'.replace(
        '  (', ' (')


def write_profile(calibration, path: Path) -> Path:
    """Write the profile as a parameter file for the node ``twin_bridge``."""
    lines = [f'# twin calibrate: fitted from {calibration.recording.path}',
             f'# The calibrated twin: {run_command(path)}',
             f'{NODE}:', '  ros__parameters:']
    section = None
    for name, value, comment in profile_values(calibration):
        group, _, key = name.partition('.')
        if value is None:
            lines.append(f'    # {name}: {comment}')
            continue
        if group != section:
            lines.append(f'    {group}:')
            section = group
        lines.append(f'      {key}: {value:.6g}  # {comment}')
    lines += ['', *(f'# {line}' for line in driver_settings(calibration))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n')
    return path


def driver_settings(calibration) -> list[str]:
    """Return what the robot's own odometry should be set to, in words."""
    geometry = calibration.geometry
    left, right = geometry.left_radius.value, geometry.right_radius.value
    mean = (left + right) / 2.0
    separation = geometry.separation.value
    lines = ["The robot's own driver (its odometry) should use:",
             f'  wheel radius {mean:.5f} m (the mean of the two; was '
             f'{calibration.nominal.wheel_radius:.5f})',
             f'  wheel separation {separation:.5f} m (was '
             f'{calibration.nominal.wheel_separation:.5f})'
             + ('' if geometry.separation.observed else ' -- not observed, unchanged'),
             f'  diff_drive_controller: wheel_radius {mean:.5f}, wheel_separation '
             f'{separation:.5f}, left_wheel_radius_multiplier {left / mean:.4f}, '
             f'right_wheel_radius_multiplier {right / mean:.4f}']
    return lines


def run_command(profile: Path) -> str:
    """Return the command that runs the twin with the profile at ``profile``."""
    return f'twin run --params-file {profile}'
