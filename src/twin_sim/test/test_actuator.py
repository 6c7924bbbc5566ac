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

"""Wheel actuator models: dead time, first-order lag, the servo's hold (pure, no physics)."""

import math

import pytest
from twin_sim.actuator import DeadTime, FirstOrderLag, servo_hold_angle, WheelActuator


@pytest.mark.parametrize('dt', [1.0 / 240.0, 0.001, 0.01])
def test_a_step_reaches_63_percent_at_the_time_constant_whatever_the_step(dt):
    lag = FirstOrderLag(0.1)
    steps = round(0.1 / dt)
    outputs = [lag.update(1.0, dt) for _ in range(steps)]
    assert outputs[-1] == pytest.approx(1.0 - math.exp(-steps * dt / 0.1), rel=1e-12)
    assert outputs[-1] == pytest.approx(1.0 - 1.0 / math.e, rel=0.05)
    assert all(b > a for a, b in zip(outputs, outputs[1:]))   # no overshoot, no ringing


def test_a_lag_settles_exactly_on_its_target():
    lag = FirstOrderLag(0.05)
    for _ in range(2000):
        lag.update(2.0, 0.01)
    assert lag.update(2.0, 0.01) == 2.0
    for _ in range(2000):
        lag.update(0.0, 0.01)
    assert lag.value == 0.0   # a wheel at rest is exactly at rest


def test_without_a_time_constant_the_output_follows_at_once():
    assert FirstOrderLag(0.0).update(3.0, 0.01) == 3.0


def test_dead_time_releases_a_value_at_the_first_step_after_the_delay():
    dt = 1.0 / 240.0
    delay = DeadTime(0.040)
    outputs = [delay.update(1.0, dt) for _ in range(12)]
    first = outputs.index(1.0)
    assert first == math.ceil(0.040 / dt)            # the step starting at 41.7 ms
    assert first * dt - 0.040 < dt
    assert outputs[:first] == [0.0] * first


def test_dead_time_of_whole_steps_is_exact():
    delay = DeadTime(0.03)
    outputs = [delay.update(float(k), 0.01) for k in range(10)]
    assert outputs == [0.0, 0.0, 0.0] + [float(k) for k in range(7)]


def test_no_dead_time_passes_the_value_through():
    assert DeadTime(0.0).update(5.0, 0.01) == 5.0


def test_reset_empties_the_pipe():
    delay = DeadTime(0.02)
    for _ in range(5):
        delay.update(1.0, 0.01)
    delay.reset()
    assert delay.update(0.0, 0.01) == 0.0
    assert delay.update(0.0, 0.01) == 0.0


def test_a_wheel_actuator_waits_then_lags():
    dt = 0.001
    actuator = WheelActuator(time_constant=0.1, dead_time=0.040)
    outputs = [actuator.update(10.0, dt) for _ in range(140)]
    assert outputs[39] == 0.0 and outputs[40] > 0.0
    # 100 ms after the dead time: 63 % of the step.
    assert outputs[139] == pytest.approx(10.0 * (1.0 - 1.0 / math.e), rel=0.05)


@pytest.mark.parametrize('bad', [-0.1, math.nan])
def test_negative_or_nan_times_are_refused(bad):
    with pytest.raises(ValueError, match='time constant'):
        FirstOrderLag(bad)
    with pytest.raises(ValueError, match='dead time'):
        DeadTime(bad)


def test_the_servo_holds_its_target_within_the_anti_windup_band():
    assert servo_hold_angle(1.0005, 1.0, 0.001) == 1.0005   # a small lag is made up
    assert servo_hold_angle(2.0, 1.0, 0.001) == 1.001       # a blocked wheel winds up no more
    assert servo_hold_angle(0.0, 1.0, 0.001) == 0.999
