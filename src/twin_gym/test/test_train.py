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

"""The trainer keeps its best policy and never overwrites a better one."""

import numpy as np
from twin_gym.policy import load_policy, MlpPolicy
from twin_gym.train import Keeper, Score, score_of


def policy_of(value: float) -> MlpPolicy:
    return MlpPolicy({'w0': np.full((4, 2), value), 'b0': np.zeros(2), 'scale': np.ones(4),
                      'limits': np.array([0.22, 2.84])})


def weight_at(path) -> float:
    return float(load_policy(path).layers[0][0][0, 0])


def test_a_score_counts_goals_reached_without_contact_before_the_return():
    assert score_of([(5.0, True, False), (9.0, True, True), (1.0, False, False)]) == \
        Score(1, 5.0)
    assert Score(2, -1.0) > Score(1, 30.0) > Score(1, 20.0)


def test_the_best_so_far_is_kept_not_the_last(tmp_path):
    keeper = Keeper(tmp_path / 'p.npz', force=False, incumbent=None)
    assert keeper.offer(Score(1, 3.0), policy_of(1.0))
    assert keeper.offer(Score(2, 0.0), policy_of(2.0))
    assert not keeper.offer(Score(1, 9.0), policy_of(3.0))
    assert keeper.best[0] == Score(2, 0.0) and weight_at(tmp_path / 'p.npz') == 2.0


def test_a_better_existing_policy_is_not_overwritten(tmp_path):
    out = tmp_path / 'p.npz'
    policy_of(7.0).save(out)
    keeper = Keeper(out, force=False, incumbent=Score(8, 20.0))
    keeper.offer(Score(7, 30.0), policy_of(1.0))
    assert weight_at(out) == 7.0 and weight_at(tmp_path / 'p.new.npz') == 1.0
    keeper.offer(Score(9, 10.0), policy_of(2.0))   # better than the existing one: replaces it
    assert keeper.destination() == out and weight_at(out) == 2.0


def test_force_overwrites_whatever_the_existing_policy_scored(tmp_path):
    out = tmp_path / 'p.npz'
    policy_of(7.0).save(out)
    Keeper(out, force=True, incumbent=Score(10, 50.0)).offer(Score(0, 0.0), policy_of(1.0))
    assert weight_at(out) == 1.0 and not (tmp_path / 'p.new.npz').exists()
