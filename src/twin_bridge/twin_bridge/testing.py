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
Helpers for tests that run the bridge over DDS.

Call :func:`isolate_ros_graph` from a test package's ``conftest.py``: it runs before any test
creates a node, and every process a test starts inherits the environment it sets, so the
graph stays on this machine and on a domain of its own. :class:`BridgeProcess` runs the
bridge (:class:`NodeProcess`, any node) as a separate process; :class:`Listener` records
topics and waits on predicates.
"""

import fcntl
import os
from pathlib import Path
import signal
import subprocess
import sys
import tempfile
import time

import rclpy
import rclpy.executors
import yaml

# Domain ids whose DDS ports are valid on Linux, without the default 0.
_DOMAIN_IDS = range(1, 102)
_BY_HAND_IDS = range(70, 80)   # left to people's runs by hand on a shared machine
_held_lock = None  # the open lock file that reserves this run's domain id


def isolate_ros_graph() -> int:
    """
    Set ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` and a domain id no other run holds.

    The id is reserved with a lock file for the life of this process, so test runs that
    execute at the same time (colcon tests packages in parallel) never share a graph.

    :return: the reserved ``ROS_DOMAIN_ID``
    """
    global _held_lock
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    os.environ.pop('ROS_STATIC_PEERS', None)
    if _held_lock is not None:
        return int(os.environ['ROS_DOMAIN_ID'])
    lock_dir = Path(tempfile.gettempdir()) / 'twin-ros-domains'
    lock_dir.mkdir(exist_ok=True)
    start = os.getpid() % len(_DOMAIN_IDS)
    for offset in range(len(_DOMAIN_IDS)):
        domain_id = _DOMAIN_IDS[(start + offset) % len(_DOMAIN_IDS)]
        if domain_id in _BY_HAND_IDS:
            continue
        lock = open(lock_dir / f'{domain_id}.lock', 'w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _held_lock = lock
        os.environ['ROS_DOMAIN_ID'] = str(domain_id)
        return domain_id
    raise RuntimeError(f'all ROS domain ids {_DOMAIN_IDS.start}-{_DOMAIN_IDS.stop - 1} are '
                       f'held by other test runs (locks in {lock_dir})')


class NodeProcess:
    """A ROS 2 node run as ``python -m MODULE`` in a process of its own; output to a file."""

    def __init__(self, module: str, parameters: dict, work_dir: Path, name: str,
                 ros_args: tuple = ()):
        """
        Start the node with ``parameters`` (dotted names) written to a YAML file.

        :param work_dir: where the parameter file and the output log go
        :param ros_args: more ``--ros-args`` arguments, e.g. ``('-r', '__ns:=/robot1')``
        """
        self.params_file = work_dir / f'{name}.yaml'
        self.params_file.write_text(yaml.safe_dump(
            {'/**': {'ros__parameters': parameters}}))
        self.log_file = work_dir / f'{name}.log'
        with open(self.log_file, 'w') as log:
            self.process = subprocess.Popen(
                [sys.executable, '-m', module, '--ros-args',
                 '--params-file', str(self.params_file), *ros_args],
                stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        """Return what the bridge has printed so far."""
        return self.log_file.read_text()

    def kill(self) -> None:
        """Kill the node without warning (fault injection); ``stop`` then reports 0."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.killed = True

    def stop(self, timeout: float = 15.0) -> int:
        """Stop the node as Ctrl-C would; return its exit code (0 after ``kill``)."""
        if getattr(self, 'killed', False):
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class ProcessGroup:
    """The node processes one test starts; ``stop_all`` fails the test on an unclean exit."""

    def __init__(self, work_dir: Path):
        """Keep parameter files and logs in ``work_dir``."""
        self.work_dir, self.processes = work_dir, []

    def start(self, module: str, parameters: dict, ros_args: tuple = ()) -> NodeProcess:
        """Start ``python -m module`` with ``parameters``; see :class:`NodeProcess`."""
        name = f'{module.rsplit(".", 1)[-1]}{len(self.processes)}'
        process = NodeProcess(module, parameters, self.work_dir, name, ros_args)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """Stop every process as Ctrl-C would; assert each exited cleanly (or was killed)."""
        for process in self.processes:
            code = process.stop()
            assert code == 0, (f'{process.log_file.name} exited with {code}:\n'
                               f'{process.log()[-3000:]}')


class BridgeProcess(NodeProcess):
    """The bridge in a process of its own, as in real use."""

    def __init__(self, parameters: dict, work_dir: Path, name: str = 'bridge',
                 ros_args: tuple = ()):
        """Start ``twin_bridge`` with ``parameters``; see :class:`NodeProcess`."""
        super().__init__('twin_bridge.bridge_node', parameters, work_dir, name, ros_args)


class Listener:
    """A test node that records what it receives and waits on predicates, never on sleeps."""

    def __init__(self, name: str = 'test_listener'):
        """Create the node in a context of its own."""
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(name, context=self.context)
        self.executor = rclpy.executors.SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.messages = {}
        self.subscriptions = {}
        self.clients = {}

    def record(self, msg_type, topic: str, qos=10) -> list:
        """Subscribe to ``topic`` and return the list its messages are appended to."""
        received = self.messages.setdefault(topic, [])
        self.subscriptions[topic] = self.node.create_subscription(
            msg_type, topic, received.append, qos)
        return received

    def wait_matched(self, topic: str, timeout: float = 30.0) -> None:
        """Wait until a publisher is matched with the recording of ``topic``."""
        subscription = self.subscriptions[topic]
        self.spin_until(lambda: subscription.get_publisher_count() > 0, timeout,
                        f'a publisher on {topic}')

    def spin_until(self, predicate, timeout: float, what='the condition') -> None:
        """
        Spin until ``predicate()`` holds; fail the test after ``timeout`` seconds.

        :param what: what is awaited, for the failure message; a callable is asked at failure
        """
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f'timed out after {timeout} s waiting for '
                                     f'{what() if callable(what) else what}')
            self.executor.spin_once(timeout_sec=0.05)

    def call(self, service_type, name: str, request, timeout: float = 10.0):
        """Call a service and return its response (one client per service, kept)."""
        future = self._client(service_type, name, timeout).call_async(request)
        self.spin_until(future.done, timeout, f'the response of {name}')
        return future.result()

    def _client(self, service_type, name: str, timeout: float):
        """
        Return the kept client of a service, made and matched at its first call.

        A client is ready once its requests reach the server, but the server's replies reach
        it only once the server has matched the client's reply reader too; until then Fast
        DDS drops the reply ("client will not receive response": a first call on a loaded
        machine timed out). So a new client settles a moment after it is ready, and is kept.
        """
        if (service_type, name) not in self.clients:
            client = self.node.create_client(service_type, name)
            self.spin_until(client.service_is_ready, timeout, f'service {name}')
            settled = time.monotonic() + CLIENT_SETTLE_S
            self.spin_until(lambda: time.monotonic() > settled, timeout)
            self.clients[service_type, name] = client
        return self.clients[service_type, name]

    def close(self) -> None:
        """Destroy the node and its context."""
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


def diagnostics_value(arrays: list, key: str) -> str | None:
    """Return the newest value of ``key`` (in any status) in recorded DiagnosticArray messages."""
    for array in reversed(arrays):
        for status in array.status:
            for item in status.values:
                if item.key == key:
                    return item.value
    return None


def diagnostics_count(arrays: list, key: str) -> int:
    """Return the newest integer value of ``key`` in recorded DiagnosticArray messages."""
    return int(diagnostics_value(arrays, key) or 0)


CLIENT_SETTLE_S = 0.25         # a new service client's wait after ready (Listener.call)
SHIPPED_STEP_S = 1.0 / 240.0   # config/twin_bridge.yaml's physics.step


def time_after_steps(start_ns: int, steps: int, step_s: float = SHIPPED_STEP_S) -> int:
    """
    Return the simulated time ``steps`` physics steps after ``start_ns``, ns, as the core keeps it.

    ``start_ns`` must be a step's time: the core's time is the exact product of steps and
    step, rounded to the ns (twin_sim.twin.time_of_steps), so a step is not a whole number of
    ns and the times of its steps are counted from 0, not from ``start_ns``.
    """
    from twin_sim.twin import exact_step_ns, steps_at, time_of_steps
    step_ns = exact_step_ns(step_s)
    steps_before = steps_at(start_ns, step_ns)
    if time_of_steps(steps_before, step_ns) != start_ns:
        raise ValueError(f'{start_ns} ns is not the time of a physics step of {step_s} s')
    return time_of_steps(steps_before + steps, step_ns)


def is_step_time(time_ns: int, step_s: float = SHIPPED_STEP_S) -> bool:
    """Tell whether ``time_ns`` is the simulated time after a whole number of physics steps."""
    from twin_sim.twin import exact_step_ns, steps_at, time_of_steps
    step_ns = exact_step_ns(step_s)
    return time_of_steps(steps_at(time_ns, step_ns), step_ns) == time_ns


def expected_messages(rate_hz: float, steps: int, step_s: float = SHIPPED_STEP_S) -> int:
    """Return how many messages of a ``rate_hz`` stream ``steps`` physics steps produce."""
    from twin_sim.twin import exact_step_ns, Schedule, time_of_steps
    schedule, step_ns = Schedule(rate_hz), exact_step_ns(step_s)
    return sum(schedule.due(time_of_steps(k, step_ns)) for k in range(1, steps + 1))


def as_message(published, msg_type):
    """
    Return what a (mocked) publisher was given, as a message of ``msg_type``.

    The bridge hands its busiest streams' publishers serialized bytes (conversions.Serialized).
    """
    from rclpy.serialization import deserialize_message
    return deserialize_message(published, msg_type) if isinstance(published, bytes) else published
