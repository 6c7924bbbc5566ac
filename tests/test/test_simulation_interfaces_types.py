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
simulation_interfaces as built here is Jazzy's: same definitions, same type hashes.

The overlay's definitions are checked byte for byte against release 1.5.1 (git blob ids), and
every type hash the installed package carries is recomputed by an independent RIHS01
implementation (rosbags) from those definitions and rosbags' own copy of Jazzy's standard
types. Services and actions are composed as rosidl composes them (REP-2011): a service of its
request, response and event messages; an action of its goal, result, feedback, the two
services and the feedback message.
"""

import hashlib
import json
from pathlib import Path
import re

from ament_index_python.packages import get_package_share_directory
import pytest
from rosbags.typesys import get_types_from_msg, get_typestore, Stores
from rosbags.typesys.base import Nodetype

PACKAGE = 'simulation_interfaces'
OVERLAY = Path(__file__).resolve().parents[2] / 'tools' / 'overlay' / PACKAGE
# `git ls-tree -r 1.5.1` of ros-simulation/simulation_interfaces (the jazzy branch's release).
RELEASE_1_5_1_BLOBS = {
    'CMakeLists.txt': '57f072702e4cc275bb645652c04d370ac6810670',
    'LICENSE': '261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64',
    'package.xml': 'ca6b84efb9ab8115403e2cf00cffdf4cb7f4291b',
    'action/SimulateSteps.action': '4ba9ab72acb0e52e09b04326e88f3d77aeebb808',
    'msg/Bounds.msg': 'ed16b8924f460dabc48d5f836ae68f7361277cdd',
    'msg/EntityCategory.msg': '63d3c0f0f5706a099d6502912aba473c8a9742b8',
    'msg/EntityFilters.msg': '967ffacda704c3ed800f042bf75805f2ce0fe98b',
    'msg/EntityInfo.msg': 'eeb7fdc3a292edb449bc9e16d271788ec82496fa',
    'msg/EntityState.msg': 'c1a128dd617fdde50db2ed023df24c57b86fc4a0',
    'msg/NamedPose.msg': '54dec31be08843c7c99b79dc1634a3d6a895fb0b',
    'msg/Resource.msg': 'e16aeb2136de95b36c401b38cd698582f9a7b310',
    'msg/Result.msg': '64f3879daecb0eaeeab3b363b8e8bb6c3cb987e3',
    'msg/SimulationState.msg': '24246f7aae53829e307652f4ce1fccb0c0ae8c42',
    'msg/SimulatorFeatures.msg': '1073dee5931dd85e353939187f80bcdb527886f2',
    'msg/SpawnEntity.msg': '845e1e5578626697533ff666426f6cc5949fb60f',
    'msg/SpawnResult.msg': '5b79c962a591b54fa603f971fb8900d0f058a118',
    'msg/Spawnable.msg': 'd1f874d5478b51ec5c77e18a15b73514357b705b',
    'msg/TagsFilter.msg': '5d087f72fdd09775d300addf1ba496e0b5fd25db',
    'msg/WorldResource.msg': 'b10615e8e1c91e68f2377a2a55e76a7c3c29f1da',
    'srv/DeleteEntity.srv': '334c92b7c66a1ea1938b1f153460d373d1f2beea',
    'srv/GetAvailableWorlds.srv': 'be520edff0752fab1e7e96679564173b42e0d11c',
    'srv/GetCurrentWorld.srv': '7ade9b39aac24c69617ffe2d52314b32d354e7d2',
    'srv/GetEntities.srv': '3cbf707a0d454b942e1b9eeff85987c8e525e485',
    'srv/GetEntitiesStates.srv': '1e18846fb3f4bf1881fd1bd06d9f27150274074c',
    'srv/GetEntityBounds.srv': '3c366402ffc81d094d1d3a0afbfb70957bf11ebf',
    'srv/GetEntityInfo.srv': '09370bc9b502d3d373ecfd1d10dcc8eeeb572ced',
    'srv/GetEntityState.srv': 'b054ec26440a62775d242d6f8521f491c5563293',
    'srv/GetNamedPoseBounds.srv': '088b9d3e47e40665aad2341d99c3c7005da39170',
    'srv/GetNamedPoses.srv': 'cb9158c42a6250740335509655469a996676521f',
    'srv/GetSimulationState.srv': '9b4cd2cdbc52ac4bbd2e372ed838fa923b041830',
    'srv/GetSimulatorFeatures.srv': '785efa84e2762a9c612e17108b9b201743fa09c3',
    'srv/GetSpawnables.srv': 'ad18d0f9d9d1e703755b2ee9d986c65c36439e83',
    'srv/LoadWorld.srv': 'c4736d4a31a3e682ff5efbe18f62ad674d57c2f3',
    'srv/ResetSimulation.srv': 'a53afd53dc65c42566227e7d7f7ce3cce61c10d7',
    'srv/SetEntityInfo.srv': 'd77561e4b7a6af1cc46360c8114295fa011acc06',
    'srv/SetEntityState.srv': '2e42e8b444090d29e7dd679340e0fdea0f1057bf',
    'srv/SetSimulationState.srv': 'e5a96044049b675d4e77972008883b95b98d7ba6',
    'srv/SpawnEntities.srv': '677b0a5dc67f2cd86c420007ceed41ae81417f0e',
    'srv/SpawnEntity.srv': 'de4696f754635e7af473f7621632504a21e20721',
    'srv/StepSimulation.srv': '6ec13766930f8accaee68db20391931379753d0f',
    'srv/UnloadWorld.srv': 'aa0475215397a45cfbc4ff28338bfc25bd81169a',
}
DEFINITIONS = sorted(p for p in RELEASE_1_5_1_BLOBS if p.endswith(('.msg', '.srv', '.action')))
SEPARATOR = re.compile(r'^---\s*$', re.MULTILINE)
SERVICE_EVENT_INFO = 'service_msgs/msg/ServiceEventInfo'
# Hashes a ROS 2 Jazzy installation reports: `ros2 topic info -v /tf`, and service_msgs 2.0.3's
# share/service_msgs/msg/ServiceEventInfo.json.
JAZZY_HASHES = {
    'tf2_msgs/msg/TFMessage':
        'RIHS01_e369d0f05a23ae52508854b66f6aa0437f3449d652e8cbf22d5abe85d020f087',
    SERVICE_EVENT_INFO:
        'RIHS01_41bcbbe07a75c9b52bc96bfd5c24d7f0fc0a08c0cb7921b3373c5732345a6f45',
}


def git_blob_id(path: Path) -> str:
    """Return the id git gives a file's content (``git hash-object``)."""
    data = path.read_bytes()
    return hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()


