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
Pause, resume, step, reset or teleport a running twin through its ``sim/`` interface.

The same services and topic any ROS tool would use (``ros2 service call /sim/pause
std_srvs/srv/SetBool "{data: true}"``): ``sim/pause`` (SetBool), ``sim/step`` (Trigger,
``step_count`` steps, a parameter of the bridge), ``sim/reset`` (Trigger) and the topic
``sim/teleport`` (PoseWithCovarianceStamped). Each prints the twin's reply; exit 1 when the
twin refuses or is not there.
"""

import argparse
import math
import sys

from geometry_msgs.msg import PoseWithCovarianceStamped
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from rclpy.duration import Duration
from rclpy.qos import QoSProfile, ReliabilityPolicy
from std_srvs.srv import SetBool, Trigger
from twin_tools.graph import (GraphClient, GraphError, HelpFormatter, pybullet_banner_hidden,
                              run_with_client)

EXAMPLE = ('examples:\n  twin sim pause\n  twin sim step 240     (one simulated second of '
           '1/240 s steps)\n  twin sim resume\n  twin sim reset\n'
           '  twin sim teleport 0.5 -0.5 1.57 --robot tb0')


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the command line of ``twin sim``: an action and its arguments."""
    result = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0], epilog=EXAMPLE,
        formatter_class=HelpFormatter)
    result.add_argument('--namespace', default='',
                        help="the twin's namespace (as twin run's namespace argument)")
    result.add_argument('--timeout', type=float, default=10.0,
                        help='seconds to wait for the twin to answer')
    actions = result.add_subparsers(dest='action', metavar='ACTION', required=True)
    actions.add_parser('pause', help='stop simulated time (sensors and /clock stand still)')
    actions.add_parser('resume', help='let simulated time run again')
    step = actions.add_parser('step', help='while paused, advance N physics steps')
    step.add_argument('steps', type=positive_int, metavar='N', help='how many physics steps')
    actions.add_parser('reset', help='put every robot back at its start; time runs on')
    teleport = actions.add_parser('teleport', help='move a robot, at rest, to a pose')
    teleport.add_argument('x', type=float, help='m')
    teleport.add_argument('y', type=float, help='m')
    teleport.add_argument('yaw', type=float, help='rad')
    teleport.add_argument('--frame', choices=('world', 'odom'), default='world',
                          help='world: in the world file; odom: from where the robot started')
    teleport.add_argument('--robot', default='',
                          help='which robot, among several (its name, e.g. tb0)')
    return result


def positive_int(text: str) -> int:
    """Return ``text`` as an integer of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not an integer') from None
    if value < 1:
        raise argparse.ArgumentTypeError(f'{value} is not at least 1')
    return value


def service(namespace: str, name: str) -> str:
    """Return the full name of a twin service, e.g. ``/tb/sim/pause``."""
    return f'/{namespace.strip("/")}/{name}'.replace('//', '/')


def set_step_count(client: GraphClient, options, steps: int) -> None:
    """Set the bridge's ``step_count`` parameter: how many steps one ``sim/step`` advances."""
    bridge = client.node_offering(service(options.namespace, 'sim/step'), options.timeout)
    value = ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=steps)
    request = SetParameters.Request(parameters=[Parameter(name='step_count', value=value)])
    [result] = client.call(SetParameters, f'{bridge}/set_parameters', request,
                           options.timeout).results
    if not result.successful:
        raise GraphError(f'{bridge} refused step_count={steps}: {result.reason}')


def teleport(client: GraphClient, options) -> str:
    """Publish the pose on ``sim/teleport`` once the twin listens; return what was sent."""
    robot = f'{options.robot}/' if options.robot else ''
    topic = service(options.namespace, f'{robot}sim/teleport')
    publisher = client.node.create_publisher(
        PoseWithCovarianceStamped, topic,
        QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    if not client.spin_until(lambda: publisher.get_subscription_count() > 0, options.timeout):
        raise GraphError(f'nothing subscribes to {topic}; is the twin running, and is '
                         f'{options.robot or "the robot"} one of its robots?')
    msg = PoseWithCovarianceStamped()
    msg.header.frame_id = options.frame
    msg.pose.pose.position.x, msg.pose.pose.position.y = options.x, options.y
    msg.pose.pose.orientation.z = math.sin(options.yaw / 2.0)
    msg.pose.pose.orientation.w = math.cos(options.yaw / 2.0)
    publisher.publish(msg)
    if not publisher.wait_for_all_acked(Duration(seconds=options.timeout)):
        raise GraphError(f'the twin did not acknowledge {topic} in {options.timeout:g} s')
    return (f'sent x {options.x:g} m, y {options.y:g} m, yaw {options.yaw:g} rad in '
            f"{options.frame} to {topic} (a refusal is in the twin's log)")


def act(client: GraphClient, options) -> str:
    """
    Do the action; return the twin's reply.

    :raises GraphError: when the twin is not there or refuses
    """
    if options.action == 'teleport':
        return teleport(client, options)
    if options.action in ('pause', 'resume'):
        name, kind, request = 'sim/pause', SetBool, SetBool.Request(
            data=options.action == 'pause')
    else:
        name, kind, request = f'sim/{options.action}', Trigger, Trigger.Request()
    if options.action == 'step':
        set_step_count(client, options, options.steps)
    response = client.call(kind, service(options.namespace, name), request, options.timeout)
    if not response.success:
        raise GraphError(f'{name} refused: {response.message}')
    if options.action == 'step' and not carries_sim_time(response.message):
        # Still paused: asking again only tells the time the steps reached.
        paused = client.call(SetBool, service(options.namespace, 'sim/pause'),
                             SetBool.Request(data=True), options.timeout)
        return f'{response.message}; {paused.message}'
    return response.message


def carries_sim_time(message: str) -> bool:
    """Tell whether a reply of the twin says the simulated time (``sim_time_ns=N``)."""
    with pybullet_banner_hidden():
        from twin_bridge.conversions import reply_sim_time_ns
    try:
        reply_sim_time_ns(message)
        return True
    except ValueError:
        return False


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Act on the twin (``twin sim``)."""
    options = parser(prog).parse_args(args)

    def act_and_tell(client: GraphClient) -> int:
        print(act(client, options), flush=True)
        return 0
    return run_with_client('twin_sim_cli', prog or 'twin sim', act_and_tell)


if __name__ == '__main__':
    sys.exit(main())
