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

"""The simulation_interfaces services and action, called over DDS from another process."""

import json
import math
from pathlib import Path

from action_msgs.msg import GoalStatus
from ament_index_python.packages import get_package_share_directory
from geometry_msgs.msg import Vector3
import pytest
import rclpy
from rclpy.action import ActionClient
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import LaserScan
from simulation_interfaces.action import SimulateSteps
from simulation_interfaces.msg import Bounds, Result, SimulationState, SimulatorFeatures
from simulation_interfaces.srv import (DeleteEntity, GetEntities, GetEntityState,
                                       GetSimulationState, GetSimulatorFeatures, GetSpawnables,
                                       ResetSimulation, SetEntityState, SetSimulationState,
                                       SpawnEntity, StepSimulation)
from std_srvs.srv import Trigger
from twin_bridge.bridge_node import BridgeNode
from twin_bridge.testing import time_after_steps

NODE = '/twin_bridge'
ARENA_SPAWN = (-2.0, -0.5)   # worlds/arena.yaml
CRATE = 'box: {size: [0.2, 0.6, 0.5]}'
CRATE_FACE_X = -1.1          # the crate's near face, spawned at x = -1.0


@pytest.fixture
def bridge(start_bridge, world_file):
    """Start a bridge in the arena world (its process must exit cleanly)."""
    return start_bridge(world_file('arena'))


@pytest.fixture
def client(bridge, listener):
    """Give the test a node that calls the bridge's services."""
    return listener


def call(client, service_type, **fields):
    """Call ``/twin_bridge/<snake_case type>`` with the given request fields."""
    name = ''.join(f'_{c.lower()}' if c.isupper() else c for c in service_type.__name__)
    return client.call(service_type, f'{NODE}/{name[1:]}', service_type.Request(**fields),
                       timeout=30.0)


def sim_time_ns(client) -> int:
    """Return the bridge's simulated time, read from a robot's state stamp."""
    stamp = call(client, GetEntityState, entity='robot').state.header.stamp
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def set_state(client, state: int) -> int:
    return call(client, SetSimulationState, state=SimulationState(state=state)).result.result


def robot_xy(client) -> tuple:
    position = call(client, GetEntityState, entity='robot').state.pose.position
    return position.x, position.y


def entity_state(x: float, y: float, z: float = 0.0, yaw: float = 0.0):
    state = SetEntityState.Request().state
    state.pose.position.x, state.pose.position.y, state.pose.position.z = x, y, z
    state.pose.orientation.z, state.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
    return state


def spawn(client, name: str = '', x: float = -1.0, y: float = -0.5, z: float = 0.25, **fields):
    request = {'name': name, 'resource_string': CRATE, **fields}
    pose = SpawnEntity.Request().initial_pose
    pose.pose.position.x, pose.pose.position.y, pose.pose.position.z = x, y, z
    return call(client, SpawnEntity, initial_pose=pose, **request)


def entities(client, **filters) -> list:
    request = GetEntities.Request()
    for key, value in filters.items():
        setattr(request.filters, key, value)
    response = client.call(GetEntities, f'{NODE}/get_entities', request)
    assert response.result.result == Result.RESULT_OK, response.result.error_message
    return list(response.entities)


def forward_range(client, scans: list) -> float:
    """Return beam 0 of the first scan taken after now."""
    count = len(scans)
    client.spin_until(lambda: len(scans) > count + 1, 30.0, 'a fresh scan')
    return scans[-1].ranges[0]


def test_features_are_served_and_said_truthfully(client):
    features = call(client, GetSimulatorFeatures).features
    served = dict(client.node.get_service_names_and_types())
    assert set(features.spawn_formats) == {'urdf', 'xacro', 'twin_world'}
    said = set(features.features)
    for feature, service in [(SimulatorFeatures.SPAWNING, 'spawn_entity'),
                             (SimulatorFeatures.DELETING, 'delete_entity'),
                             (SimulatorFeatures.ENTITY_STATE_GETTING, 'get_entity_state'),
                             (SimulatorFeatures.ENTITY_STATE_SETTING, 'set_entity_state'),
                             (SimulatorFeatures.SPAWNABLES, 'get_spawnables'),
                             (SimulatorFeatures.SIMULATION_RESET, 'reset_simulation'),
                             (SimulatorFeatures.SIMULATION_STATE_GETTING, 'get_simulation_state'),
                             (SimulatorFeatures.SIMULATION_STATE_SETTING, 'set_simulation_state'),
                             (SimulatorFeatures.STEP_SIMULATION_SINGLE, 'step_simulation')]:
        assert feature in said and f'{NODE}/{service}' in served, service
    unsupported = {SimulatorFeatures.NAMED_POSES, SimulatorFeatures.ENTITY_TAGS,
                   SimulatorFeatures.ENTITY_BOUNDS, SimulatorFeatures.ENTITY_INFO_GETTING,
                   SimulatorFeatures.SIMULATION_RESET_TIME, SimulatorFeatures.WORLD_LOADING}
    assert not said & unsupported
    assert f'{NODE}/get_named_poses' not in served and f'{NODE}/load_world' not in served


