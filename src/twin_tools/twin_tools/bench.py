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
The benchmark (not a test): how fast the twin runs, against the bare PyBullet loop.

``twin bench [--repeats 3] [--paced-seconds 60] [--json F] [--markdown F]``.
Every scenario uses TurtleBot3 rates (scan 360 beams at 5 Hz, IMU 200 Hz, odometry, TF and
joint states 50 Hz, /clock every step), 240 Hz physics and the arena world, headless. Each
figure is the median of ``--repeats`` runs with min and max (paced: one long run).

Scenarios: bare PyBullet loop; twin_sim core; the bridge as fast as it can with a subscriber
process; paced (factor, /clock jitter, CPU); command latency; LIDAR beams; 1/4/16 robots in
one world; parallel twins; the bridge's peak RSS.
"""

import argparse
from dataclasses import replace
import json
import math
import os
from pathlib import Path
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from ament_index_python.packages import get_package_prefix
import numpy as np
import pybullet
from twin.arguments import bridge_parameters_file, default_robot, world_file
from twin_sim import LidarConfig, load_robot_description, load_world, Pose, Twin, TwinConfig
from twin_sim.twin import Schedule
from twin_sim.world import World

STEP_S = 1.0 / 240.0
STEP_NS = round(STEP_S * 1e9)
ROBOT = Path(default_robot())
ARENA = Path(world_file('arena'))


CORES = sorted(os.sched_getaffinity(0))
# The measured process (this one's loops, or the bridge) runs on one core; the subscriber
# or commander that loads it runs on another when there is one.
MEASURED_CORE, LOAD_CORE = CORES[0], CORES[-1]


def on_core(core: int):
    """Return a ``preexec_fn`` that pins a child process to ``core``."""
    return lambda: os.sched_setaffinity(0, {core})


def stats(values: list) -> dict:
    """Return median, min and max."""
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values)}


# -- bare: the practical ceiling -----------------------------------------------------------

def bare_factor(sim_seconds: float, beams: int = 360) -> float:
    """
    Run the same robot, world, step and ray casts as the twin in a plain PyBullet loop.

    No twin_sim in the loop (it only builds the scene), no ROS: the cost of physics and
    sensing alone. Returns the real-time factor.
    """
    world, arena = World(), load_world(ARENA)
    arena.build(world)
    body = world.load_urdf_text('robot', load_robot_description(ROBOT).urdf, arena.spawn)
    client = world.client
    joints = {pybullet.getJointInfo(body, j, physicsClientId=client)[1].decode(): j
              for j in range(pybullet.getNumJoints(body, physicsClientId=client))}
    links = {pybullet.getJointInfo(body, j, physicsClientId=client)[12].decode(): j
             for j in joints.values()}
    wheels = [joints['wheel_left_joint'], joints['wheel_right_joint']]
    angles = 2 * math.pi * np.arange(beams) / beams
    beam_directions = np.column_stack((np.cos(angles), np.sin(angles), np.zeros(beams)))
    lidar, imu, odom = Schedule(5.0), Schedule(200.0), Schedule(50.0)
    steps = round(sim_seconds / STEP_S)
    started = time.perf_counter()
    for k in range(1, steps + 1):
        pybullet.setJointMotorControlArray(body, wheels, pybullet.VELOCITY_CONTROL,
                                           targetVelocities=[3.0, 4.0], forces=[1.0, 1.0],
                                           physicsClientId=client)
        pybullet.stepSimulation(physicsClientId=client)
        now = k * STEP_NS
        if lidar.due(now):
            state = pybullet.getLinkState(body, links['base_scan'], physicsClientId=client)
            rotation = np.array(pybullet.getMatrixFromQuaternion(state[5])).reshape(3, 3)
            ends = (np.array(state[4]) + beam_directions @ rotation.T * 3.5).tolist()
            for start in range(0, beams, 16383):
                pybullet.rayTestBatch([state[4]] * len(ends[start:start + 16383]),
                                      ends[start:start + 16383], physicsClientId=client)
        if imu.due(now):
            pybullet.getLinkState(body, links['imu_link'], computeLinkVelocity=1,
                                  physicsClientId=client)
        if odom.due(now):
            pybullet.getJointStates(body, wheels, physicsClientId=client)
    factor = sim_seconds / (time.perf_counter() - started)
    world.close()
    return factor


# -- core: twin_sim producing every reading -------------------------------------------------

# Free spots of the arena, between its pillars: robots 1-4 take the inner four.
ARENA_SPOTS = [(x, y) for x in (-0.55, 0.55, -1.65, 1.65) for y in (-0.55, 0.55, -1.65, 1.65)]


def core_factor(sim_seconds: float, beams: int = 360, robots: int = 1) -> float:
    """
    Run twin_sim with every sensor at its rate; return the real-time factor.

    :param robots: how many robots share the arena (one starts at the world's spawn pose,
        several on the free spots between the pillars)
    """
    world = load_world(ARENA)
    spots = [Pose(x=x, y=y) for x, y in ARENA_SPOTS[:robots]]
    spawns = [world.spawn] if robots == 1 else spots
    twin = Twin(TwinConfig(robot=ROBOT, lidar=replace(LidarConfig(), samples=beams)),
                world.build, spawns)
    for index in range(robots):
        twin.set_command(0.1, 0.3, robot=index)
    steps = round(sim_seconds / STEP_S)
    started = time.perf_counter()
    for _ in range(steps):
        twin.step_all()
    factor = sim_seconds / (time.perf_counter() - started)
    twin.close()
    return factor


def robots_bridge_factor(robots: int, seconds: float) -> float:
    """Run one bridge with ``robots`` namespaced robots as fast as it can; return the factor."""
    names = ', '.join(f'tb{index}' for index in range(robots))
    spawns = ', '.join(f'{x}, {y}, 0.0' for x, y in ARENA_SPOTS[:robots])
    return run_bridge(0.0, seconds, (f'robots:=[{names}]', f'robot_spawns:=[{spawns}]'))[
        'factor']


def parallel_factor(processes: int, sim_seconds: float) -> float:
    """
    Run independent core twins in parallel processes; return aggregate sim-s per wall-s.

    Each worker times its own stepping loop (process start-up and imports excluded), and
    the loops run at the same time, so their factors add up.
    """
    command = [sys.executable, '-m', 'twin_tools.bench', '--core-worker', str(sim_seconds)]
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                                preexec_fn=on_core(CORES[index % len(CORES)]))
               for index in range(processes)]
    return sum(float(worker.communicate()[0].split()[-1]) for worker in workers)


# -- the bridge, with subscribers in another process ----------------------------------------

SUBSCRIBER = """
import json, sys, time
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from diagnostic_msgs.msg import DiagnosticArray
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Imu, JointState, LaserScan
from nav_msgs.msg import Odometry
from tf2_msgs.msg import TFMessage
seconds, out = float(sys.argv[1]), sys.argv[2]
rclpy.init()
node = rclpy.create_node('bench_subscriber')
reliable = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
counts = {}
clock = []
published_jitter = []   # the bridge's own (p50, p99) per diagnostics window
def on_diagnostics(msg):
    values = {item.key: item.value for item in msg.status[0].values}
    if values.get('clock_jitter_p99_ms', 'n/a') != 'n/a':
        published_jitter.append((float(values['clock_jitter_p50_ms']),
                                 float(values['clock_jitter_p99_ms'])))
