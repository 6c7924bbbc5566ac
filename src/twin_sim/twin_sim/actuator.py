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
Wheel actuators: how a wheel's speed follows its command, as pure dt-based arithmetic.

A real wheel servo does not follow a speed command at once. The command waits a dead time
(firmware loop, bus, the servo's own sampling), and the speed then approaches it as a
first-order lag whose time constant is the motor's mechanical one (its inductance is far
faster and neglected). The servo's speed loop has an integral term, so it also holds the
wheel where a zero command left it. Units: s, rad, rad/s.
"""

from collections import deque
import math

# Slack in comparing float times, so a delay of exactly k steps is released at step k.
TIME_EPSILON = 1e-9
# A lag within this of its target has settled on it (rad/s): a motor's speed does not decay
# for ever, and a wheel at rest must be exactly at rest.
SETTLED = 1e-9


class DeadTime:
    """Delay a signal by a fixed time: what comes out is what went in ``delay`` s ago."""

    def __init__(self, delay: float):
        """
        Start with 0 in the pipe.

        :param delay: dead time, s (0: no delay)
        """
        if not delay >= 0.0:
            raise ValueError(f'dead time must be >= 0 s, got {delay}')
        self.delay = delay
        self.reset()

    def reset(self) -> None:
        """Empty the pipe: the output is 0 until a value has waited ``delay``."""
        self.now = 0.0
        self.output = 0.0
        self.pending = deque()   # (time it was offered, value), oldest first

    def update(self, value: float, dt: float) -> float:
        """
        Offer the value commanded now; return the value in force for the next ``dt`` s.

        A value offered at time t comes out from the first step that starts at or after
        ``t + delay``: a step-based system can release it no earlier.
        """
        if self.delay == 0.0:
            return value
        self.pending.append((self.now, value))
        while self.pending and self.pending[0][0] + self.delay <= self.now + TIME_EPSILON:
            self.output = self.pending.popleft()[1]
        self.now += dt
        return self.output


class FirstOrderLag:
    """
    A first-order response ``tau dy/dt = u - y``, stepped exactly for an input held over dt.

    For an input u held during dt, ``y(t + dt) = u + (y(t) - u) exp(-dt / tau)``: the exact
    solution, so the response does not depend on the step size (a step reaches
    1 - 1/e = 63.2 % at t = tau whatever dt is).
    """

    def __init__(self, time_constant: float):
        """
        Start at rest.

        :param time_constant: tau, s (0: the output follows the input at once)
        """
        if not time_constant >= 0.0:
            raise ValueError(f'time constant must be >= 0 s, got {time_constant}')
        self.time_constant = time_constant
        self.value = 0.0

    def reset(self) -> None:
        """Come to rest."""
        self.value = 0.0

    def update(self, target: float, dt: float) -> float:
        """Return the output at the end of ``dt`` s with ``target`` held meanwhile."""
        if self.time_constant == 0.0 or abs(target - self.value) < SETTLED:
            self.value = target
        else:
            self.value += (target - self.value) * -math.expm1(-dt / self.time_constant)
        return self.value


class WheelActuator:
    """
    One wheel's motor: its command passes a dead time, then a first-order lag.

    The output is the speed the motor reaches at the end of a step; the torque limit and the
    load act in the physics, which the servo drives toward it.
    """

    def __init__(self, time_constant: float = 0.0, dead_time: float = 0.0):
        """
        Start at rest.

        :param time_constant: the speed's first-order time constant, s (0: none)
        :param dead_time: from command to the first response, s (0: none)
        """
        self.dead_time = DeadTime(dead_time)
        self.lag = FirstOrderLag(time_constant)

    def reset(self) -> None:
        """Come to rest and forget the commands in the pipe."""
        self.dead_time.reset()
        self.lag.reset()

    def update(self, command: float, dt: float) -> float:
        """
        Return the wheel speed at the end of the next ``dt`` s.

        :param command: wheel speed the firmware asks for now, rad/s
        :param dt: step, s
        """
        return self.lag.update(self.dead_time.update(command, dt), dt)


def servo_hold_angle(target: float, measured: float, max_lag: float) -> float:
    """
    Return the angle the servo's integral term holds the wheel to now.

    A speed loop with an integral term is a position loop on the integral of the speed
    command (``target``, advanced by the commanded speed every step): it holds a stopped
    wheel where it stopped instead of letting it creep under a small load, and makes up
    speed lost under load. The angle is kept within ``max_lag`` of the wheel (anti-windup),
    so a blocked wheel stores no lunge for when it is freed.

    :param target: the integral of the commanded speed, rad
    :param measured: the wheel's angle now, rad
    :param max_lag: most the held angle may lead or trail the wheel, rad
    """
    return min(max(target, measured - max_lag), measured + max_lag)
