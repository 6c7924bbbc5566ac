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
Bring up the twin without ``ros2 launch``: start its nodes as processes and show a status line.

Where a ROS 2 distribution with ``launch`` is installed, use ``ros2 launch twin sim.launch.py``
instead; this runner starts the same nodes with the same parameters for environments that
have only rclpy (the project's PyPI environment). Ctrl-C, or ``--duration``, stops everything.
"""

import argparse
import shutil
import signal
import subprocess
import sys
import time

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock


def node_command(package: str, executable: str) -> list[str]:
    """Return the command line of an installed console script, like ``ros2 run`` finds it."""
    from ament_index_python.packages import get_package_prefix
    path = f'{get_package_prefix(package)}/lib/{package}/{executable}'
    if shutil.which(path) is None:
        raise SystemExit(f'twin_run: {path} is missing; build the workspace first (make build)')
    return [path]


class StatusLine:
    """Follow ``/clock`` and print sim time and the achieved real-time factor on one line."""

    def __init__(self, node):
        self.first = None  # (sim seconds, wall seconds) of the first /clock seen
        self.latest = None
        node.create_subscription(Clock, '/clock', self.on_clock,
                                 QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))

    def on_clock(self, msg: Clock) -> None:
        """Remember the newest sim time with the wall time it arrived at."""
        sample = (msg.clock.sec + msg.clock.nanosec * 1e-9, time.monotonic())
        self.first = self.first or sample
        self.latest = sample

    def text(self) -> str:
        """Return the status line."""
        if self.latest is None:
            return 'waiting for /clock ...'
        sim_elapsed = self.latest[0] - self.first[0]
        wall_elapsed = self.latest[1] - self.first[1]
        factor = sim_elapsed / wall_elapsed if wall_elapsed > 0 else 0.0
        return f'sim time {self.latest[0]:9.2f} s | real-time factor {factor:5.2f}'


def main(args=None) -> int:
    """Start the nodes, show the status until stopped, then stop them cleanly."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--duration', type=float, default=0.0,
                        help='stop after this many wall seconds (0: run until Ctrl-C)')
    options = parser.parse_args(args)

    processes = [subprocess.Popen(node_command('twin_bridge', 'twin_bridge'))]
    rclpy.init()
    signal.signal(signal.SIGTERM, lambda *_: rclpy.try_shutdown())
    node = rclpy.create_node('twin_run')
    status = StatusLine(node)
    started = time.monotonic()
    try:
        while rclpy.ok() and all(p.poll() is None for p in processes):
            rclpy.spin_once(node, timeout_sec=0.2)
            print(f'\r{status.text()}', end='', flush=True)
            if options.duration and time.monotonic() - started > options.duration:
                break
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        print()
        node.destroy_node()
        rclpy.try_shutdown()
        for process in processes:
            process.send_signal(signal.SIGINT)
        codes = [p.wait(timeout=10) for p in processes]
    return 0 if all(code in (0, -signal.SIGINT) for code in codes) else 1


if __name__ == '__main__':
    sys.exit(main())