node.create_subscription(DiagnosticArray, '/diagnostics', on_diagnostics, reliable)
def counter(topic):
    counts[topic] = 0
    def count(msg):
        counts[topic] += 1
    return count
for topic, kind, qos in [('scan', LaserScan, qos_profile_sensor_data),
                         ('imu', Imu, qos_profile_sensor_data), ('odom', Odometry, reliable),
                         ('tf', TFMessage, reliable), ('joint_states', JointState, reliable),
                         ('ground_truth/odom', Odometry, reliable)]:
    node.create_subscription(kind, topic, counter(topic), qos)
node.create_subscription(Clock, '/clock', lambda m: clock.append(
    (m.clock.sec * 10**9 + m.clock.nanosec, time.monotonic())), reliable)
# One executor for the whole run: rclpy.spin_once(node) adds and removes the node on
# every call, which delays callbacks by milliseconds and would count as /clock jitter.
executor = SingleThreadedExecutor()
executor.add_node(node)
give_up = time.monotonic() + 60.0
while not clock:
    executor.spin_once(timeout_sec=0.1)
    if time.monotonic() > give_up:
        sys.exit('no /clock within 60 s: did the bridge start?')
for topic in counts:
    counts[topic] = 0
published_jitter.clear()
start = len(clock) - 1
end = time.monotonic() + seconds
while time.monotonic() < end:
    executor.spin_once(timeout_sec=0.05)
window = clock[start:]
json.dump({'counts': counts, 'clock': window, 'published_jitter': published_jitter},
          open(out, 'w'))
