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

"""The episode's watcher: what it reads of the twin's graph, before and after the resume."""

import math
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import threading

from nav_msgs.msg import Odometry
import pytest
import rclpy
from rclpy.serialization import serialize_message
from twin_analysis.metrics import stamped_pose
from twin_bridge.testing import isolate_ros_graph
from twin_campaign import episode
from twin_campaign.campaign import load
from twin_campaign.episode import Gate, pin, truth_of, Watcher
from twin_campaign.processes import process_tree, scheduling_of

CAMPAIGNS = Path(__file__).resolve().parents[3] / 'config' / 'campaigns'


@pytest.fixture
def node_and_watcher():
    """Yield a node in an isolated graph and a watcher of the bench campaign's first scenario."""
    isolate_ros_graph()
    rclpy.init()
    try:
        node = rclpy.create_node('watcher_test')
        campaign = load(CAMPAIGNS / 'bench.yaml')
        yield node, Watcher(node, campaign, campaign.scenarios[0], None, (0.0, 0.0, 0.0))
    finally:
        rclpy.try_shutdown()


def test_the_watcher_stops_following_the_clock_once_it_resumes_the_twin(node_and_watcher):
    node, watcher = node_and_watcher
    assert '/clock' in {s.topic_name for s in node.subscriptions}
    watcher.resume(node)
    assert watcher.resumed
    assert '/clock' not in {s.topic_name for s in node.subscriptions}
    assert '/ground_truth/odom' in {s.topic_name for s in node.subscriptions}


def test_the_watcher_keeps_the_first_and_the_latest_odometry_for_the_drift(node_and_watcher):
    _, watcher = node_and_watcher
    for x in (1.0, 2.0, 3.0):
        msg = Odometry()
        msg.header.stamp.sec, msg.pose.pose.position.x = int(x), x
        msg.pose.pose.orientation.w = 1.0
        watcher.on_odometry(serialize_message(msg))   # as a raw subscription gives it
    assert watcher.odometry_count == 3
    assert watcher.odometry() == [(1.0, 1.0, 0.0, 0.0), (3.0, 3.0, 0.0, 0.0)]


def test_a_ready_watcher_waits_for_the_runners_go_ahead_to_resume(node_and_watcher, monkeypatch):
    # the runner starts an episode while the one before steps: it must stay paused till then
    node, _ = node_and_watcher
    monkeypatch.setattr(episode, 'handshake_gap', lambda *_: '')   # the handshake is done
    monkeypatch.setattr(episode, 'MATCH_S', 0.0)
    campaign = load(CAMPAIGNS / 'bench.yaml')
    released = []
    watcher = Watcher(node, campaign, campaign.scenarios[0], None, (0.0, 0.0, 0.0),
                      lambda: bool(released))
    watcher.resume_when_ready(node)
    watcher.resume_when_ready(node)
    assert not watcher.resumed and not watcher.not_started
    released.append(True)
    watcher.resume_when_ready(node)
    assert watcher.resumed


def test_a_gate_opens_when_the_runner_writes_and_wakes_the_watch(tmp_path):
    fifo = tmp_path / 'go'
    os.mkfifo(fifo)
    runner_end = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)   # as backends.run_one holds it
    woken = threading.Event()
    gate = Gate(str(fifo))
    gate.wake = woken.set
    try:
        assert not gate.is_open()
        os.write(runner_end, b'\n')   # anywhere
        assert woken.wait(timeout=60)
        assert gate.is_open()
    finally:
        os.close(runner_end)


def test_a_gate_that_names_a_core_pins_the_episode_there_before_it_opens(tmp_path):
    fifo = tmp_path / 'go'
    os.mkfifo(fifo)
    runner_end = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    woken, pinned = threading.Event(), []
    gate = Gate(str(fifo), lambda core: pinned.append((core, gate.is_open())))
    gate.wake = woken.set
    try:
        os.write(runner_end, b'1\n')
        assert woken.wait(timeout=60)
        assert pinned == [(1, False)] and gate.is_open()
    finally:
        os.close(runner_end)


def test_pinning_confines_a_process_its_children_and_their_threads_to_the_core():
    core = max(os.sched_getaffinity(0))
    parent = subprocess.Popen([sys.executable, '-c', CHILD_WITH_THREADS])
    try:
        while not all_started(parent.pid):
            threading.Event().wait(0.05)
        pin(parent.pid, core)
        for pid in (parent.pid, *process_tree(parent.pid)):
            for thread in os.listdir(f'/proc/{pid}/task'):
                assert os.sched_getaffinity(int(thread)) == {core}, (pid, thread)
    finally:
        for pid in (*process_tree(parent.pid), parent.pid):
            os.kill(pid, signal.SIGKILL)
        parent.wait()


def all_started(pid: int) -> bool:
    """Tell whether the process and its child run two threads each."""
    tree = [pid, *process_tree(pid)]
    return len(tree) == 2 and all(len(os.listdir(f'/proc/{p}/task')) == 2 for p in tree)


def test_a_process_scheduling_counts_its_cpu_and_its_threads_switches():
    sleeper = subprocess.Popen([sys.executable, '-c', SLEEPS_THEN_SUMS], stdout=subprocess.PIPE)
    try:
        assert sleeper.stdout.readline() == b'done\n'
        counts = scheduling_of(sleeper.pid)
        assert counts['user_s'] > 0   # its sum took 10**7 additions
        assert counts['voluntary_switches'] >= 20   # one per sleep, at least
        assert counts['system_s'] >= 0 and counts['run_delay_s'] >= 0
        assert counts['involuntary_switches'] >= 0
    finally:
        sleeper.kill()
        sleeper.wait()
    assert scheduling_of(sleeper.pid) == {}   # ended


SLEEPS_THEN_SUMS = """
import time
for _ in range(20):
    time.sleep(0.01)
sum(range(10**7))
print('done', flush=True)
time.sleep(600)
"""


# A process with a thread, and a child with a thread, all sleeping till killed
CHILD_WITH_THREADS = """
import subprocess, sys, threading, time
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
subprocess.run([sys.executable, '-c', 'import threading, time; '
                'threading.Thread(target=time.sleep, args=(600,)).start()'])
"""


def test_the_ground_truth_read_from_its_bytes_is_what_deserializing_gives_to_the_bit():
    # every alignment of the doubles after the two frame ids, and numbers of every size
    draw = random.Random(7)
    for frame, child in [('', ''), ('w', 'base_footprint'), ('world', 'a' * 7),
                         *(('x' * draw.randrange(12), 'y' * draw.randrange(12))
                           for _ in range(30))]:
        msg = Odometry()
        msg.header.frame_id, msg.child_frame_id = frame, child
        msg.header.stamp.sec, msg.header.stamp.nanosec = draw.randrange(10**6), 999_999_999
        pose, twist = msg.pose.pose, msg.twist.twist
        pose.position.x, pose.position.y = draw.uniform(-1e3, 1e3), draw.uniform(-1e-3, 1e-3)
        yaw = draw.uniform(-math.pi, math.pi)
        pose.orientation.z, pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
        twist.linear.x, twist.linear.y = draw.uniform(-1, 1), draw.uniform(-1, 1)
        msg.pose.covariance[35] = msg.twist.covariance[0] = 9.0   # around the velocity
        assert truth_of(serialize_message(msg)) == (
            stamped_pose(msg), math.hypot(twist.linear.x, twist.linear.y)), (frame, child)
