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
A small policy in plain numpy: a multilayer perceptron stored as the arrays of an ``.npz``.

Weights trained anywhere (``twin_gym.train``, or a PPO policy copied out of torch) run
wherever numpy does, on the twin or the robot.

A policy with a ``proximity_range`` array reads the observation through :func:`features`
first: obstacles as proximities (0 beyond the range, 1 at contact) and the goal as a bearing
and a distance, which a small network turns into steering far more easily than raw ranges
and coordinates (an obstacle matters only when it is near; the goal's direction matters
more than its coordinates).
"""

from importlib import resources
import math
from pathlib import Path

import numpy as np

SHIPPED = 'goal_reaching.npz'   # in twin_gym/data
GOAL_DISTANCE_CAP_M = 2.0       # features: the goal's distance saturates here


def features(observation: np.ndarray, proximity_range: float) -> np.ndarray:
    """
    Return the inputs of a feature policy from an observation (twin_gym.observation).

    The layout: the ``beams`` scan sectors as ``max(0, 1 - range / proximity_range)``; the
    odometry velocities as observed; the goal as cos and sin of its bearing and its distance
    (capped at GOAL_DISTANCE_CAP_M), so ``beams + 5`` entries.

    :param observation: ``beams`` ranges, linear and angular velocity, goal ahead and left
    :param proximity_range: m; farther obstacles give 0
    """
    observation = np.asarray(observation, dtype=np.float64)
    ranges, velocities, (ahead, left) = observation[:-4], observation[-4:-2], observation[-2:]
    bearing = math.atan2(left, ahead)
    return np.concatenate([np.clip(1.0 - ranges / proximity_range, 0.0, 1.0), velocities,
                           [math.cos(bearing), math.sin(bearing),
                            min(math.hypot(ahead, left), GOAL_DISTANCE_CAP_M)]])


class MlpPolicy:
    """
    ``tanh`` hidden layers, a ``tanh`` output scaled to the velocity limits.

    The input is the observation, or its :func:`features` when the arrays hold
    ``proximity_range`` (m), divided by ``scale`` (so every entry is about unit size).
    The arrays: ``w0, b0, w1, b1, ...`` (``w_i`` of shape (inputs, outputs)), ``scale``,
    ``limits`` (max linear m/s, max angular rad/s), optionally ``proximity_range``.
    """

    def __init__(self, arrays: dict[str, np.ndarray]):
        """Take the arrays; :raises ValueError: when they do not make a network."""
        self.layers = []
        while f'w{len(self.layers)}' in arrays:
            index = len(self.layers)
            self.layers.append((np.asarray(arrays[f'w{index}'], dtype=np.float64),
                                np.asarray(arrays[f'b{index}'], dtype=np.float64)))
        if not self.layers or 'scale' not in arrays or 'limits' not in arrays:
            raise ValueError('policy weights need w0, b0, ..., scale and limits arrays')
        self.scale = np.asarray(arrays['scale'], dtype=np.float64)
        self.limits = np.asarray(arrays['limits'], dtype=np.float64)
        self.proximity_range = float(arrays['proximity_range']) \
            if 'proximity_range' in arrays else None
        if self.scale.shape != (self.layers[0][0].shape[0],):
            raise ValueError(f'scale has {self.scale.size} entries; the first layer takes '
                             f'{self.layers[0][0].shape[0]} inputs')

    @classmethod
    def random(cls, sizes: list[int], scale: np.ndarray, limits: tuple[float, float],
               rng: np.random.Generator,
               proximity_range: float | None = None) -> 'MlpPolicy':
        """
        Return a policy with small random weights.

        :param sizes: inputs (the observation's or the features' size), hidden..., 2
        :param proximity_range: read the observation through :func:`features` (m)
        """
        arrays = {'scale': scale, 'limits': np.asarray(limits)}
        if proximity_range is not None:
            arrays['proximity_range'] = np.asarray(proximity_range)
        for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
            arrays[f'w{index}'] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), (fan_in, fan_out))
            arrays[f'b{index}'] = np.zeros(fan_out)
        return cls(arrays)

    @property
    def beams(self) -> int:
        """Return the scan sectors of the observation the policy reads."""
        return self.scale.size - (5 if self.proximity_range is not None else 4)

    @property
    def parameter_count(self) -> int:
        """Return how many numbers the layers hold."""
        return sum(w.size + b.size for w, b in self.layers)

    def parameters(self) -> np.ndarray:
        """Return the layers' numbers as one flat vector."""
        return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in self.layers])

    def with_parameters(self, flat: np.ndarray) -> 'MlpPolicy':
        """Return a policy of the same shape holding ``flat`` (from :meth:`parameters`)."""
        arrays, start = self.arrays(), 0
        for index, (w, b) in enumerate(self.layers):
            arrays[f'w{index}'] = flat[start:start + w.size].reshape(w.shape)
            start += w.size
            arrays[f'b{index}'] = flat[start:start + b.size]
            start += b.size
        return MlpPolicy(arrays)

    def act(self, observation: np.ndarray) -> np.ndarray:
        """Return (linear m/s, angular rad/s), inside the limits."""
        value = np.asarray(observation, dtype=np.float64)
        if self.proximity_range is not None:
            value = features(value, self.proximity_range)
        value = value / self.scale
        for w, b in self.layers:
            value = np.tanh(value @ w + b)
        return value * self.limits

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the named arrays that :meth:`save` writes."""
        arrays = {'scale': self.scale, 'limits': self.limits}
        if self.proximity_range is not None:
            arrays['proximity_range'] = np.asarray(self.proximity_range)
        for index, (w, b) in enumerate(self.layers):
            arrays[f'w{index}'], arrays[f'b{index}'] = w, b
        return arrays

    def save(self, path: str | Path) -> None:
        """Write the arrays to an ``.npz``."""
        np.savez(path, **self.arrays())


def load_policy(path: str | Path | None = None) -> MlpPolicy:
    """
    Load a policy from an ``.npz``; None: the shipped goal-reaching policy.

    :raises ValueError: the file is missing or not a policy, naming it
    """
    source = resources.files('twin_gym') / 'data' / SHIPPED if path is None else Path(path)
    try:
        with resources.as_file(source) as file, np.load(file) as arrays:
            return MlpPolicy(dict(arrays))
    except (OSError, ValueError) as error:
        raise ValueError(f'{source}: not a policy ({error})') from None