"""

# A controller-like process: publish cmd_vel right after a /clock message (so the sim time
# at the publish is known), then read from the bridge's diagnostics when it was applied.
COMMANDER = """
import json, sys, time
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from rosgraph_msgs.msg import Clock
samples, out = int(sys.argv[1]), sys.argv[2]
rclpy.init()
node = rclpy.create_node('bench_commander')
reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
command = node.create_publisher(Twist, 'cmd_vel', reliable)
latest = {'clock': None, 'values': {}}
clock_qos = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
node.create_subscription(Clock, '/clock', lambda m: latest.update(
    clock=m.clock.sec * 10**9 + m.clock.nanosec), clock_qos)
node.create_subscription(DiagnosticArray, '/diagnostics', lambda m: latest.update(
    values={item.key: item.value for status in m.status for item in status.values}), reliable)
executor = SingleThreadedExecutor()
executor.add_node(node)
give_up = time.monotonic() + 60.0
while latest['clock'] is None or command.get_subscription_count() == 0:
    executor.spin_once(timeout_sec=0.1)
    if time.monotonic() > give_up:
        sys.exit('no /clock or cmd_vel subscriber within 60 s: did the bridge start?')
results = []
for k in range(samples):
    latest['clock'] = None
    while latest['clock'] is None:
        executor.spin_once(timeout_sec=0.1)
    sim_at_publish = latest['clock']
    msg = Twist()
    msg.angular.z = 0.5 if k % 2 else -0.5   # turn on the spot, to and fro
    published = time.monotonic()
    command.publish(msg)
    while float(latest['values'].get('cmd_vel_last_received_steady_s', 0.0)) < published:
        executor.spin_once(timeout_sec=0.1)
    values = latest['values']
    results.append({'sim_at_publish_ns': sim_at_publish,
                    'applied_sim_ns': int(values['cmd_vel_last_applied_sim_ns']),
                    'published': published,
                    'received': float(values['cmd_vel_last_received_steady_s']),
                    'applied': float(values['cmd_vel_last_applied_steady_s'])})
json.dump(results, open(out, 'w'))
"""


def start_bridge(real_time_factor: float, parameters: tuple = ()) -> subprocess.Popen:
    """
    Start the installed bridge on the arena with the default parameters file.

    :param parameters: more ``name:=value`` bridge parameters
    """
    executable = Path(get_package_prefix('twin_bridge'), 'lib', 'twin_bridge', 'twin_bridge')
    return subprocess.Popen(
        [str(executable), '--ros-args',
         '--params-file', bridge_parameters_file(),
         '-p', f'robot_description_file:={ROBOT}', '-p', f'world_file:={ARENA}',
         '-p', f'real_time_factor:={real_time_factor}',
         '-p', 'enable_stamped_cmd_vel:=false',   # the commander publishes plain Twist
         *(arg for p in parameters for arg in ('-p', p)), '--log-level', 'warn'],
        stdout=subprocess.DEVNULL,   # warnings and errors still show on stderr
        preexec_fn=on_core(MEASURED_CORE))


def stop_bridge(bridge: subprocess.Popen) -> None:
    """Stop the bridge as Ctrl-C would."""
    bridge.send_signal(signal.SIGINT)
    bridge.wait(timeout=30)


def run_bridge(real_time_factor: float, seconds: float, parameters: tuple = ()) -> dict:
    """Run the bridge and a subscriber process; return what the subscriber saw and the cost."""
    bridge = start_bridge(real_time_factor, parameters)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'seen.json'
        cpu_before = _cpu_seconds(bridge.pid)
        started = time.monotonic()
        subprocess.run([sys.executable, '-c', SUBSCRIBER, str(seconds), str(out)], check=True,
                       preexec_fn=on_core(LOAD_CORE))
        cpu = (_cpu_seconds(bridge.pid) - cpu_before) / (time.monotonic() - started)
        peak_rss_mb = memory_mb(bridge.pid)
        seen = json.loads(out.read_text())
    stop_bridge(bridge)
    clock = seen['clock']
    sim = (clock[-1][0] - clock[0][0]) / 1e9
    wall = clock[-1][1] - clock[0][1]
    expected = {'scan': 5.0, 'imu': 200.0, 'odom': 50.0, 'tf': 50.0, 'joint_states': 50.0,
                'ground_truth/odom': 50.0}
    delivered = {topic: seen['counts'][topic] / max(rate * sim, 1.0)
                 for topic, rate in expected.items()}
    intervals_ms = np.diff([arrival for _, arrival in clock]) * 1e3
    return {'factor': sim / wall, 'cpu': cpu, 'peak_rss_mb': peak_rss_mb,
            'delivered': delivered, 'clock_messages': len(clock),
            'clock_interval_ms': intervals_ms, 'published_jitter': seen['published_jitter']}


def command_latency(samples: int) -> dict:
    """
    Time ``samples`` commands from a commander process's publish to the step applying them.

    The bridge runs paced (real_time_factor 1). Sim-time latency is counted to the end of the
    first step that moved under the command, from the sim time at the publish.
    """
    bridge = start_bridge(1.0, ('diagnostics_period:=0.1',))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'latency.json'
        subprocess.run([sys.executable, '-c', COMMANDER, str(samples), str(out)], check=True,
                       preexec_fn=on_core(LOAD_CORE))
        results = json.loads(out.read_text())
    stop_bridge(bridge)
    steps = [(r['applied_sim_ns'] + STEP_NS - r['sim_at_publish_ns']) / STEP_NS
             for r in results]
    wall_ms = [(r['applied'] - r['published']) * 1e3 for r in results]
    return {'steps': stats(steps),
            'within_one_step': float(np.mean(np.array(steps) <= 1.0)),
            'wall_ms': stats(wall_ms),
            'wall_p99_ms': float(np.percentile(wall_ms, 99)),
            'transport_ms': stats([(r['received'] - r['published']) * 1e3 for r in results]),
            'samples': len(results)}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def memory_mb(pid: int, field: str = 'VmHWM') -> float:
    """Return a process's memory from /proc, MB: ``VmHWM`` its peak RSS, ``VmRSS`` its RSS."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith(f'{field}:'):
            return int(line.split()[1]) / 1024
    return float('nan')