def test_pause_step_n_and_simulate_steps_with_feedback(client):
    assert set_state(client, SimulationState.STATE_PAUSED) == Result.RESULT_OK
    assert call(client, GetSimulationState).state.state == SimulationState.STATE_PAUSED
    assert set_state(client, SimulationState.STATE_PAUSED) == \
        SetSimulationState.Response.ALREADY_IN_TARGET_STATE
    start = sim_time_ns(client)
    assert sim_time_ns(client) == start   # paused: time stands still

    assert call(client, StepSimulation, steps=24).result.result == Result.RESULT_OK
    assert sim_time_ns(client) == time_after_steps(start, 24)

    actions = ActionClient(client.node, SimulateSteps, f'{NODE}/simulate_steps')
    client.spin_until(actions.server_is_ready, 30.0, 'the simulate_steps action')
    feedback = []
    sent = actions.send_goal_async(SimulateSteps.Goal(steps=8),
                                   feedback_callback=lambda m: feedback.append(m.feedback))
    client.spin_until(sent.done, 30.0, 'the goal to be accepted')
    result = sent.result().get_result_async()
    client.spin_until(result.done, 30.0, 'the action result')
    assert result.result().result.result.result == Result.RESULT_OK
    assert [(f.completed_steps, f.remaining_steps) for f in feedback] == \
        [(k, 8 - k) for k in range(1, 9)]
    assert sim_time_ns(client) == time_after_steps(start, 32)

    # The feedback topic carries the type hash the built package declares (Jazzy's).
    topic = f'{NODE}/simulate_steps/_action/feedback'
    info = client.node.get_publishers_info_by_topic(topic)[0]
    share = Path(get_package_share_directory('simulation_interfaces'))
    declared = {h['type_name']: h['hash_string'] for h in json.loads(
        (share / 'action' / 'SimulateSteps.json').read_text())['type_hashes']}
    assert str(info.topic_type_hash) == \
        declared['simulation_interfaces/action/SimulateSteps_FeedbackMessage']

    assert set_state(client, SimulationState.STATE_PLAYING) == Result.RESULT_OK
    assert call(client, StepSimulation, steps=1).result.result == Result.RESULT_OPERATION_FAILED
    refused = actions.send_goal_async(SimulateSteps.Goal(steps=5))
    client.spin_until(refused.done, 30.0, 'the goal to be answered')
    result = refused.result().get_result_async()
    client.spin_until(result.done, 30.0, 'the refused action result')
    assert result.result().result.result.result == Result.RESULT_OPERATION_FAILED
    actions.destroy()


def test_simulate_steps_can_be_canceled(client):
    assert set_state(client, SimulationState.STATE_PAUSED) == Result.RESULT_OK
    actions = ActionClient(client.node, SimulateSteps, f'{NODE}/simulate_steps')
    client.spin_until(actions.server_is_ready, 30.0, 'the simulate_steps action')
    feedback = []
    sent = actions.send_goal_async(SimulateSteps.Goal(steps=1_000_000),
                                   feedback_callback=lambda m: feedback.append(m.feedback))
    client.spin_until(lambda: feedback, 30.0, 'the first feedback')
    goal = sent.result()
    canceling = goal.cancel_goal_async()
    client.spin_until(canceling.done, 30.0, 'the cancel response')
    result = goal.get_result_async()
    client.spin_until(result.done, 30.0, 'the canceled result')
    assert result.result().status == GoalStatus.STATUS_CANCELED
    done = feedback[-1].completed_steps
    assert 0 < done < 1_000_000
    assert result.result().result.result.error_message.startswith('canceled after')
    actions.destroy()


