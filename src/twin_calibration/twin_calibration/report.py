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

"""The validation report of a calibration: ``report.png`` and ``report.txt``."""

from pathlib import Path

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from matplotlib.figure import Figure
import numpy as np
from twin_analysis.recording import read_run_metadata

from twin_calibration.drive import commanded_wheel_speeds, respond
from twin_calibration.profile import driver_settings, profile_values, run_command
from twin_calibration.validation import aligned, horizon_errors, reference_trajectory, replay

DEFAULT_ROBOT = ('twin', 'urdf/twin_burger.urdf.xacro')
COLOURS = {'reference': 'black', 'nominal': 'tab:red', 'calibrated': 'tab:blue'}


def robot_file(calibration, robot: str | None) -> str:
    """Return the robot description to replay: given, the recording's, or the Burger."""
    if robot:
        return robot
    recorded = read_run_metadata(calibration.recording.path).get('robot_file')
    if recorded and Path(recorded).is_file():
        return recorded
    try:
        return str(Path(get_package_share_directory(DEFAULT_ROBOT[0]), DEFAULT_ROBOT[1]))
    except PackageNotFoundError:
        raise ValueError('no robot description to replay the commands with; give --robot '
                         'FILE') from None


def validate(calibration, robot: str | None = None) -> dict:
    """Replay nominal and calibrated twins; return trajectories and horizon errors."""
    recording = calibration.recording
    reference, source = reference_trajectory(recording, calibration.matches)
    robot = robot_file(calibration, robot)
    result = {'reference': reference, 'source': source}
    for name, calibrated in (('nominal', False), ('calibrated', True)):
        twin = replay(calibration.recording, robot, calibration.drive_config(calibrated),
                      calibration.physical_config(calibrated))
        result[name] = aligned(reference, twin)
        result[f'{name}_errors'] = horizon_errors(reference, twin)
    return result


def summary(calibration, validation: dict, profile: Path | None = None) -> str:
    """Return the text of report.txt (``profile``: where the profile was written)."""
    recording = calibration.recording
    g, d, n = calibration.geometry, calibration.drive, calibration.noise
    lines = [f'calibration of {recording.path}', f'  {recording.duration:.1f} s recorded, '
             f'{len(calibration.matches)} scan matches, {g.turning:.1f} rad of differential '
             f'wheel motion, {n.still_seconds:.1f} s standing still',
             "  nominal geometry (the odometry's): radius "
             f'{calibration.nominal.wheel_radius:.5f} m, separation '
             f'{calibration.nominal.wheel_separation:.5f} m', '', 'estimates:']
    for label, estimate in (('left wheel radius', g.left_radius),
                            ('right wheel radius', g.right_radius),
                            ('wheel separation', g.separation),
                            ('gyro bias (z, from the fit)', g.gyro_bias),
                            ('time constant', d.time_constant), ('dead time', d.dead_time),
                            ('gyro noise', n.gyro_noise), ('accel noise', n.accel_noise),
                            ('lidar range noise', n.range_noise),
                            ('lidar dropout', n.dropout)):
        lines.append(f'  {label}: {estimate.text()}')
    lines += [f'  gyro bias at rest: {_triple(n.gyro_bias)} rad/s; accel bias at rest '
              f'(level floor assumed): {_triple(n.accel_bias)} m/s^2 (the profile has the '
              "fit's gyro z bias; the twin has no constant accelerometer bias)",
              f'  observed limits: linear {d.max_linear_velocity:.3f} m/s, angular '
              f'{d.max_angular_velocity:.3f} rad/s, linear acceleration '
              f'{d.max_linear_acceleration:.2f} m/s^2, angular acceleration '
              f'{d.max_angular_acceleration:.2f} rad/s^2 (what the driving reached, not '
              'necessarily the limits)', '']
    warnings = calibration.warnings()
    lines += ['warnings:', *(f'  - {w}' for w in warnings)] if warnings else ['warnings: none']
    lines += ['', *driver_settings(calibration), '',
              f'validation against {validation["source"]}:',
              '  open-loop error   nominal twin                 calibrated twin']
    for before, after in zip(validation['nominal_errors'], validation['calibrated_errors']):
        label = f'{before.horizon:.0f} s' if before.horizon in (5.0, 10.0) else \
            f'whole ({before.horizon:.0f} s)'
        lines.append(f'  {label:<16} {_error(before)}   {_error(after)}')
    lines += ['', 'profile values:', *(f'  {name}: {"-" if v is None else f"{v:.6g}"}  '
                                       f'# {c}' for name, v, c in profile_values(calibration))]
    if profile is not None:
        lines += ['', f'the calibrated twin: {run_command(profile)}']
    return '\n'.join(lines) + '\n'


