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

"""What the example controllers share: reading a scan sector, and sending velocity commands."""

import math

from geometry_msgs.msg import Twist, TwistStamped


def sector_min(ranges, angle_min: float, angle_increment: float, centre: float,
               half_width: float) -> float:
    """
    Return the closest return within ``centre +- half_width`` (rad) of a LaserScan.

    REP-117: +inf means nothing within range (clear), -inf something too close to measure
    (taken as 0), NaN an invalid reading (skipped). With no valid beam: +inf.
    """
    closest = math.inf
    for index, value in enumerate(ranges):
        angle = angle_min + index * angle_increment
        offset = math.atan2(math.sin(angle - centre), math.cos(angle - centre))
        if abs(offset) <= half_width and not math.isnan(value):
            closest = min(closest, 0.0 if value == -math.inf else value)
    return closest


def blacked_out(ranges) -> bool:
    """Tell whether a scan has no return at all: every beam +inf (nothing) or NaN (invalid)."""
    return not any(value == -math.inf or math.isfinite(value) for value in ranges)


def range_at(ranges, angle_min: float, angle_increment: float, angle: float) -> float:
    """Return the range of the beam nearest ``angle`` (+inf for none or an invalid one)."""
    count = len(ranges)
    if count == 0:
        return math.inf
    index = round((angle - angle_min) / angle_increment) % count
    value = ranges[index]
    return math.inf if math.isnan(value) else max(value, 0.0)


class VelocityCommander:
    """Publish velocity commands as Twist or, with ``stamped``, TwistStamped (as Nav2 does)."""

    def __init__(self, node, topic: str, stamped: bool, frame_id: str = 'base_footprint'):
        """Create the publisher (reliable, depth 1: only the newest command matters)."""
        self.node, self.stamped, self.frame_id = node, stamped, frame_id
        self.publisher = node.create_publisher(TwistStamped if stamped else Twist, topic, 1)

    def send(self, linear: float, angular: float) -> None:
        """Send one command."""
        twist = Twist()
        twist.linear.x, twist.angular.z = float(linear), float(angular)
        if not self.stamped:
            self.publisher.publish(twist)
            return
        msg = TwistStamped(twist=twist)
        msg.header.stamp = self.node.get_clock().now().to_msg()
        msg.header.frame_id = self.frame_id
        self.publisher.publish(msg)

    def stop(self) -> None:
        """Send a zero command."""
        self.send(0.0, 0.0)


class ScanController:
    """
    Mix-in for a Node driven by the newest scan: parameters, scan subscription, timer.

    Subclasses call :meth:`start` from ``__init__`` with their own parameters and implement
    ``control()``, called ``rate`` times per second with ``self.scan`` set (or None).
    """

    def start(self, parameters: dict) -> None:
        """Declare the shared and the given parameters; subscribe; start the control timer."""
        from rclpy.qos import qos_profile_sensor_data
        from sensor_msgs.msg import LaserScan
        self.p = declare(self, {'rate': 10.0, 'scan_topic': 'scan', 'cmd_vel_topic': 'cmd_vel',
                                'enable_stamped_cmd_vel': True,   # as the Jazzy TurtleBot3
                                'scan_timeout': 1.0,        # s without a scan: stop
                                'stop_on_blackout': True,   # stop when every return vanishes
                                **parameters})
        self.commander = VelocityCommander(self, self.p['cmd_vel_topic'],
                                           self.p['enable_stamped_cmd_vel'])
        self.scan = None
        self.seen_returns = False   # a scan with no return is a blackout only after one had
        self.create_subscription(LaserScan, self.p['scan_topic'], self.on_scan,
                                 qos_profile_sensor_data)
        self.create_timer(1.0 / self.p['rate'], self.control)

    def on_scan(self, msg) -> None:
        """Keep the newest scan."""
        self.scan = msg

    def usable_scan(self):
        """
        Return the newest scan, or None when it must not be trusted: missing, stale, blind.

        Stale: older than ``scan_timeout`` (sim time). Blind (with ``stop_on_blackout``): no
        return at all after scans that had some, as when the LIDAR fails; in open space
        with nothing in range from the start, an empty scan is taken as it reads.
        """
        scan = self.scan
        if scan is None:
            return None
        stamp_ns = scan.header.stamp.sec * 10**9 + scan.header.stamp.nanosec
        if (self.get_clock().now().nanoseconds - stamp_ns) / 1e9 > self.p['scan_timeout']:
            return None
        if not blacked_out(scan.ranges):
            self.seen_returns = True
            return scan
        return None if self.seen_returns and self.p['stop_on_blackout'] else scan


class ProgressWatch:
    """
    Notice a controller that is stuck: its distance to the goal has not shrunk for a while.

    Progress is ``step`` metres closer than the best distance so far; ``timeout`` seconds
    (the node's clock: simulated time with the twin) without it is stuck. Blocked by another
    robot, or pushing against it with slipping wheels, a robot makes no true progress.
    """

    def __init__(self, timeout: float, step: float = 0.05):
        """Watch with a ``timeout`` in s and a ``step`` of progress in m."""
        self.timeout, self.step = timeout, step
        self.best = self.since = None

    def restart(self) -> None:
        """Forget the goal's history (a new goal)."""
        self.best = self.since = None

    def stuck(self, now: float, distance: float) -> bool:
        """Note the distance to the goal at ``now`` (s); return whether progress stopped."""
        if self.best is None or distance < self.best - self.step:
            self.best, self.since = distance, now
            return False
        return now - self.since > self.timeout


def clamp(value: float, limit: float) -> float:
    """Limit ``value`` to +-``limit``."""
    return max(-limit, min(limit, value))


def declare(node, values: dict) -> dict:
    """Declare parameters with defaults; return their values."""
    return {name: node.declare_parameter(name, default).value for name, default in values.items()}


def run(node_class, args=None) -> None:
    """
    Spin a controller until SIGINT/SIGTERM or shutdown, stopping the robot on the way out.

    The signals only set a flag checked between callbacks: an exception raised by a signal
    could land inside rclpy's C++ calls; and a background job starts with SIGINT ignored.
    """
    import signal
    import rclpy
    from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
    from rclpy.signals import SignalHandlerOptions
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    stop = []
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.append(number))
    node = node_class()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        while not stop and rclpy.ok():
            executor.spin_once(timeout_sec=0.1)
    except ExternalShutdownException:
        pass
    finally:
        if rclpy.ok():
            node.commander.stop()
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
