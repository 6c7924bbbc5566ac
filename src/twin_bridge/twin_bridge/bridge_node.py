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
The twin's ROS 2 node: a TurtleBot3-class robot's drivers, backed by twin_sim.

The node owns simulated time. A steady (wall-clock) timer advances the physics in fixed
steps, paced by ``real_time_factor``; every message is stamped with simulated time and
``/clock`` is published. Commands pass the :class:`CommandGate` before reaching the motors.
"""

import array
import math
import os
import re
import sys
import time

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import pybullet
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor)
import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.clock import Clock as RclpyClock, ClockType
from rclpy.exceptions import (InvalidParameterTypeException, InvalidParameterValueException,
                              ParameterUninitializedException)
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from std_srvs.srv import SetBool, Trigger
from twin_bridge import conversions
from twin_bridge.graph_watch import GraphWatch
from twin_bridge.parameters import (bridge_settings, check_value, PARAMETERS, robot_spawns,
                                    twin_config)
from twin_bridge.robot_drivers import RELIABLE, reported, RobotDrivers
from twin_bridge.security import security_problem
from twin_bridge.simulation_interfaces_server import SimulationInterfacesServer
from twin_bridge.spinning import init_without_signal_handlers, spin_until_signalled
from twin_bridge.timing import PacingJitter
from twin_sim import DescriptionError, load_world, Pose, Twin

NS_PER_S = 1_000_000_000
GRAPH_CHECK_PERIOD_S = 2.0   # how often the graph is checked for conflicting publishers
FAST_BATCH_S = 0.01          # most wall time one timer tick spends stepping

# sim/step publishes a burst of /clock messages at once; keep them all for slow readers.
CLOCK_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
ARRAY_TYPES = {str: Parameter.Type.STRING_ARRAY, float: Parameter.Type.DOUBLE_ARRAY}


class StartupError(Exception):
    """A configuration problem that stops the node; the message says what to fix."""


def installed(package: str) -> bool:
    """Tell whether the ament index knows a ROS package."""
    try:
        get_package_share_directory(package)
        return True
    except PackageNotFoundError:
        return False


class BridgeNode(Node):
    """The twin's drivers: sensors and odometry out, validated commands in, time owned."""

    def __init__(self, **kwargs):
        """Read the parameters, build the twin, and start publishing; no blocking calls."""
        super().__init__('twin_bridge', **kwargs)
        self.counters_callback_errors = 0
        values = self._declare_parameters()
        self.settings = settings = bridge_settings(values)
        names = self._build_twin(values)
        self.jitter = PacingJitter()
        self.sim_ns = 0
        self.paused = values['start_paused']
        self.diverged = False
        self.step_ns = self.twin.step_ns
        self.clock_pub = self.create_publisher(Clock, '/clock', CLOCK_QOS)
        self.clock_msg = Clock()   # refilled each step
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', RELIABLE)
        publish_robot_state = settings.publish_robot_state == 'true' or (
            settings.publish_robot_state == 'auto' and not installed('robot_state_publisher'))
        self.drivers = [
            RobotDrivers(self, name, robot, settings,
                         self.twin.description.xml if publish_robot_state else None)
            for name, robot in zip(names, self.twin.robots)]
        self._make_services()
        self.simulation_interfaces = SimulationInterfacesServer(self)
        self._start_clock()
        self.graph_watch = GraphWatch(self, [d.namespace for d in self.drivers],
                                      settings.enable_stamped_cmd_vel)
        self.get_logger().info(
            f'twin up: {self.twin.description.source}'
            f'{" as " + ", ".join(names) if any(names) else ""}, world '
            f'{settings.world_file or "(ground only)"}, physics step {self.step_ns / 1e6:.3f} ms, '
            f'real_time_factor {settings.real_time_factor or "max"}, cmd_vel as '
            f'{"TwistStamped" if settings.enable_stamped_cmd_vel else "Twist"}')

    def _build_twin(self, values: dict) -> list[str]:
        """Build the world and its robots; return the robots' names ('' for a lone one)."""
        spawn = Pose(x=values['spawn.x'], y=values['spawn.y'], yaw=values['spawn.yaw'])
        build_world = None
        try:
            if self.settings.world_file:
                world = load_world(self.settings.world_file)
                build_world = world.build
                if values['use_world_spawn'] and world.spawn and spawn == Pose():
                    spawn = world.spawn
            robots = robot_spawns(values, spawn)
            self.twin = Twin(twin_config(values, spawn), build_world,
                             [pose for _, pose in robots])
        except (DescriptionError, ValueError) as error:
            raise StartupError(str(error)) from None
        return [name for name, _ in robots]

    # -- parameters ---------------------------------------------------------------------

    def _declare_parameters(self) -> dict:
        """Declare every parameter of the table; reject unknown keys and bad values."""
        # rclpy keeps the parameters given on the command line or in YAML here; a name the
        # node never declares would otherwise be ignored without a word.
        overrides = self._parameter_overrides
        declared = {p.name for p in PARAMETERS} | {'use_sim_time', 'step_count'}
        unknown = sorted(set(overrides) - declared)
        if unknown:
            raise StartupError(f'unknown parameter(s) {", ".join(unknown)}; see the twin_bridge '
                               'README for the parameters it takes')
        values = {}
        for param in PARAMETERS:
            # A list parameter is declared by type: rclpy cannot tell the type of [].
            default = ARRAY_TYPES[param.array_of] if param.array_of else param.default
            given = overrides.get(param.name)
            if given is not None:
                checked = _checked_override(param, overrides.pop(param.name))
                if checked is not None:
                    overrides[param.name] = checked
            try:
                value = self.declare_parameter(param.name, default, _descriptor(param)).value
            except (InvalidParameterValueException, InvalidParameterTypeException,
                    ParameterUninitializedException) as error:
                raise StartupError(f'parameter {param.name}: {_first_line(error)}') from None
            values[param.name] = list(value or []) if param.array_of else value
        # ``step_count`` may change at run time: how many steps one sim/step call advances.
        self.declare_parameter('step_count', 1, ParameterDescriptor(
            description='physics steps advanced by one sim/step call while paused',
            integer_range=[IntegerRange(from_value=1, to_value=1_000_000, step=1)]))
        return values

    # -- set-up -------------------------------------------------------------------------

    def _make_services(self) -> None:
        # Twin-only services live under sim/, one namespace that permissions can deny.
        self.create_service(SetBool, 'sim/pause', self.on_pause)
        self.create_service(Trigger, 'sim/step', self.on_step)
        self.create_service(Trigger, 'sim/reset', self.on_reset)
        self.create_service(Trigger, 'sim/reset_e_stop', self.on_reset_e_stop)

    def _start_clock(self) -> None:
        steady = RclpyClock(clock_type=ClockType.STEADY_TIME)
        factor = self.settings.real_time_factor
        period = self.step_ns / NS_PER_S / factor if factor > 0 else 0.0
        self.anchor = (time.monotonic(), self.sim_ns)
        self.stats = {'overruns': 0, 'steps': 0, 'achieved_factor': 0.0}
        self.last_diagnostics = (time.monotonic(), self.sim_ns)
        # Wall-clock timers: the node must never wait for the /clock it publishes itself.
        self.create_timer(period, self.on_timer, clock=steady)
        self.create_timer(self.settings.diagnostics_period, self.publish_diagnostics,
                          clock=steady)
        self.create_timer(GRAPH_CHECK_PERIOD_S, self.check_graph, clock=steady)
        self.clock_period_ns = round(self.settings.clock_period * NS_PER_S)
        self.next_clock_ns = 0
        self.publish_clock()

    # -- time ---------------------------------------------------------------------------

    @reported
    def on_timer(self) -> None:
        """Advance as many physics steps as the pacing asks for."""
        if self.paused or self.diverged:
            self.anchor = (time.monotonic(), self.sim_ns)
            return
        factor = self.settings.real_time_factor
        wall_start, sim_start = self.anchor
        now = time.monotonic()
        # Steps owed by the pacing (all of them, as fast as possible, with factor 0); at most
        # FAST_BATCH_S of wall time per tick, so commands and services are never starved.
        owed = (math.inf if factor == 0.0 else
                (sim_start + (now - wall_start) * factor * NS_PER_S - self.sim_ns) //
                self.step_ns)
        deadline = now + FAST_BATCH_S
        while owed > 0 and time.monotonic() < deadline and not (self.paused or self.diverged):
            self.advance()
            owed -= 1
        if factor > 0.0 and owed > 0:
            # Physics is slower than asked: count it, and drop the debt rather than race.
            self.stats['overruns'] += 1
            self.anchor = (time.monotonic(), self.sim_ns)

    def advance(self) -> None:
        """One physics step: apply the commands in force, step, publish what came due."""
        for drivers in self.drivers:
            drivers.command(self.sim_ns)
        all_readings = self.twin.step_all()
        self.sim_ns += self.step_ns
        self.stats['steps'] += 1
        truths = [d.ground_truth(r) for d, r in zip(self.drivers, all_readings)]
        if not all(d.finite(r, t) for d, r, t in zip(self.drivers, all_readings, truths)):
            self.diverged = True
            self.get_logger().error(
                'physics diverged (a non-finite pose or reading): simulation paused, nothing '
                'published; call sim/reset to continue')
            return
        if self.clock_period_ns == 0 or self.sim_ns >= self.next_clock_ns:
            self.publish_clock()
            if not self.paused:   # paced steps only; sim/step bursts are not pacing
                self.jitter.mark(time.monotonic())
        for drivers, readings, truth in zip(self.drivers, all_readings, truths):
            drivers.publish(readings, truth, self.sim_ns)

    def publish_clock(self) -> None:
        """Publish the simulated time."""
        self.clock_pub.publish(conversions.clock(self.sim_ns, self.clock_msg))
        self.next_clock_ns = self.sim_ns + self.clock_period_ns

    # -- services -----------------------------------------------------------------------

    @reported
    def on_pause(self, request: SetBool.Request, response: SetBool.Response):
        """Pause (true) or resume (false) the simulation."""
        self.set_paused(request.data)
        response.success = True
        response.message = f'{"paused" if self.paused else "running"} {self._at_sim_time()}'
        return response

    def set_paused(self, paused: bool) -> None:
        """Pause or resume; pacing starts afresh from now."""
        self.paused = paused
        self.anchor = (time.monotonic(), self.sim_ns)
        self.jitter.clear()

    def _at_sim_time(self) -> str:
        # The exact time lets a caller line up with /clock, which arrives on its own.
        return f'at sim time {self.sim_ns // NS_PER_S}.{self.sim_ns % NS_PER_S:09d} s'

    @reported
    def on_step(self, request: Trigger.Request, response: Trigger.Response):
        """While paused, advance ``step_count`` physics steps; respond when they are done."""
        if not self.paused or self.diverged:
            response.success = False
            response.message = ('physics diverged: call sim/reset' if self.diverged else
                                'not paused: call sim/pause first')
            return response
        count = self.get_parameter('step_count').value
        for _ in range(count):
            self.advance()
        response.success = True
        response.message = f'stepping {count} step(s) of {self.step_ns / 1e9:g} s'
        return response

    @reported
    def on_reset(self, request: Trigger.Request, response: Trigger.Response):
        """Restore the initial state: robot pose, odometry, commands; time keeps running."""
        self.simulation_interfaces.reset_world(keep_spawned=False)   # spawned bodies go
        response.success = True
        response.message = f'reset to the initial state {self._at_sim_time()}; /clock continues'
        return response

    @reported
    def on_reset_e_stop(self, request: Trigger.Request, response: Trigger.Response):
        """Release a latched e-stop."""
        engaged = [d for d in self.drivers if d.gate.e_stopped]
        for drivers in engaged:
            drivers.gate.release_e_stop()
        response.success = True
        response.message = 'e-stop released' if engaged else 'e-stop was not engaged'
        if engaged and any(d.name for d in engaged):
            response.message += ' for ' + ', '.join(d.name for d in engaged)
        return response

    # -- watching -----------------------------------------------------------------------

    @reported
    def publish_diagnostics(self) -> None:
        """Publish the simulation's state and pacing, and each robot's command path."""
        if self.paused or self.diverged:
            self.publish_clock()   # time stands still, but nodes joining now must learn it
        now_wall = time.monotonic()
        wall, sim = self.last_diagnostics
        if now_wall > wall:
            self.stats['achieved_factor'] = (self.sim_ns - sim) / NS_PER_S / (now_wall - wall)
        self.last_diagnostics = (now_wall, self.sim_ns)
        array = DiagnosticArray(status=[self._simulation_status()] + [
            self._robot_status(drivers) for drivers in self.drivers])
        array.header.stamp = conversions.stamp(self.sim_ns)
        self.diagnostics_pub.publish(array)

    def _simulation_status(self) -> DiagnosticStatus:
        status = DiagnosticStatus(name=f'{self.get_name()}: simulation', hardware_id='twin')
        if self.diverged:
            status.level, status.message = DiagnosticStatus.ERROR, 'physics diverged; paused'
        else:
            status.level = DiagnosticStatus.OK
            status.message = 'paused' if self.paused else 'running'
        values = {
            'sim_time_s': f'{self.sim_ns / NS_PER_S:.3f}',
            'real_time_factor_target': f'{self.settings.real_time_factor:g}',
            'real_time_factor_achieved': f'{self.stats["achieved_factor"]:.3f}',
            'steps': str(self.stats['steps']),
            'step_overruns': str(self.stats['overruns']),
            'paused': str(self.paused).lower(),
            'callback_errors': str(self.counters_callback_errors),
            'physics_bodies': str(self.twin.world.call(pybullet.getNumBodies)),
            'robots': str(len(self.drivers)),
        }
        values.update(self._jitter_values())
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        return status

    def _robot_status(self, drivers: RobotDrivers) -> DiagnosticStatus:
        status = DiagnosticStatus(name=f'{self.get_name()}: {drivers.name or "robot"}',
                                  hardware_id='twin')
        if drivers.gate.e_stopped:
            status.level, status.message = DiagnosticStatus.WARN, 'e-stop engaged'
        else:
            status.level, status.message = DiagnosticStatus.OK, 'ok'
        status.values = [KeyValue(key=k, value=v)
                         for k, v in drivers.diagnostic_values(self.sim_ns).items()]
        return status

    def _jitter_values(self) -> dict:
        """Return how regularly paced /clock publications came, for diagnostics."""
        values = {'clock_jitter_p50_ms': 'n/a', 'clock_jitter_p99_ms': 'n/a'}
        factor = self.settings.real_time_factor
        if factor > 0 and not self.paused:
            steps_per_clock = max(1, math.ceil(self.clock_period_ns / self.step_ns))
            jitter = self.jitter.take(steps_per_clock * self.step_ns / NS_PER_S / factor)
            if jitter is not None:
                values['clock_jitter_p50_ms'], values['clock_jitter_p99_ms'] = (
                    f'{ms:.3f}' for ms in jitter)
        return values

    @reported
    def check_graph(self) -> None:
        """Warn about other publishers where the twin should be the only one."""
        self.graph_watch.check()

    def shut_down(self) -> None:
        """Report the run and release the physics."""
        self.get_logger().info(f'stopping at sim time {self.sim_ns / NS_PER_S:.2f} s after '
                               f'{self.stats["steps"]} steps')
        self.twin.close()