def name(kind: str, stem: str) -> str:
    return f'{PACKAGE}/{kind}/{stem}'


def ref(type_name: str):
    return (Nodetype.NAME, type_name)


def at_most_one(type_name: str):
    return (Nodetype.SEQUENCE, (ref(type_name), 1))


def parsed(text: str, type_name: str) -> dict:
    """Parse message text as ``type_name`` (rosbags files any name under ``pkg/msg/``)."""
    stem = type_name.rsplit('/', 1)[1]
    types = get_types_from_msg(text, name('msg', stem))
    return {type_name: types[name('msg', stem)]}


def service_types(stem: str, request: str, response: str, kind: str = 'srv') -> dict:
    """Return a service's types as rosidl defines them: request, response, event, service."""
    service = name(kind, stem)
    types = {**parsed(request, f'{service}_Request'), **parsed(response, f'{service}_Response')}
    types[f'{service}_Event'] = ([], [
        ('info', ref('service_msgs/msg/ServiceEventInfo')),
        ('request', at_most_one(f'{service}_Request')),
        ('response', at_most_one(f'{service}_Response'))])
    types[service] = ([], [('request_message', ref(f'{service}_Request')),
                           ('response_message', ref(f'{service}_Response')),
                           ('event_message', ref(f'{service}_Event'))])
    return types