def _triple(values) -> str:
    return '(' + ', '.join(f'{v:.4f}' for v in values) + ')'


def _error(error) -> str:
    return (f'{error.position:.3f} m {np.degrees(error.heading):5.1f} deg '
            f'{100 * error.per_metre:4.1f} %/m')


def plot(calibration, validation: dict, path: Path) -> None:
    """Draw trajectories, residuals and the drive's response into ``path``."""
    figure = Figure(figsize=(13, 10))
    axes = figure.subplots(2, 2)
    trajectories, whole, windows, drive = axes.ravel()
    for name in ('reference', 'nominal', 'calibrated'):
        data = validation[name]
        trajectories.plot(data[:, 1], data[:, 2], color=COLOURS[name], lw=1, label=name)
    trajectories.set(aspect='equal', xlabel='x (m)', ylabel='y (m)',
                     title=f'trajectories (reference: {validation["source"].split(" (")[0]})')
    trajectories.legend()
    reference = validation['reference']
    for name in ('nominal', 'calibrated'):
        twin = validation[name]
        x = np.interp(reference[:, 0], twin[:, 0], twin[:, 1])
        y = np.interp(reference[:, 0], twin[:, 0], twin[:, 2])
        whole.plot(reference[:, 0], np.hypot(x - reference[:, 1], y - reference[:, 2]),
                   color=COLOURS[name], label=name)
        ten = next(e for e in validation[f'{name}_errors'] if e.horizon == 10.0)
        windows.plot(ten.starts, ten.errors, color=COLOURS[name],
                     label=f'{name}: mean {ten.position:.3f} m')
    whole.set(xlabel='t (s)', ylabel='position error (m)',
              title='open loop over the whole run, from the same start')
    windows.set(xlabel='window start (s)', ylabel='position error after 10 s (m)',
                title='open-loop error over 10 s windows')
    whole.legend()
    windows.legend()
    _plot_drive(calibration, drive)
    figure.tight_layout()
    figure.savefig(path, dpi=80)


def _plot_drive(calibration, axis) -> None:
    """Plot measured and modelled left wheel speeds over the busiest 5 s."""
    recording = calibration.recording
    times, commands = commanded_wheel_speeds(recording, calibration.nominal)
    wheels = recording.wheels
    change = np.abs(np.diff(commands[:, 0]))
    centre = times[np.argmax(np.convolve(change, np.ones(240 * 5), mode='same'))]
    shown = (times > centre - 2.5) & (times < centre + 2.5)
    fitted = respond(times, commands, calibration.drive.time_constant.value,
                     calibration.drive.dead_time.value)
    measured = (wheels[:, 0] > centre - 2.5) & (wheels[:, 0] < centre + 2.5)
    axis.plot(times[shown], commands[shown, 0], color=COLOURS['nominal'],
              label='commanded (the nominal twin)')
    axis.plot(times[shown], fitted[shown, 0], color=COLOURS['calibrated'],
              label='fitted dead time and lag')
    axis.plot(wheels[measured, 0], wheels[measured, 3], '.', color='black', ms=3,
              label='measured (joint_states)')
    axis.set(xlabel='t (s)', ylabel='left wheel speed (rad/s)', title='drive response')
    axis.legend()


def write_report(calibration, folder: Path, robot: str | None = None,
                 profile: Path | None = None) -> tuple[Path, Path]:
    """Validate, then write ``folder/report.png`` and ``folder/report.txt``."""
    validation = validate(calibration, robot)
    folder.mkdir(parents=True, exist_ok=True)
    png, txt = folder / 'report.png', folder / 'report.txt'
    plot(calibration, validation, png)
    txt.write_text(summary(calibration, validation, profile))
    return png, txt