def _checked_override(param, given: Parameter) -> Parameter | None:
    """
    Return a given value in the parameter's type; raise StartupError if it is not allowed.

    None for an empty list: that is the default, and rclpy would take ``[]`` for bytes.
    """
    value = given.value
    if isinstance(param.default, float) and given.type_ == Parameter.Type.INTEGER:
        value = float(value)  # YAML's `real_time_factor: 1` means 1.0; rclpy would refuse it
    if param.array_of is not None:
        value = _given_list(param, given)
        if value == []:
            return None
    if type(value) is not type(param.default):
        raise StartupError(f'parameter {param.name} = {value!r}: expected a '
                           f'{type(param.default).__name__}, like {param.default!r}')
    problem = check_value(param, value)
    if problem:
        raise StartupError(f'parameter {param.name} = {value!r}: {problem}')
    return Parameter(param.name, ARRAY_TYPES.get(param.array_of), value)


def _given_list(param, given: Parameter):
    """Return a given list parameter as a list (floats for a double list); other values as is."""
    if given.value is None:
        return []   # rcl reads a YAML `[]` as a value of no type
    if not isinstance(given.value, (list, tuple, array.array)):
        return given.value   # the caller reports the wrong type
    as_float = param.array_of is float and given.type_ == Parameter.Type.INTEGER_ARRAY
    return [float(item) if as_float else item for item in given.value]


