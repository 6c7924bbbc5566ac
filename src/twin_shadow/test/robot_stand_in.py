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

"""A second core twin stands in for the physical robot: perturbed wheels, a fault on cue."""

from pathlib import Path

from twin_shadow.shadow import ShadowTwin
from twin_sim import Pose, Twin, TwinConfig
from twin_sim.faults import parse_faults
from twin_sim.physical import PhysicalConfig

ROBOT = str(Path(__file__).resolve().parents[3] / 'urdf' / 'twin_burger.urdf.xacro')
RADIUS = 0.033          # the Burger's wheel radius in the URDF, m
COMMAND_PERIOD = 24     # steps: a controller at 10 Hz


def command(time: float) -> tuple[float, float]:
    """Return a drive of straight runs, turns both ways and stops: a motor change every second."""
    return [(0.2, 0.0), (0.15, 0.8), (0.05, -0.6), (0.0, 0.0)][int(time) % 4]


def robot_twin(perturbation: float = 0.005, world=None) -> Twin:
    """
    Return the stand-in robot: physical radii +-``perturbation`` off the nominal ones.

    :param world: its surroundings (a WorldDescription), or None: an empty plane
    """
    return Twin(TwinConfig(robot=ROBOT, seed=7, spawn=world.spawn if world else Pose(),
                           physical=PhysicalConfig(
                               left_wheel_radius=RADIUS * (1 + perturbation),
                               right_wheel_radius=RADIUS * (1 - perturbation))),
                world.build if world else None)


def shadow_twin(world=None) -> ShadowTwin:
    """Return a shadow of the nominal model (another seed: its noise is its own)."""
    return ShadowTwin(TwinConfig(robot=ROBOT, seed=1, spawn=world.spawn if world else Pose()),
                      build_world=world.build if world else None)


def fault(kind: str, wheel: str, **params) -> list:
    """Return one fault starting now and lasting beyond any test."""
    return parse_faults({'faults': [{'kind': kind, 'wheel': wheel, 'start': 0.0,
                                     'duration': 1000.0, **params}]}, 'test fault')


def run(robot: Twin, shadow: ShadowTwin, seconds: float, drive=command,
        latency: float = 0.0) -> None:
    """
    Drive the robot; feed the shadow what a robot publishes, stamped with its time.

    :param drive: the controller: (linear, angular) at a robot time
    :param latency: the commands reach the robot's motors this much after their stamps, s
    """
    late = []   # (robot time ns when due, linear, angular)
    for _ in range(round(seconds / robot.config.physics.step)):
        step = robot.steps
        if step % COMMAND_PERIOD == 0:
            linear, angular = drive(robot.time)
            late.append((robot.time_ns + round(latency * 1e9), linear, angular))
            shadow.on_command(robot.time_ns, linear, angular)
        while late and late[0][0] <= robot.time_ns:
            robot.set_command(*late.pop(0)[1:])
        readings = robot.step()
        stamp = readings.time_ns
        if readings.odometry is not None:
            odometry = readings.odometry
            shadow.on_odometry(stamp, odometry.x, odometry.y, odometry.yaw, odometry.linear,
                               odometry.angular)
            shadow.on_wheels(stamp, *robot.robots[0].wheel_joint_states()[1])
        if readings.imu is not None:
            shadow.on_imu(stamp, float(readings.imu.angular_velocity[2]),
                          float(readings.imu.linear_acceleration[0]))
        if readings.scan is not None:
            shadow.on_scan(stamp, readings.scan.ranges)


def record(robot: Twin, path: Path, seconds: float, onset: float, faults: list,
           live) -> None:
    """
    Drive the robot, hand each message to ``live`` and write it to an MCAP recording.

    :param onset: when the faults start, s of robot time
    :param live: called with (topic, message), as the live node's subscriptions would
    """
    from geometry_msgs.msg import Twist
    from rclpy.serialization import serialize_message
    from sensor_msgs.msg import LaserScan
    from twin_analysis.recording import RecordingWriter, TOPICS
    from twin_bridge import conversions

    writer = RecordingWriter(path)
    channels = {topic: writer.add_channel(f'/{topic}', TOPICS[topic])
                for topic in ('cmd_vel', 'odom', 'joint_states', 'imu', 'scan')}

    def publish(topic, msg, stamp_ns):
        live(topic, msg)
        writer.write(channels[topic], stamp_ns, serialize_message(msg))

    def stamped(msg, stamp_ns):
        msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
        return msg

    for _ in range(round(seconds / robot.config.physics.step)):
        if faults and robot.time >= onset:
            robot.inject_faults(faults)
            faults = []
        if robot.steps % COMMAND_PERIOD == 0:
            twist = Twist()
            twist.linear.x, twist.angular.z = command(robot.time)
            robot.set_command(twist.linear.x, twist.angular.z)
            publish('cmd_vel', twist, robot.time_ns)
        readings = robot.step()
        stamp = readings.time_ns
        if readings.odometry is not None:
            publish('odom', conversions.odometry(readings.odometry, 'odom', 'base_footprint',
                                                 stamp), stamp)
            positions, velocities = robot.robots[0].wheel_joint_states()
            publish('joint_states', conversions.joint_state(
                ['wheel_left_joint', 'wheel_right_joint'], positions, velocities, stamp), stamp)
        if readings.imu is not None:
            publish('imu', conversions.imu(readings.imu, 'imu_link', stamp), stamp)
        if readings.scan is not None:
            msg = stamped(LaserScan(), readings.scan.time_ns)
            msg.ranges = readings.scan.ranges.astype(float).tolist()
            publish('scan', msg, readings.scan.time_ns)
    writer.close({'sim_seconds': seconds, 'robot_file': ROBOT})
