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

"""World files: the shipped worlds load, and malformed ones say where and what (DIRECT)."""

from pathlib import Path

import numpy as np
import pytest
from twin_sim import DescriptionError, load_world, Pose, World

WORLDS = Path(__file__).resolve().parents[3] / 'worlds'


@pytest.mark.parametrize('name', sorted(path.stem for path in WORLDS.glob('*.yaml')))
def test_every_shipped_world_loads_and_the_robot_fits_at_its_spawn(make_twin, name):
    world = load_world(WORLDS / f'{name}.yaml')
    spawn = world.spawn or Pose()   # a map world starts at the bridge's spawn, (0, 0)
    twin = make_twin(build_world=world.build, spawn=spawn)
    twin.run(1.0)
    assert np.linalg.norm(twin.ground_truth().position[:2] -
                          [spawn.x, spawn.y]) < 0.01  # nothing pushed it
    ranges = twin.lidar.scan().ranges
    assert name == 'empty' or np.isfinite(ranges).any()


def test_arena_has_a_hexagon_and_nine_pillars():
    world = World()
    try:
        load_world(WORLDS / 'arena.yaml').build(world)
        assert sum(name.startswith('wall_') for name in world.bodies) == 6
        assert sum(name.startswith('pillar_') for name in world.bodies) == 9
    finally:
        world.close()


# Each row a way a world file can be wrong, hostile ones included (issue 13 item 5).
@pytest.mark.parametrize('text, message', [
    ('objects: [', 'not valid YAML'),
    ('spawn: {x: 1, heading: 2}', 'spawn: unknown key'),
    ('objects:\n  - sphere: {name: s}', r'objects\[0\]: expected one of box'),
    ('objects:\n  - box: {size: [1, 1, 1]}', 'every object needs a name'),
    ('objects:\n  - box: {name: b, sise: [1, 1, 1]}', r'objects\[0\] \(box\): unknown key'),
    ('objects:\n  - box: {name: b, size: [1, 1]}', 'size: expected a list of 3 numbers'),
    ('objects:\n  - wall: {name: w, from: [0, 0], to: [0, 0]}', 'the same point'),
    ('objects:\n  - cylinder: {name: c, radius: .nan, height: 1}', 'finite number'),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80', 'not a text file'),
    ('', 'the file is empty'),
    ('# nothing but a comment\n', 'the file is empty'),
    ('objects: ' + '[' * 3000 + ']' * 3000, 'nested too deeply'),
    ('- box: {name: b}', 'expected a mapping'),
    ('objects:\n  - box: {name: b, size: [1, -1, 1]}', r"'b'.size: expected a size > 0"),
    ('objects:\n  - box: {name: b, size: [1, 1, 1], mass: -2}', r"'b'.mass: expected a value"),
    ('objects:\n  - cylinder: {name: c, radius: -0.1, height: 1}',
     r"'c'.radius: expected a size > 0"),
    ('objects:\n  - cylinder: {name: c, radius: 0.1, height: 0}', r"'c'.height"),
    ('objects:\n  - wall: {name: w, from: [0, 0], to: [1, 0], thickness: -0.1}',
     r"'w'.thickness"),
    ('objects:\n  - box: {name: b, size: [1, 1, 1], friction: -1}', r"'b'.friction"),
    ('objects: {name: b}', 'objects: expected a list'),
    ('spawn: {random: {clearance: 0.3}}', 'spawn.random: needs a map'),
    (f'map: {{file: {WORLDS / "flat.yaml"}, unknown: maybe}}', 'map.unknown'),
    (f'map: {{file: {WORLDS / "flat.yaml"}, height: -1}}', 'map.height'),
    ('map: {file: nowhere.yaml}', r'map.file: .*nowhere.yaml: map YAML not found'),
])
def test_malformed_world_files_name_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / 'bad.yaml'
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(DescriptionError, match=message) as error:
        load_world(path)
    assert str(error.value).startswith(str(path))


def test_missing_world_file(tmp_path):
    with pytest.raises(DescriptionError, match='world file not found'):
        load_world(tmp_path / 'nowhere.yaml')


def test_clearance_probe_measures_the_gap_to_the_nearest_obstacle(tmp_path, robot_xacro):
    from twin_sim.evaluation import ClearanceProbe
    path = tmp_path / 'one_wall.yaml'
    path.write_text('objects:\n  - wall: {name: w, from: [1, -1], to: [1, 1], thickness: 0.1}\n')
    probe = ClearanceProbe(path, robot_xacro)
    try:
        # The robot's front is 0.038 m ahead of base_footprint; the wall's face is at x 0.95.
        assert probe.at(0.0, 0.0, 0.0) == pytest.approx(0.95 - 0.038, abs=0.005)
        assert probe.at(0.9, 0.0, 0.0) == pytest.approx(0.012, abs=0.002)
        assert probe.at(1.0, 0.0, 0.0) < 0.001          # into the wall: contact
        assert probe.along([(0.0, 0.0, 0.0), (0.5, 0.0, 0.0)]) == pytest.approx(0.412,
                                                                                abs=0.005)
    finally:
        probe.close()


def test_occupancy_map_marks_walls_and_leaves_the_floor_free():
    from twin_sim.evaluation import occupancy_map
    grid = occupancy_map(WORLDS / 'room.yaml', resolution=0.05)
    x_min, x_max, y_min, y_max = grid.extent
    assert x_min < -2.0 and x_max > 2.0 and y_min < -1.5 and y_max > 1.5

    def occupied(x, y):
        return grid.occupied[int((y - grid.y_min) / grid.resolution),
                             int((x - grid.x_min) / grid.resolution)]
    assert occupied(2.0, 0.0) and occupied(0.0, -1.5)      # on the east and south walls
    assert not occupied(0.0, 0.0) and not occupied(1.5, 1.0)   # inside the room