def _descriptor(param) -> ParameterDescriptor:
    extra = f' [{param.unit}]' if param.unit else ''
    descriptor = ParameterDescriptor(description=param.description + extra,
                                     read_only=param.read_only)
    if param.choices:
        descriptor.additional_constraints = 'one of: ' + ', '.join(param.choices)
    elif isinstance(param.default, float) and param.low is not None:
        descriptor.floating_point_range = [FloatingPointRange(
            from_value=float(param.low), to_value=float(param.high), step=0.0)]
    elif isinstance(param.default, int) and not isinstance(param.default, bool) and \
            param.low is not None:
        descriptor.integer_range = [IntegerRange(
            from_value=int(param.low), to_value=int(param.high), step=1)]
    return descriptor


def _rcl_reason(error: Exception) -> str:
    """Return rcl's message without its source locations (', at /project/src/...')."""
    return re.sub(r',? at /\S+:\d+', '', str(error)).strip()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def main(args=None) -> int:
    """Run the bridge until Ctrl-C or shutdown; exit 1 with one clear line on bad setup."""
    logger = rclpy.logging.get_logger('twin_bridge')
    problem = security_problem(os.environ)
    if problem:
        logger.fatal(f'cannot start: {problem}')
        return 1
    # Signals end the spin between callbacks with the context still valid: no step batch is
    # cut off half-published, and shutting down can still log.
    try:
        init_without_signal_handlers(args)
    except RCLError as error:   # e.g. an unreadable --params-file, or security credentials
        hint = ('; with ROS_SECURITY_ENABLE=true, rcl needs ROS_SECURITY_KEYSTORE holding an '
                'enclave for this node (see SROS2 in src/twin_bridge/README.md)'
                if os.environ.get('ROS_SECURITY_ENABLE') == 'true' else '')
        logger.fatal(f'cannot start: {_rcl_reason(error)}{hint}')
        return 1
    try:
        node = BridgeNode()
    except StartupError as error:
        logger.fatal(f'cannot start: {error}')
        rclpy.try_shutdown()
        return 1
    try:
        spin_until_signalled(node, stop_when=node.simulation_interfaces.quit_due)
    except ExternalShutdownException:
        pass
    finally:
        node.shut_down()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
