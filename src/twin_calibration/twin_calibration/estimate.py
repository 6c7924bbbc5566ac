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

"""An estimate with its 1-sigma uncertainty, or the reason the recording cannot give it."""

from dataclasses import dataclass
import math

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """
    A fitted quantity.

    :param value: the estimate (for an unobservable quantity: the value assumed instead)
    :param sigma: its 1-sigma uncertainty (nan when unobservable)
    :param unit: e.g. 'm'
    :param warning: why the recording cannot determine it; '' when it can
    """

    value: float
    sigma: float
    unit: str
    warning: str = ''

    @property
    def observed(self) -> bool:
        """Tell whether the recording determined the value."""
        return not self.warning and math.isfinite(self.value)

    def text(self, digits: int = 5) -> str:
        """Return e.g. '0.03366 ± 0.00002 m' or '0.16 m (assumed: no turns)'."""
        if not self.observed:
            return f'{self.value:.{digits}g} {self.unit} (not observed: {self.warning})'
        return f'{self.value:.{digits}g} ± {self.sigma:.2g} {self.unit}'


def robust_std(values: np.ndarray) -> float:
    """Return the standard deviation a normal sample with these values' MAD would have."""
    return float(1.4826 * np.median(np.abs(values - np.median(values))))