def test_spawn_a_box_see_it_in_the_scan_and_delete_it(client):
    scans = client.record(LaserScan, '/scan', qos_profile_sensor_data)
    call(client, ResetSimulation)   # the robot at the arena's spawn, looking along +x
    assert forward_range(client, scans) == math.inf

    spawned = spawn(client, 'crate')
    assert spawned.result.result == Result.RESULT_OK, spawned.result.error_message
    assert spawned.entity_name == 'crate'
    assert 'crate' in entities(client)
    # The LIDAR sits a few cm behind base_footprint: the face is 0.9 m ahead of the base.
    assert forward_range(client, scans) == pytest.approx(CRATE_FACE_X - ARENA_SPAWN[0] + 0.032,
                                                         abs=0.03)

    assert call(client, DeleteEntity, entity='crate').result.result == Result.RESULT_OK
    assert 'crate' not in entities(client)
    assert forward_range(client, scans) == math.inf
    assert call(client, DeleteEntity, entity='crate').result.result == Result.RESULT_NOT_FOUND
    assert call(client, DeleteEntity, entity='wall_0').result.result == \
        Result.RESULT_OPERATION_FAILED


def test_spawn_names_sources_and_poses_are_checked(client):
    codes = SpawnEntity.Response
    assert spawn(client, 'twin', x=1.6, y=0.55).result.result == Result.RESULT_OK
    assert spawn(client, 'twin', x=1.6, y=-0.55).result.result == codes.NAME_NOT_UNIQUE
    renamed = spawn(client, 'twin', x=1.6, y=-0.55, allow_renaming=True)
    assert (renamed.result.result, renamed.entity_name) == (Result.RESULT_OK, 'twin_1')
    assert spawn(client, 'a b').result.result == codes.NAME_INVALID
    assert spawn(client, 'in_wall', x=-2.9, y=0.0).result.result == codes.INVALID_POSE
    assert spawn(client, 'in_pillar', x=0.0, y=0.0).result.result == codes.INVALID_POSE
    assert spawn(client, 'nothing', resource_string='').result.result == codes.NO_RESOURCE
    assert spawn(client, 'usd', uri='model.usd').result.result == codes.UNSUPPORTED_FORMAT
    assert spawn(client, 'bad', resource_string='box: {size: oops}').result.result == \
        codes.RESOURCE_PARSE_ERROR
    pillar = spawn(client, uri='package://twin/worlds/arena.yaml#pillar_11', x=0.55, y=0.55,
                   allow_renaming=True)
    assert (pillar.result.result, pillar.entity_name) == (Result.RESULT_OK, 'pillar_11_1')
    robot = spawn(client, 'parked', uri='package://twin/urdf/twin_burger.urdf.xacro',
                  x=0.55, y=-0.55, z=0.0)
    assert robot.result.result == Result.RESULT_OK, robot.result.error_message

    near_origin = Bounds(type=Bounds.TYPE_SPHERE,
                         points=[Vector3(x=0.55, y=0.55, z=0.25), Vector3(x=0.2)])
    assert entities(client, bounds=near_origin) == ['pillar_11_1']
    assert entities(client, filter='^twin') == ['twin', 'twin_1']
    assert call(client, ResetSimulation,
                scope=ResetSimulation.Request.SCOPE_SPAWNED).result.result == Result.RESULT_OK
    assert not {'twin', 'twin_1', 'pillar_11_1', 'parked'} & set(entities(client))


def test_move_the_robot_and_refuse_a_pose_inside_a_wall(client):
    moved = call(client, SetEntityState, entity='robot', state=entity_state(-1.5, -0.5))
    assert moved.result.result == Result.RESULT_OK, moved.result.error_message
    assert robot_xy(client) == pytest.approx((-1.5, -0.5), abs=0.01)

    into_wall = call(client, SetEntityState, entity='robot', state=entity_state(-2.9, 0.0))
    assert into_wall.result.result == SetEntityState.Response.INVALID_POSE
    assert 'wall' in into_wall.result.error_message
    assert robot_xy(client) == pytest.approx((-1.5, -0.5), abs=0.05)

    not_a_rotation = entity_state(-1.5, -0.5)
    not_a_rotation.pose.orientation.w = 2.0
    assert call(client, SetEntityState, entity='robot', state=not_a_rotation).result.result \
        == SetEntityState.Response.INVALID_POSE
    spinning = entity_state(-1.5, -0.5)
    spinning.twist.angular.z = 1.0
    assert call(client, SetEntityState, entity='robot', state=spinning).result.result == \
        Result.RESULT_OPERATION_FAILED
    assert call(client, SetEntityState, entity='nobody', state=entity_state(0, 0)) \
        .result.result == Result.RESULT_NOT_FOUND
    assert call(client, GetEntityState, entity='nobody').result.result == \
        Result.RESULT_NOT_FOUND


