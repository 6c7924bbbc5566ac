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
``twin calibrate``: fit the twin to a recording of the robot, and validate the fit.

From one recording of ordinary driving (cmd_vel, odom, joint_states, imu, scan, tf_static),
it fits the physical wheel geometry, the drive's time constant and dead time and the sensor
noise, writes them as a bridge parameter file, and replays the commands in the twin with
the nominal and the calibrated parameters to show how much closer the twin comes.
"""

import argparse
from dataclasses import dataclass, fields
from pathlib import Path
import sys

import numpy as np

from twin_calibration.data import load, Recording, Topics
from twin_calibration.drive import DriveFit, fit_drive
from twin_calibration.geometry import fit_geometry, GeometryFit, nominal_geometry, \
    NominalGeometry
from twin_calibration.noise import fit_noise, NoiseFit
from twin_calibration.profile import write_profile
from twin_calibration.scan_matching import Match, match_chain
from twin_sim import DriveConfig, PhysicalConfig


BURGER_SEPARATION = 0.160   # m: TurtleBot3 Burger (the twin's URDF)


@dataclass
class Calibration:
    """Everything fitted from one recording."""

    recording: Recording
    nominal: NominalGeometry
    matches: list[Match]
    geometry: GeometryFit
    drive: DriveFit
    noise: NoiseFit

    def warnings(self) -> list[str]:
        """Return every observability warning and note, once each."""
        found = list(self.recording.notes)
        for estimate in (self.geometry.left_radius, self.geometry.right_radius,
                         self.geometry.separation, self.drive.time_constant,
                         self.noise.gyro_noise, self.noise.range_noise):
            if estimate.warning and estimate.warning not in found:
                found.append(estimate.warning)
        return found

    def drive_config(self, calibrated: bool) -> DriveConfig:
        """Return the firmware's drive settings, with the fitted dynamics if ``calibrated``."""
        drive = self.drive
        return DriveConfig(wheel_radius=self.nominal.wheel_radius,
                           wheel_separation=self.nominal.wheel_separation,
                           time_constant=drive.time_constant.value if calibrated else 0.0,
                           dead_time=drive.dead_time.value if calibrated else 0.0)

    def physical_config(self, calibrated: bool) -> PhysicalConfig:
        """Return the body's geometry: the fitted one, or the nominal one."""
        if not calibrated:
            return PhysicalConfig(self.nominal.wheel_radius, self.nominal.wheel_radius,
                                  self.nominal.wheel_separation)
        g = self.geometry
        return PhysicalConfig(g.left_radius.value, g.right_radius.value, g.separation.value)


def calibrate(path: Path, topics: Topics = Topics(),
              nominal: NominalGeometry | None = None) -> Calibration:
    """
    Fit the twin to a recording.

    :param nominal: the geometry the recording's odometry used; None: inferred from it
    """
    recording = load(path, topics)
    nominal = nominal or nominal_geometry(recording)
    if not np.isfinite(nominal.wheel_radius):
        raise ValueError(f'{path}: cannot infer the nominal geometry from the odometry (did '
                         'the robot move?); give --nominal-radius and --nominal-separation')
    if not np.isfinite(nominal.wheel_separation):
        nominal = NominalGeometry(nominal.wheel_radius, BURGER_SEPARATION)
        recording.notes.append(
            "the odometry never turned: its separation cannot be inferred; the Burger's "
            f'{BURGER_SEPARATION} m is assumed (give --nominal-separation)')
    matches = match_chain(recording)
    return Calibration(recording, nominal, matches, fit_geometry(recording, matches, nominal),
                       fit_drive(recording, nominal), fit_noise(recording))


def _topics(assignments: list[str]) -> Topics:
    names = {f.name for f in fields(Topics)}
    given = {}
    for text in assignments:
        key, separator, value = text.partition(':=')
        if not separator or key not in names:
            raise ValueError(f'--topic {text!r}: expected KEY:=NAME with KEY one of '
                             f'{", ".join(sorted(names))}')
        given[key] = value
    return Topics(**given)


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Calibrate from a recording (``twin calibrate``)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0].strip(),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='example: twin calibrate robot.mcap --output config/my_robot.yaml '
               '--report artifacts/calibration')
    parser.add_argument('recording', type=Path, help='an MCAP file (ros2 bag record -s mcap, '
                                                     'or twin run --record)')
    parser.add_argument('--output', type=Path, default=Path('calibrated.yaml'),
                        help='the profile: a bridge parameter file')
    parser.add_argument('--report', type=Path, default=Path('calibration'),
                        help='folder of the validation report (report.png, report.txt)')
    parser.add_argument('--topic', action='append', default=[], metavar='KEY:=NAME',
                        help='a topic or frame name, e.g. scan:=/tb0/scan, '
                             'left_wheel_joint:=left_hinge (keys: the fields of '
                             'twin_calibration.data.Topics)')
    parser.add_argument('--nominal-radius', type=float,
                        help="the wheel radius of the robot's odometry (default: inferred)")
    parser.add_argument('--nominal-separation', type=float,
                        help="the wheel separation of the robot's odometry (default: "
                             'inferred)')
    parser.add_argument('--robot', help='robot description for the replay (default: the '
                                        "recording's, else the twin's Burger)")
    options = parser.parse_args(args)
    try:
        nominal = None
        if options.nominal_radius or options.nominal_separation:
            if not (options.nominal_radius and options.nominal_separation):
                raise ValueError('give both --nominal-radius and --nominal-separation')
            nominal = NominalGeometry(options.nominal_radius, options.nominal_separation)
        if not options.recording.is_file():
            raise ValueError(f'{options.recording}: no such file (give an MCAP recording)')
        calibration = calibrate(options.recording, _topics(options.topic), nominal)
        from twin_calibration.report import write_report   # matplotlib when it runs
        profile = write_profile(calibration, options.output)
        png, txt = write_report(calibration, options.report, options.robot, profile)
    except (OSError, ValueError) as error:
        print(f'{prog or "twin calibrate"}: {error}', file=sys.stderr)
        return 1
    print(txt.read_text(), end='')
    print(f'profile: {profile}\nreport: {png}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