def action_types(stem: str, goal: str, result: str, feedback: str) -> dict:
    """Return an action's types as rosidl defines them (rosidl_parser.definition.Action)."""
    action = name('action', stem)
    uuid = ref('unique_identifier_msgs/msg/UUID')
    types = {**parsed(goal, f'{action}_Goal'), **parsed(result, f'{action}_Result'),
             **parsed(feedback, f'{action}_Feedback'),
             **service_types(f'{stem}_SendGoal', '',
                             'bool accepted\nbuiltin_interfaces/Time stamp', 'action'),
             **service_types(f'{stem}_GetResult', '', 'int8 status', 'action')}
    # The parts that name the action's own types, which message text cannot.
    types[f'{action}_SendGoal_Request'] = ([], [('goal_id', uuid),
                                                ('goal', ref(f'{action}_Goal'))])
    types[f'{action}_GetResult_Request'] = ([], [('goal_id', uuid)])
    types[f'{action}_GetResult_Response'][1].append(('result', ref(f'{action}_Result')))
    types[f'{action}_FeedbackMessage'] = ([], [('goal_id', uuid),
                                               ('feedback', ref(f'{action}_Feedback'))])
    types[action] = ([], [
        ('goal', ref(f'{action}_Goal')), ('result', ref(f'{action}_Result')),
        ('feedback', ref(f'{action}_Feedback')),
        ('send_goal_service', ref(f'{action}_SendGoal')),
        ('get_result_service', ref(f'{action}_GetResult')),
        ('feedback_message', ref(f'{action}_FeedbackMessage'))])
    return types


@pytest.fixture(scope='module')
def typestore():
    """Jazzy's standard types plus every simulation_interfaces type, from the overlay."""
    store = get_typestore(Stores.ROS2_JAZZY)
    # rosidl reads a .msg `char` as uint8 (rosidl_adapter), rosbags keeps `char`, and REP-2011
    # hashes the two differently. Every service event holds ServiceEventInfo's char[16].
    constants, fields = store.fielddefs[SERVICE_EVENT_INFO]
    store.fielddefs[SERVICE_EVENT_INFO] = (constants, [
        (field, (Nodetype.ARRAY, ((Nodetype.BASE, ('uint8', 0)), 16)))
        if field == 'client_gid' else (field, desc) for field, desc in fields])
    types = {}
    for definition in (OVERLAY / 'msg').glob('*.msg'):
        types.update(parsed(definition.read_text(), name('msg', definition.stem)))
    for definition in (OVERLAY / 'srv').glob('*.srv'):
        types.update(service_types(definition.stem, *SEPARATOR.split(definition.read_text())))
    for definition in (OVERLAY / 'action').glob('*.action'):
        types.update(action_types(definition.stem, *SEPARATOR.split(definition.read_text())))
    store.register(types)
    return store


def test_the_definitions_are_release_1_5_1_byte_for_byte():
    files = {str(p.relative_to(OVERLAY)) for p in OVERLAY.rglob('*') if p.is_file()}
    assert files == set(RELEASE_1_5_1_BLOBS)
    assert {f: git_blob_id(OVERLAY / f) for f in files} == RELEASE_1_5_1_BLOBS


@pytest.mark.parametrize('type_name', sorted(JAZZY_HASHES))
def test_the_independent_hashes_reproduce_known_jazzy_hashes(typestore, type_name):
    assert typestore.hash_rihs01(type_name) == JAZZY_HASHES[type_name]


@pytest.mark.parametrize('definition', DEFINITIONS)
def test_every_built_type_hash_equals_the_independent_one(typestore, definition):
    kind, file_name = definition.split('/')
    stem = file_name.rsplit('.', 1)[0]
    description = Path(get_package_share_directory(PACKAGE)) / kind / f'{stem}.json'
    built = json.loads(description.read_text())['type_hashes']
    assert built, f'{description} lists no type hash'
    for entry in built:
        if entry['type_name'].startswith(PACKAGE + '/'):
            assert entry['hash_string'] == typestore.hash_rihs01(entry['type_name']), \
                entry['type_name']
    assert built[0]['type_name'] == name(kind, stem)