def test_a_dynamic_body_takes_a_twist_and_a_static_one_refuses_it(client):
    assert set_state(client, SimulationState.STATE_PAUSED) == Result.RESULT_OK
    assert spawn(client, 'ball', resource_string='box: {size: [0.2, 0.2, 0.2], mass: 1.0}',
                 z=0.1).result.result == Result.RESULT_OK
    pushed = entity_state(-1.0, -0.5, 0.1)
    pushed.twist.linear.x = 0.5
    assert call(client, SetEntityState, entity='ball', state=pushed).result.result == \
        Result.RESULT_OK
    state = call(client, GetEntityState, entity='ball').state
    assert (state.pose.position.x, state.twist.linear.x) == pytest.approx((-1.0, 0.5))
    assert state.header.frame_id == 'world'
    wall = call(client, GetEntityState, entity='wall_0').state
    wall.twist.linear.x = 0.5
    assert call(client, SetEntityState, entity='wall_0', state=wall).result.result == \
        Result.RESULT_OPERATION_FAILED


def test_reset_scopes_and_the_sim_reset_short_form(client):
    assert spawn(client, 'kept').result.result == Result.RESULT_OK
    call(client, SetEntityState, entity='robot', state=entity_state(-1.5, 0.5))
    state_only = call(client, ResetSimulation, scope=ResetSimulation.Request.SCOPE_STATE)
    assert state_only.result.result == Result.RESULT_OK
    assert robot_xy(client) == pytest.approx(ARENA_SPAWN, abs=0.01)
    assert 'kept' in entities(client)
    assert call(client, ResetSimulation, scope=ResetSimulation.Request.SCOPE_TIME) \
        .result.result == Result.RESULT_FEATURE_UNSUPPORTED

    call(client, SetEntityState, entity='robot', state=entity_state(-1.5, 0.5))
    assert client.call(Trigger, 'sim/reset', Trigger.Request()).success
    assert robot_xy(client) == pytest.approx(ARENA_SPAWN, abs=0.01)
    assert 'kept' not in entities(client)
    assert call(client, ResetSimulation).result.result == Result.RESULT_OK


def test_spawnables_list_the_shipped_robot_and_world_objects(client, tmp_path):
    response = call(client, GetSpawnables, sources=[str(tmp_path), '/no/such/folder'])
    uris = {s.uri for s in response.spawnables}
    assert {'package://twin/urdf/twin_burger.urdf.xacro',
            'package://twin/worlds/arena.yaml#pillar_11',
            'package://twin/worlds/arena.yaml#wall_0'} <= uris
    assert '/no/such/folder' in response.result.error_message


def test_stop_play_and_quit(bridge, client):
    assert set_state(client, SimulationState.STATE_STOPPED) == Result.RESULT_OK
    assert call(client, GetSimulationState).state.state == SimulationState.STATE_STOPPED
    assert robot_xy(client) == pytest.approx(ARENA_SPAWN, abs=0.01)
    assert set_state(client, SimulationState.STATE_PAUSED) == \
        SetSimulationState.Response.INCORRECT_TRANSITION
    assert set_state(client, SimulationState.STATE_PLAYING) == Result.RESULT_OK
    assert set_state(client, SimulationState.STATE_NO_WORLD) == \
        Result.RESULT_FEATURE_UNSUPPORTED
    assert set_state(client, SimulationState.STATE_QUITTING) == Result.RESULT_OK
    assert bridge.process.wait(timeout=30) == 0
    assert 'quitting' in bridge.log()


def test_shutting_down_destroys_the_action_server(robot_xacro):
    # destroy_node leaves waitables alone; one collected later (in a forked child) crashed.
    context = rclpy.Context()
    rclpy.init(context=context)
    node = BridgeNode({'robot_description_file': str(robot_xacro)}, context=context)
    action = node.simulation_interfaces.action
    assert action in node.waitables
    node.shut_down()
    assert action not in node.waitables
    node.destroy_node()
    rclpy.shutdown(context=context)
