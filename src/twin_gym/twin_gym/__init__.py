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
Learning in the twin: Gymnasium environments over the pure core (no ROS).

Importing the package registers ``twin/GoalReaching-v0`` and ``twin/Exploration-v0``::

    import gymnasium
    import twin_gym  # noqa: F401  (registers the ids)
    env = gymnasium.make('twin/GoalReaching-v0', beams=24)

:mod:`twin_gym.observation` and :mod:`twin_gym.policy` compute with numpy only (no torch):
the policy node runs them on the twin and on the robot.
"""

import gymnasium

gymnasium.register('twin/GoalReaching-v0', 'twin_gym.envs:GoalReachingEnv')
gymnasium.register('twin/Exploration-v0', 'twin_gym.envs:ExplorationEnv')
