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
How fast a large Nav2 map becomes a world: ``python -m twin_sim.map_benchmark --size 4000``.

Draws a square office floor (rooms with doorways, round pillars and furniture, slanted walls)
as map_saver would write it, then times reading it, merging its walls and building the world.
A benchmark, not a test: it prints figures and asserts nothing about time.
"""

import argparse
from pathlib import Path
import tempfile
import time

import numpy as np
import pybullet
from twin_sim.occupancy_map import obstacle_boxes, OCCUPIED
from twin_sim.world import World
from twin_sim.worlds import load_world

ROOM_CELLS, WALL_CELLS, DOOR_CELLS = 80, 3, 18


def office(size: int, seed: int = 0) -> np.ndarray:
    """Return a size x size map image of an office floor (0 occupied, 254 free, 205 unknown)."""
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(seed)
    image = Image.new('L', (size, size), 254)
    draw = ImageDraw.Draw(image)
    for start in range(0, size, ROOM_CELLS):
        draw.rectangle((start, 0, start + WALL_CELLS - 1, size - 1), fill=0)
        draw.rectangle((0, start, size - 1, start + WALL_CELLS - 1), fill=0)
    for row in range(0, size, ROOM_CELLS):
        for column in range(0, size, ROOM_CELLS):
            door = rng.integers(WALL_CELLS + 5, ROOM_CELLS - DOOR_CELLS - 5)
            draw.rectangle((column + door, row, column + door + DOOR_CELLS, row + WALL_CELLS),
                           fill=254)
            draw.rectangle((column, row + door, column + WALL_CELLS, row + door + DOOR_CELLS),
                           fill=254)
            x, y = column + rng.integers(15, 60), row + rng.integers(15, 60)
            if rng.random() < 0.5:
                draw.ellipse((x, y, x + 8, y + 8), fill=0)               # a pillar
            else:
                draw.rectangle((x, y, x + 20, y + 10), fill=0)           # a desk
            if rng.random() < 0.1:
                draw.line((column + 10, row + 10, column + 40, row + 40), fill=0, width=2)
    draw.rectangle((0, 0, size - 1, size - 1), outline=205, width=2)      # unmapped rim
    return np.asarray(image)


def main(argv=None) -> None:
    """Draw the map, load it as a world, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--size', type=int, default=4000, help='map edge, cells')
    parser.add_argument('--resolution', type=float, default=0.05, help='m per cell')
    options = parser.parse_args(argv)
    from PIL import Image
    with tempfile.TemporaryDirectory() as folder:
        Image.fromarray(office(options.size)).save(Path(folder) / 'office.pgm')
        path = Path(folder) / 'office.yaml'
        path.write_text(f'image: office.pgm\nresolution: {options.resolution}\n'
                        'origin: [0.0, 0.0, 0.0]\nnegate: 0\noccupied_thresh: 0.65\n'
                        'free_thresh: 0.196\n')
        start = time.perf_counter()
        description = load_world(path)
        loaded = time.perf_counter()
        world = World()
        try:
            description.build(world)
            built = time.perf_counter()
            bodies = len(world.bodies)
            scan_ms = _scan_time_ms(world, description.grid)
        finally:
            world.close()
    occupied = int((description.grid.cells == OCCUPIED).sum())
    boxes = len(obstacle_boxes(description.grid, 0.5, unknown_is_wall=False)[0])
    print(f'map {options.size} x {options.size} cells ({occupied} occupied): read and merged '
          f'in {loaded - start:.2f} s, world built in {built - loaded:.2f} s, total '
          f'{built - start:.2f} s; {boxes} boxes in {bodies} bodies (ground included); one '
          f'360-beam scan of 3.5 m: {scan_ms:.2f} ms (median of 100 free poses)')


def _scan_time_ms(world: World, grid, beams: int = 360, reach: float = 3.5) -> float:
    """Return the median wall time of one LIDAR-like ray batch from free places, ms."""
    rng = np.random.default_rng(1)
    angles = np.linspace(0.0, 2.0 * np.pi, beams, endpoint=False)
    rows, columns = np.nonzero(grid.cells == 0)
    times = []
    for pick in rng.integers(rows.size, size=100):
        x, y = grid.to_map(rows[pick], columns[pick])
        origin = [float(x), float(y), 0.17]
        ends = np.column_stack((x + reach * np.cos(angles), y + reach * np.sin(angles),
                                np.full(beams, 0.17))).tolist()
        start = time.perf_counter()
        world.call(pybullet.rayTestBatch, [origin] * beams, ends)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


if __name__ == '__main__':
    main()
