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

"""The lock-step Fast DDS profile: given to a run that names none; a profile named is kept."""

from pathlib import Path

from twin_bridge.fastdds_profiles import (configured, PROFILE_VARIABLES,
                                          with_fast_acknowledgements)


def test_a_lockstep_run_gets_the_shipped_profile_unless_one_is_set():
    environ = with_fast_acknowledgements({'PATH': '/bin'})
    assert environ['PATH'] == '/bin'
    shipped = {environ[name] for name in PROFILE_VARIABLES}
    assert len(shipped) == 1
    profile = Path(shipped.pop())
    assert profile.name == 'lockstep_fastdds.xml' and profile.is_file()   # installed
    theirs = {'FASTRTPS_DEFAULT_PROFILES_FILE': '/theirs.xml'}
    assert with_fast_acknowledgements(theirs) == theirs


def test_a_profile_is_configured_by_either_variable_when_not_empty():
    assert not configured({}) and not configured({'FASTRTPS_DEFAULT_PROFILES_FILE': ''})
    assert all(configured({name: '/theirs.xml'}) for name in PROFILE_VARIABLES)
