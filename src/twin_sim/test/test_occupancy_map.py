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

"""Worlds from Nav2 maps: read as map_server reads them, built exactly, scanned truly."""

import math
from pathlib import Path

import numpy as np
from PIL import Image
import pybullet
import pytest
from twin_sim import DescriptionError, load_world, Pose, World
from twin_sim.occupancy_map import free_spawn, MapGrid, read_map, rectangles

WORLDS = Path(__file__).resolve().parents[3] / 'worlds'
THRESHOLDS = 'occupied_thresh: 0.65\nfree_thresh: 0.196\n'


def write_map(folder: Path, pixels, origin=(0.0, 0.0, 0.0), negate=0, mode='trinary',
              resolution=0.05, suffix='pgm', name='map') -> Path:
    """Write an image (rows top first, as in the file) and its Nav2 map YAML; return the YAML."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    Image.fromarray(pixels).save(folder / f'{name}.{suffix}')
    path = folder / f'{name}.yaml'
    path.write_text(f'image: {name}.{suffix}\nmode: {mode}\nresolution: {resolution}\n'
                    f'origin: [{origin[0]}, {origin[1]}, {origin[2]}]\nnegate: {negate}\n'
                    + THRESHOLDS)
    return path


# Expected cells worked out by hand from nav2_map_server's map_io.cpp (loadMapFromFile), with
# occupied_thresh 0.65 and free_thresh 0.196: shade = mean of the channels / 255 (alpha
# averaged in only in trinary mode), occ = 1 - shade (shade if negate); trinary: occ > 0.65 ->
# 100, occ < 0.196 -> 0, else -1; scale: not opaque -> -1, then as trinary but in between
# rint((occ - 0.196) / 0.454 * 100); raw: round(shade * 255) if in 0..100 else -1, no negate.
THRESHOLD_TABLE = [
    # mode, negate, (grey, alpha or None), expected cell
    ('trinary', 0, (0, None), 100),
    ('trinary', 0, (254, None), 0),
    ('trinary', 0, (205, None), -1),     # occ 0.19608 is not < 0.196: map_saver's unknown grey
    ('trinary', 0, (206, None), 0),      # occ 0.19216
    ('trinary', 0, (89, None), 100),     # occ 0.65098
    ('trinary', 0, (90, None), -1),      # occ 0.64706
    ('trinary', 1, (0, None), 0),
    ('trinary', 1, (255, None), 100),
    ('trinary', 1, (128, None), -1),
    ('trinary', 0, (0, 255), 100),
    ('trinary', 0, (254, 0), -1),        # shade (3 * 254 + 0) / 4 / 255 = 0.747: occ 0.253
    ('trinary', 0, (0, 0), 100),
    ('scale', 0, (128, None), 67),       # occ 0.49804 -> rint(66.53)
    ('scale', 0, (200, None), 4),        # occ 0.21569 -> rint(4.34)
    ('scale', 0, (0, None), 100),
    ('scale', 0, (254, None), 0),
    ('scale', 0, (128, 254), -1),        # not opaque
    ('scale', 1, (128, None), 67),       # occ 0.50196 -> rint(67.39)
    ('raw', 0, (0, None), 0),
    ('raw', 0, (50, None), 50),
    ('raw', 0, (100, None), 100),
    ('raw', 0, (101, None), -1),
    ('raw', 1, (100, None), 100),        # raw ignores negate
    ('raw', 0, (255, None), -1),
]


@pytest.mark.parametrize('mode, negate, pixel, expected', THRESHOLD_TABLE)
def test_thresholds_behave_as_map_server(tmp_path, mode, negate, pixel, expected):
    grey, alpha = pixel
    pixels = np.full((2, 3), grey) if alpha is None else np.dstack(
        (np.full((2, 3), grey), np.full((2, 3), alpha)))
    grid = read_map(write_map(tmp_path, pixels, negate=negate, mode=mode,
                              suffix='pgm' if alpha is None else 'png'))
    assert grid.cells.dtype == np.int8
    assert (grid.cells == expected).all(), grid.cells


def test_image_rows_are_flipped_so_row_zero_is_the_bottom(tmp_path):
    pixels = np.full((4, 5), 254)
    pixels[0, 0] = 0    # the image's top-left pixel: the grid's last row
    grid = read_map(write_map(tmp_path, pixels))
    assert grid.cells[3, 0] == 100 and (grid.cells == 100).sum() == 1


@pytest.mark.parametrize('yaml_text, message', [
    ('image: m.pgm\nresolution: 0.05\n', 'missing key'),
    ('image: m.pgm\nresolution: -1\norigin: [0, 0, 0]\nnegate: 0\n' + THRESHOLDS,
     'resolution'),
    ('image: m.pgm\nresolution: 0.05\norigin: [0, 0]\nnegate: 0\n' + THRESHOLDS, 'origin'),
    ('image: m.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\nmode: fuzzy\n' +
     THRESHOLDS, 'mode'),
    ('image: gone.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\n' + THRESHOLDS,
     'not found'),
    ('image: m.yaml\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\n' + THRESHOLDS,
     'cannot be read'),
])
def test_bad_map_files_name_the_file_and_the_key(tmp_path, yaml_text, message):
    path = tmp_path / 'm.yaml'
    path.write_text(yaml_text)
    with pytest.raises(DescriptionError, match=message) as error:
        load_world(path)
    assert str(error.value).startswith(str(path))


def test_rectangles_cover_the_mask_exactly_and_merge_walls():
    rng = np.random.default_rng(3)
    mask = rng.random((60, 70)) < 0.3
    mask[10:12, 5:65] = True            # a wall
    cover = np.zeros(mask.shape, dtype=int)
    for row, column, rows, columns in rectangles(mask):
        cover[row:row + rows, column:column + columns] += 1
    assert (cover == mask).all()        # every cell once, nothing else
    walls = np.zeros((400, 400), dtype=bool)
    walls[[0, -1], :] = walls[:, [0, -1]] = True
    walls[200:203, :] = True
    assert len(rectangles(walls)) <= 6


def rasterise(world: World, grid: MapGrid, oversample: int) -> tuple[np.ndarray, np.ndarray]:
    """Cast vertical rays on a lattice over the map; return hits and the points hit (map frame)."""
    rows, columns = grid.cells.shape
    v, u = np.meshgrid((np.arange(rows * oversample) + 0.5) / oversample - 0.5,
                       (np.arange(columns * oversample) + 0.5) / oversample - 0.5,
                       indexing='ij')
    x, y = grid.to_map(v.ravel(), u.ravel())
    tops = np.column_stack((x, y, np.full(x.size, 2.0)))
    bottoms = np.column_stack((x, y, np.full(x.size, 0.05)))
    chunks = range(0, len(tops), 8000)
    hit = np.concatenate([[h[0] >= 0 for h in world.call(
        pybullet.rayTestBatch, tops[i:i + 8000], bottoms[i:i + 8000])] for i in chunks])
    return hit.reshape(v.shape), np.column_stack((x, y))[hit]


def test_the_shipped_flat_is_a_world_with_its_spawn_free(make_twin):
    world = load_world(WORLDS / 'flat.yaml')
    twin = make_twin(build_world=world.build, spawn=Pose())
    twin.run(1.0)
    assert np.linalg.norm(twin.ground_truth().position[:2]) < 0.01
    lidar_x = twin.robot.link_pose(twin.lidar.link)[0][0]
    assert twin.lidar.scan().ranges[0] == pytest.approx(0.5 - lidar_x, abs=0.01)  # east wall
    assert len(twin.world.bodies) <= 5 and world.grid is not None


@pytest.mark.parametrize('origin, negate', [
    ((0.0, 0.0, 0.0), 0), ((-3.2, 1.7, 0.6), 0), ((1.1, -2.3, -2.0), 1)])
def test_built_world_rasterised_back_matches_the_map(tmp_path, origin, negate):
    rng = np.random.default_rng(7)
    occupied = np.zeros((80, 100), dtype=bool)
    occupied[[0, -1], :] = occupied[:, [0, -1]] = True
    occupied[30:33, 10:70] = True
    occupied[50:75, 60] = True
    for _ in range(25):
        row, column = rng.integers(3, 75), rng.integers(3, 95)
        occupied[row:row + rng.integers(1, 5), column:column + rng.integers(1, 5)] = True
    occupied[5:8, 5:9] = True   # a block near the corner: the origin's landmark
    pixels = np.where(occupied, 255, 0) if negate else np.where(occupied, 0, 254)
    grid = read_map(write_map(tmp_path, pixels, origin=origin, negate=negate))
    assert ((grid.cells == 100) == occupied[::-1]).all()
    world = World()
    try:
        load_world(tmp_path / 'map.yaml').build(world)
        assert len(world.bodies) == 2   # the ground and one compound body of walls
        fine, hits = rasterise(world, grid, oversample=1)
        expected = grid.cells == 100
        iou = (fine & expected).sum() / (fine | expected).sum()
        assert iou >= 0.99
        # The origin: the centroid of the walls, sampled at quarter cells, where the map puts it.
        _, hits = rasterise(world, grid, oversample=4)
        rows, columns = np.nonzero(expected)
        x, y = grid.to_map(rows, columns)
        assert np.hypot(*(hits.mean(axis=0) - (x.mean(), y.mean()))) <= grid.resolution / 2
    finally:
        world.close()


def grid_ray_cast(grid: MapGrid, x: float, y: float, angles: np.ndarray,
                  range_max: float) -> np.ndarray:
    """March rays through the grid in tenth-cell steps; return the range to the first wall."""
    steps = np.arange(0.0, range_max, grid.resolution / 10)
    xs = x + np.outer(np.cos(angles), steps)
    ys = y + np.outer(np.sin(angles), steps)
    rows, columns = grid.to_cell(xs, ys)
    inside = (rows >= 0) & (rows < grid.cells.shape[0]) & (columns >= 0) & \
        (columns < grid.cells.shape[1])
    wall = np.zeros(xs.shape, dtype=bool)
    wall[inside] = grid.cells[rows[inside], columns[inside]] == 100
    first = np.where(wall.any(axis=1), wall.argmax(axis=1), -1)
    return np.where(first >= 0, steps[first], np.inf)


def test_a_twin_scan_matches_a_ray_cast_through_the_grid(make_twin):
    world = load_world(WORLDS / 'flat.yaml')
    spawn = Pose(x=-2.0, y=0.3, yaw=0.4)
    twin = make_twin(build_world=world.build, spawn=spawn)
    twin.run(0.5)
    scan = twin.lidar.scan().ranges
    position, orientation = twin.robot.link_pose(twin.lidar.link)
    heading = pybullet.getEulerFromQuaternion(orientation)[2]
    expected = grid_ray_cast(world.grid, position[0], position[1],
                             heading + twin.lidar.angles, twin.lidar.config.range_max)
    both = np.isfinite(scan) & np.isfinite(expected)
    assert both.sum() > 200
    assert np.median(np.abs(scan[both] - expected[both])) <= world.grid.resolution
    assert (np.isfinite(scan) == np.isfinite(expected)).mean() > 0.95


def test_free_spawn_keeps_its_clearance_and_its_seed():
    grid = read_map(WORLDS / 'flat.yaml')
    poses = [free_spawn(grid, 0.4, np.random.default_rng(seed)) for seed in range(20)]
    assert poses[3] == free_spawn(grid, 0.4, np.random.default_rng(3))
    rows, columns = np.nonzero(grid.cells != 0)
    x, y = grid.to_map(rows, columns)
    for pose_x, pose_y, yaw in poses:
        # to the nearest non-free cell's edge: its centre less half a cell
        assert np.hypot(x - pose_x, y - pose_y).min() - grid.resolution / 2 >= 0.4 - 1e-9
        assert -math.pi <= yaw <= math.pi
    assert len(set(poses)) > 15
    with pytest.raises(ValueError, match='lower the clearance'):
        free_spawn(grid, 5.0, np.random.default_rng(0))


def test_a_world_file_combines_a_map_with_objects_and_a_drawn_spawn(tmp_path):
    path = tmp_path / 'mapped.yaml'
    path.write_text(f'map: {{file: {WORLDS / "flat.yaml"}, height: 0.8, unknown: wall}}\n'
                    'spawn: {random: {clearance: 0.5, seed: 4}}\n'
                    'objects:\n  - box: {name: crate, size: [0.3, 0.3, 0.3], '
                    'pose: {x: -3, y: 0, z: 0.15}}\n')
    described = load_world(path)
    assert described.spawn == load_world(path).spawn   # seeded
    world = World()
    try:
        described.build(world)
        assert {'ground', 'map_0', 'crate'} <= set(world.bodies)
        top = world.call(pybullet.getAABB, world.bodies['map_0'])[1][2]
        assert top == pytest.approx(0.8, abs=0.05)
    finally:
        world.close()
    cell = described.grid.to_cell(described.spawn.x, described.spawn.y)
    assert described.grid.cells[cell] == 0


def test_the_robot_stops_at_a_map_wall_and_backs_away(make_twin):
    world = load_world(WORLDS / 'flat.yaml')
    twin = make_twin(build_world=world.build, spawn=Pose(y=0.3))
    twin.set_command(0.22, 0.0)     # at the wall between living room and kitchen, x 0.5 m
    twin.run(6.0)
    # The robot's front is 0.038 m ahead of base_footprint: it touches the wall, no further.
    assert twin.ground_truth().position[0] == pytest.approx(0.5 - 0.038, abs=0.01)
    twin.set_command(-0.22, 0.0)
    twin.run(2.0)
    assert twin.ground_truth().position[0] < 0.1


def test_many_boxes_are_split_over_mesh_bodies_and_all_stand(monkeypatch):
    monkeypatch.setattr('twin_sim.world.BOXES_PER_BODY', 5)
    centres = np.array([[i * 0.5, (i % 3) * 0.5, 0.25] for i in range(12)])
    sizes = np.full((12, 3), 0.2) + [0.0, 0.0, 0.3]
    world = World()
    try:
        names = world.add_static_boxes('walls', centres, sizes, Pose(x=1.0, yaw=math.pi / 2))
        assert names == ['walls_0', 'walls_1', 'walls_2']
        # In the world, box (x, y) stands at (1 - y, x): the pose turned it a quarter.
        tops = [[1.0 - y, x, 1.0] for x, y, _ in centres]
        hits = world.call(pybullet.rayTestBatch, tops, [[x, y, 0.0] for x, y, _ in tops])
        assert [hit[3][2] for hit in hits] == pytest.approx([0.5] * 12, abs=1e-6)
    finally:
        world.close()
