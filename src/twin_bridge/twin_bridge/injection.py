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
The node's topics for injected faults and per-episode variations (docs/models.md).

* ``sim/inject_faults`` (std_msgs/String, in): a fault document in the fault file's YAML;
  its start times count from its arrival (``start: 0`` is now).
* ``sim/faults`` (std_msgs/String, latched): the active faults of every robot, as YAML,
  republished whenever they change.
* ``sim/variation`` (std_msgs/String, latched): the seed, the episode and every varied
  quantity's value, as YAML, republished at every reset.

Both also show in ``/diagnostics``, so a recording of either re-creates the run.
"""

from dataclasses import replace

import numpy as np
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import String
from twin_bridge import fault_injection
from twin_bridge.parameters import PARAMETERS
from twin_bridge.robot_drivers import reported
from twin_sim import Twin, TwinConfig
from twin_sim.faults import FaultError, load_faults, parse_faults
from twin_sim.variations import config_quantities, load_variations
import yaml

LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
INJECT_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


def with_faults_and_variations(config: TwinConfig, faults_file: str,
                               variations_file: str) -> TwinConfig:
    """
    Return ``config`` with the faults and variations of the given files (empty: none).

    :raises ValueError: a file is missing or wrong; the message names the file, entry and key
    """
    faults = tuple(load_faults(faults_file)) if faults_file else ()
    variations = (load_variations(variations_file, varied_parameters(config))
                  if variations_file else None)
    return replace(config, faults=faults, variations=variations)


def varied_parameters(config: TwinConfig) -> dict[str, str]:
    """Return the parameters a variation file may name: their paths in TwinConfig."""
    paths = set(config_quantities(config).values())
    return {param.name: param.target.partition('.')[2] for param in PARAMETERS
            if param.target.partition('.')[2] in paths and param.target.startswith('twin.')}


class FaultsAndVariations:
    """The node's fault and variation topics; the node calls it after steps and resets."""

    def __init__(self, node):
        """Create the topics on ``node`` (a BridgeNode: it has twin, drivers and sim_ns)."""
        self.node = node
        self.stalled = False
        self.real_clock_pub = node.clock_pub
        self.faults_pub = node.create_publisher(String, 'sim/faults', LATCHED)
        self.variation_pub = node.create_publisher(String, 'sim/variation', LATCHED)
        node.create_subscription(String, 'sim/inject_faults', self.on_inject, INJECT_QOS)
        self.drop_rng = np.random.default_rng([node.twin.config.seed, 1 << 16])
        self.after_step(force=True)
        self.after_reset()

    @property
    def twin(self) -> Twin:
        """Return the node's twin."""
        return self.node.twin

    def after_step(self, force: bool = False) -> None:
        """Follow the robots' active faults when they changed; publish them if so."""
        changed = [drivers.follow_faults() for drivers in self.node.drivers]
        if not (any(changed) or force):
            return
        faults = [fault for robot in self.twin.robots for fault in robot.bridge_faults]
        self.stalled = fault_injection.stalled(faults)
        drop = fault_injection.dropped_topics(faults).get('clock')
        self.node.clock_pub = self.real_clock_pub if drop is None else \
            fault_injection.DroppingPublisher(self.real_clock_pub, drop, self.drop_rng)
        self.faults_pub.publish(String(data=fault_injection.as_yaml(
            {d.name: d.robot.active_faults for d in self.node.drivers}, self.node.sim_ns)))

    def after_reset(self) -> None:
        """Publish the episode's variation, and follow the faults of the new start."""
        twin = self.twin
        self.variation_pub.publish(String(data=yaml.safe_dump(
            {'seed': twin.config.seed, 'episode': twin.episode,
             'values': {key: _plain(value) for key, value in twin.variation.items()}},
            sort_keys=False)))
        self.after_step(force=True)

    @reported
    def on_inject(self, msg: String) -> None:
        """Inject the faults of a fault document, counted from now."""
        try:
            faults = parse_faults(yaml.safe_load(msg.data), 'sim/inject_faults')
        except (FaultError, yaml.YAMLError) as error:
            self.node.get_logger().warn(f'faults not injected: {error}')
            return
        self.twin.inject_faults(faults)
        self.after_step()
        self.node.get_logger().info(f'injected: {fault_injection.describe(faults)}')

    def diagnostic_values(self) -> dict:
        """Return the episode and the varied quantities' values, for the simulation status."""
        values = {'episode': str(self.twin.episode)}
        values.update({f'variation.{key}': f'{value:.6g}'
                       for key, value in self.twin.variation.items()})
        return values


def _plain(value):
    """Return a number as a plain Python number (YAML writes numpy scalars oddly)."""
    return value if isinstance(value, int) else float(value)
