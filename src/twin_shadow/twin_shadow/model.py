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
The shadow's model of the robot: a bridge parameter file (a profile) and its own settings.

The profile is read as the bridge reads it (``twin_bridge.parameters``, no rclpy), so the
shadow twin is the twin the profile describes; its faults and variations are left out (the
shadow models the healthy robot). The shadow's own settings come from the same file's
``twin_shadow`` section: ``horizon``, ``command_timeout`` and ``thresholds.NAME`` (see
:class:`~twin_shadow.detector.Thresholds`). Thresholds it does not set are derived from the
profile's 1-sigma uncertainties where it has them (:mod:`twin_shadow.uncertainty`), else the
defaults.
"""

import dataclasses

from twin_bridge.parameters import (bridge_settings, checked_values, given_parameters,
                                    PARAMETERS, twin_config)
from twin_shadow.detector import Thresholds
from twin_shadow.shadow import ShadowSettings
from twin_shadow.uncertainty import derived_thresholds, profile_sigmas
from twin_sim import DriveLimits, load_world, TwinConfig

NODE = 'twin_shadow'


def shadow_model(params_file: str | None, robot: str | None = None,
                 world: str | None = None) -> tuple[TwinConfig, object]:
    """
    Return the twin's configuration and world builder for the robot.

    :param params_file: the robot's profile (a bridge parameter file), or None: defaults
    :param robot: URDF or xacro, where the profile names none
    :param world: the robot's surroundings (a world file), where the profile names none
    :raises ValueError: an unreadable profile or a value it must not have
    """
    args = ['--params-file', params_file] if params_file else []
    given = checked_values(given_parameters(args))
    values = {param.name: param.default for param in PARAMETERS} | given
    values['robot_description_file'] = values['robot_description_file'] or robot or ''
    values['world_file'] = values['world_file'] or world or ''
    settings = bridge_settings(values)
    spawn, build_world = settings.spawn, None
    if settings.world_file:
        description = load_world(settings.world_file)
        build_world = description.build
        if description.spawn and not any((settings.spawn_x, settings.spawn_y,
                                          settings.spawn_yaw)):
            spawn = description.spawn
    return twin_config(values, settings, spawn), build_world


def shadow_settings(params_file: str | None, limits: DriveLimits = DriveLimits(),
                    **overrides) -> ShadowSettings:
    """
    Return the shadow's settings: the file's ``twin_shadow`` section, then ``overrides``.

    A threshold neither sets comes from the profile's uncertainties, else its default.

    :param limits: the robot's drive limits (the profile's), for the derived thresholds
    :param overrides: ``horizon``, ``command_timeout``, ``command_latency`` or a threshold
        by name; None: unset
    :raises ValueError: an unknown setting or a threshold that is not a positive number
    """
    args = ['--params-file', params_file] if params_file else []
    given = given_parameters(args, NODE) if params_file else {}
    given = {name: value for name, value in given.items() if not _bridge_parameter(name)}
    given |= {name: value for name, value in overrides.items() if value is not None}
    thresholds = {name.partition('.')[2] or name: given.pop(name) for name in list(given)
                  if name.startswith('thresholds.')
                  or name in {f.name for f in dataclasses.fields(Thresholds)}}
    unknown = set(given) - {'horizon', 'command_timeout', 'command_latency'}
    if unknown:
        raise ValueError(f'unknown shadow setting(s) {", ".join(sorted(unknown))}: the '
                         'shadow takes horizon, command_timeout, command_latency and '
                         'thresholds.NAME')
    settings = ShadowSettings(**given)
    if params_file:
        derived = derived_thresholds(given_parameters(args), profile_sigmas(params_file),
                                     limits, settings.horizon)
        thresholds = derived | thresholds
    return dataclasses.replace(settings, thresholds=Thresholds(**thresholds))


def _bridge_parameter(name: str) -> bool:
    """Tell whether a name is the bridge's (a profile's '/**' section reaches every node)."""
    return any(param.name == name for param in PARAMETERS)