# -- the report --------------------------------------------------------------------------

def run_all(repeats: int, paced_seconds: float) -> dict:
    """Run every scenario; return the results."""
    os.sched_setaffinity(0, {MEASURED_CORE})   # the bare and core loops run here
    results = {'machine': f'{platform.processor() or platform.machine()}, '
                          f'{os.cpu_count()} cores, Python {platform.python_version()}'}
    results['bare'] = stats([bare_factor(10.0) for _ in range(repeats)])
    results['core'] = stats([core_factor(10.0) for _ in range(repeats)])
    bridge_runs = [run_bridge(0.0, 15.0) for _ in range(repeats)]
    results['bridge'] = stats([r['factor'] for r in bridge_runs])
    results['bridge_delivered'] = {topic: min(r['delivered'][topic] for r in bridge_runs)
                                   for topic in bridge_runs[0]['delivered']}
    results['bridge_delivered_min'] = min(results['bridge_delivered'].values())
    results['bridge_peak_rss_mb'] = max(r['peak_rss_mb'] for r in bridge_runs)
    paced = run_bridge(1.0, paced_seconds)
    jitter = np.abs(paced['clock_interval_ms'] - STEP_S * 1e3)
    published_p99 = [p99 for _, p99 in paced['published_jitter']]
    results['paced'] = {'factor': paced['factor'], 'cpu': paced['cpu'],
                        'jitter_p50_ms': float(np.percentile(jitter, 50)),
                        'jitter_p99_ms': float(np.percentile(jitter, 99)),
                        'published_jitter_p99_ms': stats(published_p99),
                        'seconds': paced_seconds, 'peak_rss_mb': paced['peak_rss_mb']}
    results['latency'] = command_latency(100)
    results['lidar_core'] = {beams: stats([core_factor(5.0, beams) for _ in range(repeats)])
                             for beams in (360, 1440, 16384)}
    results['robots'] = {n: {'core': stats([core_factor(5.0, robots=n) for _ in range(repeats)]),
                             'bridge': stats([robots_bridge_factor(n, 10.0)
                                              for _ in range(repeats)])}
                         for n in (1, 4, 16)}
    single = stats([parallel_factor(1, 30.0) for _ in range(repeats)])['median']
    results['parallel'] = {n: {'aggregate': parallel_factor(n, 30.0), 'single': single}
                           for n in range(1, (os.cpu_count() or 1) + 1)}
    return results


