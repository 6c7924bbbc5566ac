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
"""

from importlib import resources
from pathlib import Path

import numpy as np

SHIPPED = 'goal_reaching.npz'   # in twin_gym/data


class MlpPolicy:
    """
    ``tanh`` hidden layers, a ``tanh`` output scaled to the velocity limits.

    The input is the observation divided by ``scale`` (so every entry is about unit size).
    The arrays: ``w0, b0, w1, b1, ...`` (``w_i`` of shape (inputs, outputs)), ``scale``,
    ``limits`` (max linear m/s, max angular rad/s).
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
        if self.scale.shape != (self.layers[0][0].shape[0],):
            raise ValueError(f'scale has {self.scale.size} entries; the first layer takes '
                             f'{self.layers[0][0].shape[0]} inputs')

    @classmethod
    def random(cls, sizes: list[int], scale: np.ndarray, limits: tuple[float, float],
               rng: np.random.Generator) -> 'MlpPolicy':
        """Return a policy with small random weights; ``sizes``: input, hidden..., 2."""
        arrays = {'scale': scale, 'limits': np.asarray(limits)}
        for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
            arrays[f'w{index}'] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), (fan_in, fan_out))
            arrays[f'b{index}'] = np.zeros(fan_out)
        return cls(arrays)

    @property
    def parameter_count(self) -> int:
        """Return how many numbers the layers hold."""
        return sum(w.size + b.size for w, b in self.layers)

    def parameters(self) -> np.ndarray:
        """Return the layers' numbers as one flat vector."""
        return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in self.layers])

    def with_parameters(self, flat: np.ndarray) -> 'MlpPolicy':
        """Return a policy of the same shape holding ``flat`` (from :meth:`parameters`)."""
        arrays, start = {'scale': self.scale, 'limits': self.limits}, 0
        for index, (w, b) in enumerate(self.layers):
            arrays[f'w{index}'] = flat[start:start + w.size].reshape(w.shape)
            start += w.size
            arrays[f'b{index}'] = flat[start:start + b.size]
            start += b.size
        return MlpPolicy(arrays)

    def act(self, observation: np.ndarray) -> np.ndarray:
        """Return (linear m/s, angular rad/s), inside the limits."""
        value = np.asarray(observation, dtype=np.float64) / self.scale
        for w, b in self.layers:
            value = np.tanh(value @ w + b)
        return value * self.limits

    def save(self, path: str | Path) -> None:
        """Write the arrays to an ``.npz``."""
        arrays = {'scale': self.scale, 'limits': self.limits}
        for index, (w, b) in enumerate(self.layers):
            arrays[f'w{index}'], arrays[f'b{index}'] = w, b
        np.savez(path, **arrays)


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