def markdown(results: dict) -> str:
    """Render the results as the table committed in docs/benchmarks.md."""
    def triple(s):
        digits = 2 if s['max'] < 10 else 1
        return f'{s["median"]:.{digits}f} ({s["min"]:.{digits}f}–{s["max"]:.{digits}f})'
    bare = results['bare']['median']
    paced, latency = results['paced'], results['latency']
    published = paced['published_jitter_p99_ms']
    lines = [
        '# Benchmarks', '',
        f'Machine: {results["machine"]}. Command: `make bench` (`twin bench`).',
        'Real-time factor = simulated seconds per wall second; median (min–max) of the runs.',
        'TurtleBot3 rates: scan 360 beams at 5 Hz, IMU 200 Hz, odom/TF/joint states 50 Hz, '
        '/clock every step; physics 240 Hz; the arena world; headless. The bare and core loops '
        'and the bridge run pinned to one core; the subscriber or commander process loading the '
        'bridge runs on another.', '',
        '| scenario | result | target |', '|---|---|---|',
        f'| bare PyBullet loop (same robot, world, rays) | {triple(results["bare"])} | the '
        'ceiling |',
        f'| core (twin_sim, every reading) | {triple(results["core"])} | |',
        f'| bridge, real_time_factor 0, subscribers in another process | '
        f'{triple(results["bridge"])}; ratio to bare {results["bridge"]["median"] / bare:.2f}'
        f'; delivered to the subscriber: ' + ', '.join(
            f'{t} {share:.0%}' for t, share in results['bridge_delivered'].items()) +
        ' | ratio ≥ 0.7 |',
        f'| paced, real_time_factor 1.0, {paced["seconds"]:.0f} s | achieved '
        f'{paced["factor"]:.4f}; bridge CPU {paced["cpu"]:.0%} | 1.00 ± 0.01 |',
        "| /clock jitter at publication (the bridge's diagnostics, p99 of each 1 s window) | "
        f'{triple(published)} ms | p99 < 2 ms |',
        f'| /clock jitter at a subscriber in another process (whole run) | p50 '
        f'{paced["jitter_p50_ms"]:.2f} ms, p99 {paced["jitter_p99_ms"]:.2f} ms | |',
        f'| command latency, paced: cmd_vel publish (right after a /clock) to the end of the '
        f'first step moved by it, {latency["samples"]} commands | {triple(latency["steps"])} '
        f'steps, {latency["within_one_step"]:.0%} within 1 step; wall time '
        f'{triple(latency["wall_ms"])} ms, of which DDS delivery {triple(latency["transport_ms"])}'
        f' ms | ≤ 1 step |',
        f'| peak RSS of the bridge | {results["bridge_peak_rss_mb"]:.0f} MB | ≤ 250 MB |',
    ]
    for beams, s in results['lidar_core'].items():
        lines.append(f'| core with {beams} LIDAR beams | {triple(s)} | |')
    for n, r in results['robots'].items():
        lines.append(f'| {n} robot(s) in one arena, every sensor each (bridge: namespaced '
                     f'tb0…, real_time_factor 0) | core {triple(r["core"])}, bridge '
                     f'{triple(r["bridge"])}; robot-seconds per wall second: core '
                     f'{n * r["core"]["median"]:.1f}, bridge {n * r["bridge"]["median"]:.1f} | |')
    for n, p in results['parallel'].items():
        lines.append(f'| {n} independent core twin(s) in parallel processes | aggregate '
                     f'{p["aggregate"]:.1f} sim-s/wall-s, {p["aggregate"] / p["single"]:.2f} × '
                     f'one | ≥ 0.9 × N |')
    return '\n'.join(lines) + '\n'


def _notes(markdown_file: Path) -> str:
    """Return the hand-written sections after the table (from the first '## '), kept."""
    text = markdown_file.read_text() if markdown_file.exists() else ''
    return text[text.index('\n## '):] if '\n## ' in text else ''


def main(args: list[str] | None = None, prog: str | None = None) -> int:
    """Run the benchmark, print the table, save JSON and markdown (``twin bench``)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog='example: twin bench --repeats 1 --paced-seconds 20 --markdown /tmp/bench.md')
    parser.add_argument('--repeats', type=int, default=3,
                        help='runs of each scenario (the table shows median, min and max)')
    parser.add_argument('--paced-seconds', type=float, default=60.0,
                        help='wall seconds of the paced run (real_time_factor 1)')
    parser.add_argument('--json', type=Path, default=Path('artifacts/bench.json'),
                        help='where to write every figure as JSON')
    parser.add_argument('--markdown', type=Path, default=Path('docs/benchmarks.md'),
                        help='where to write the table (the notes after it are kept)')
    parser.add_argument('--core-worker', type=float, help=argparse.SUPPRESS)
    options = parser.parse_args(args)
    if options.core_worker:
        print(core_factor(options.core_worker))
        return 0
    os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    results = run_all(options.repeats, options.paced_seconds)
    table = markdown(results)
    print(table)
    for path, text in ((options.json, json.dumps(results, indent=2, default=str)),
                       (options.markdown, table + _notes(options.markdown))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
