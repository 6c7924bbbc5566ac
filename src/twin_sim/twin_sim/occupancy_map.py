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
Nav2 maps (``map.yaml`` + image): read as nav2_map_server reads them, walls, free spawns.

The grid follows ``nav_msgs/OccupancyGrid``: ``cells[row, column]``, row 0 at the image's
bottom edge, 0 free, 100 occupied, -1 unknown, values between in ``scale`` and ``raw`` modes.
Cell (row, column) covers ``[column, column + 1) x [row, row + 1)`` times ``resolution`` in the
frame of ``origin`` (x, y, yaw: the pose of the lower-left corner in the map frame).
"""

from dataclasses import dataclass
import math
from pathlib import Path

import numpy as np
from twin_sim.description import DescriptionError
import yaml

OCCUPIED, FREE, UNKNOWN = 100, 0, -1
MAP_MODES = ('trinary', 'scale', 'raw')
REQUIRED_KEYS = ('image', 'resolution', 'origin', 'occupied_thresh', 'free_thresh', 'negate')


@dataclass(frozen=True)
class MapGrid:
    """
    An occupancy grid in the map frame.

    :param cells: int8 values, ``cells[row, column]``, row 0 at the bottom (as nav_msgs)
    :param resolution: cell edge, m
    :param origin: (x, y, yaw) of the grid's lower-left corner in the map frame, m and rad
    :param source: the file it was read from, for messages
    """

    cells: np.ndarray
    resolution: float
    origin: tuple[float, float, float]
    source: str = '<grid>'

    def to_map(self, rows, columns) -> tuple[np.ndarray, np.ndarray]:
        """Return the map-frame (x, y) of cell centres, m; arguments broadcast as numpy's."""
        u = (np.asarray(columns) + 0.5) * self.resolution
        v = (np.asarray(rows) + 0.5) * self.resolution
        x0, y0, yaw = self.origin
        return (x0 + u * math.cos(yaw) - v * math.sin(yaw),
                y0 + u * math.sin(yaw) + v * math.cos(yaw))

    def to_cell(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, column) of the cells holding map-frame points (may lie outside)."""
        x0, y0, yaw = self.origin
        dx, dy = np.asarray(x) - x0, np.asarray(y) - y0
        u = dx * math.cos(yaw) + dy * math.sin(yaw)
        v = -dx * math.sin(yaw) + dy * math.cos(yaw)
        return (np.floor(v / self.resolution).astype(int),
                np.floor(u / self.resolution).astype(int))


def is_map_yaml(data) -> bool:
    """Tell a Nav2 map YAML (it has ``image`` and ``resolution``) from a world file."""
    return isinstance(data, dict) and 'image' in data and 'resolution' in data


def read_map(path: str | Path, data: dict | None = None) -> MapGrid:
    """
    Read a Nav2 map YAML and its image exactly as nav2_map_server's ``map_io`` does.

    :param path: the map YAML; a relative ``image`` is relative to its folder
    :param data: the YAML already parsed, if the caller has it
    :raises DescriptionError: naming the file and the key that is missing or wrong
    """
    path = Path(path)
    if data is None:
        if not path.is_file():
            raise DescriptionError(f'{path}: map YAML not found')
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise DescriptionError(f'{path}: cannot read the map YAML: {error}') from None
    settings = _map_settings(path, data)
    pixels, alpha = _read_image(path, settings['image'])
    options = {key: settings[key] for key in ('mode', 'negate', 'occupied_thresh', 'free_thresh')}
    if pixels.dtype == np.uint8:   # grey: threshold each of the 256 values once, then look up
        cells = pixels_to_cells(np.arange(256) / 255.0, None, **options)[pixels]
    else:
        cells = pixels_to_cells(pixels, alpha, **options)
    # Image rows run top down; grid rows bottom up (map_io's height - y - 1).
    return MapGrid(cells[::-1], settings['resolution'], settings['origin'], str(path))


def _map_settings(path: Path, data) -> dict:
    """Check the keys map_io reads (others it ignores, and so does this); return them."""
    def fail(problem: str):
        raise DescriptionError(f'{path}: {problem} (a Nav2 map YAML, as map_saver writes it)')

    if not isinstance(data, dict):
        fail(f'expected a mapping, got {data!r}')
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        fail(f'missing key(s) {", ".join(missing)}')
    for key in ('resolution', 'occupied_thresh', 'free_thresh'):
        if not _finite(data[key]):
            fail(f'{key}: expected a finite number, got {data[key]!r}')
    if data['resolution'] <= 0.0:
        fail(f'resolution: expected a cell size > 0 m, got {data["resolution"]!r}')
    origin = data['origin']
    if not isinstance(origin, list) or len(origin) != 3 or not all(map(_finite, origin)):
        fail(f'origin: expected [x, y, yaw], got {origin!r}')
    mode = data.get('mode', 'trinary')
    if mode not in MAP_MODES:
        fail(f'mode: expected one of {", ".join(MAP_MODES)}, got {mode!r}')
    if not isinstance(data['negate'], int):   # map_io reads an int, or else a bool
        fail(f'negate: expected 0 or 1, got {data["negate"]!r}')
    if not isinstance(data['image'], str) or not data['image']:
        fail(f'image: expected the image file name, got {data["image"]!r}')
    return {'resolution': float(data['resolution']), 'origin': tuple(map(float, origin)),
            'occupied_thresh': float(data['occupied_thresh']),
            'free_thresh': float(data['free_thresh']), 'mode': mode,
            'negate': bool(data['negate']), 'image': path.parent / data['image']}


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _read_image(path: Path, image: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """
    Return the image's pixels and alpha, rows top first.

    :return: uint8 grey values (as map_saver writes), or else colour channels 0..1 in the
        last axis; alpha 0..1, or None
    """
    from PIL import Image, UnidentifiedImageError  # only map worlds need it
    try:
        with Image.open(image) as picture:
            picture.load()
    except FileNotFoundError:
        raise DescriptionError(f'{path}: image {str(image)!r} not found') from None
    except (OSError, UnidentifiedImageError) as error:
        raise DescriptionError(f'{path}: image {str(image)!r} cannot be read: {error}') \
            from None
    if picture.mode in ('L', '1'):
        return np.asarray(picture.convert('L')), None
    if picture.mode in ('I;16', 'I;16B', 'I'):
        return np.asarray(picture, dtype=float)[..., np.newaxis] / 65535.0, None
    has_alpha = 'A' in picture.getbands() or 'transparency' in picture.info
    channels = np.asarray(picture.convert('RGBA' if has_alpha else 'RGB'), dtype=float) / 255.0
    return channels[..., :3], (channels[..., 3] if has_alpha else None)


def pixels_to_cells(channels: np.ndarray, alpha: np.ndarray | None, mode: str, negate: bool,
                    occupied_thresh: float, free_thresh: float) -> np.ndarray:
    """
    Threshold pixels into grid values, as nav2_map_server's ``loadMapFromFile``.

    :param channels: colour channels 0..1 in the last axis; a 1D array is grey values
    :param alpha: opacity 0..1 of each pixel, or None
    :return: int8 values, in the pixels' order
    """
    if channels.ndim > 1 and mode == 'trinary' and alpha is not None:
        # map_io averages alpha in with the colours in trinary mode
        channels = np.concatenate((channels, alpha[..., np.newaxis]), axis=-1)
    shade = channels.mean(axis=-1) if channels.ndim > 1 else channels
    occupancy = shade if negate else 1.0 - shade
    cells = np.full(shade.shape, UNKNOWN, dtype=np.int8)
    if mode == 'raw':
        value = np.floor(shade * 255.0 + 0.5)   # std::round; raw ignores negate
        known = (value >= FREE) & (value <= OCCUPIED)
        cells[known] = value[known]
    else:
        cells[occupancy < free_thresh] = FREE
        if mode == 'scale':
            between = (occupancy >= free_thresh) & (occupancy <= occupied_thresh)
            cells[between] = np.rint((occupancy[between] - free_thresh) /
                                     (occupied_thresh - free_thresh) * 100.0)
        cells[occupancy > occupied_thresh] = OCCUPIED
        if mode == 'scale' and alpha is not None:
            cells[alpha < 1.0] = UNKNOWN   # any transparency is unknown in scale mode
    return cells


def obstacle_cells(grid: MapGrid, unknown_is_wall: bool) -> np.ndarray:
    """
    Return where walls stand: occupied cells (100, Nav2's lethal value), and unknown ones if asked.

    :param unknown_is_wall: True to wall off unmapped space (the robot cannot wander into it)
    """
    walls = grid.cells >= OCCUPIED
    return walls | (grid.cells == UNKNOWN) if unknown_is_wall else walls


def obstacle_boxes(grid: MapGrid, height: float,
                   unknown_is_wall: bool) -> tuple[np.ndarray, np.ndarray]:
    """
    Return the walls as boxes standing on the floor: few, merged, covering the cells exactly.

    :param height: wall height, m
    :return: (centres, sizes), each (n, 3), m, in the grid's frame (its lower-left corner)
    """
    row, column, rows, columns = rectangles(obstacle_cells(grid, unknown_is_wall)).T
    resolution = grid.resolution
    centres = np.column_stack(((column + columns / 2.0) * resolution,
                               (row + rows / 2.0) * resolution, np.full(row.size, height / 2.0)))
    sizes = np.column_stack((columns * resolution, rows * resolution,
                             np.full(row.size, height)))
    return centres, sizes


def rectangles(mask: np.ndarray) -> np.ndarray:
    """
    Cover the True cells of a 2D mask exactly with few non-overlapping rectangles.

    Runs of True cells along each row, then runs with the same start and end in consecutive
    rows merged into one rectangle; done along rows and along columns, keeping the fewer.
    Vectorised: about a second for a 4000 x 4000 map.

    :return: int array of (row, column, rows, columns), one rectangle per line
    """
    by_rows = _merged_runs(mask)
    by_columns = _merged_runs(np.ascontiguousarray(mask.T))[:, [1, 0, 3, 2]]
    return by_rows if len(by_rows) <= len(by_columns) else by_columns


def _merged_runs(mask: np.ndarray) -> np.ndarray:
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)   # same row-major order: the n-th start meets the n-th end
    if rows.size == 0:
        return np.zeros((0, 4), dtype=int)
    order = np.lexsort((rows, ends, starts))
    rows, starts, ends = rows[order], starts[order], ends[order]
    continues = np.zeros(rows.size, dtype=bool)
    continues[1:] = ((starts[1:] == starts[:-1]) & (ends[1:] == ends[:-1]) &
                     (rows[1:] == rows[:-1] + 1))
    first = np.flatnonzero(~continues)
    group = np.cumsum(~continues) - 1
    heights = np.bincount(group)
    return np.column_stack((rows[first], starts[first], heights, ends[first] - starts[first]))


def free_spawn(grid: MapGrid, clearance: float,
               rng: np.random.Generator) -> tuple[float, float, float]:
    """
    Draw a pose in free space at least ``clearance`` (m) from walls, unknown space and the edge.

    Only cells the map calls free (0) count: a start in unmapped space is never wanted.

    :param rng: the random stream; the same seed gives the same pose
    :return: (x, y, yaw) in the map frame, m and rad
    :raises ValueError: no free cell is that far from every obstacle
    """
    from scipy.ndimage import distance_transform_edt  # only spawn drawing needs it
    free = np.zeros((grid.cells.shape[0] + 2, grid.cells.shape[1] + 2), dtype=bool)
    free[1:-1, 1:-1] = grid.cells == FREE
    # Distance from a free cell's centre to the nearest other cell's centre, less half a cell:
    # to the obstacle's edge.
    distance = (distance_transform_edt(free)[1:-1, 1:-1] - 0.5) * grid.resolution
    rows, columns = np.nonzero(distance >= clearance)
    if rows.size == 0:
        raise ValueError(f'{grid.source}: no free place {clearance:g} m from every wall; '
                         'lower the clearance')
    pick = rng.integers(rows.size)
    x, y = grid.to_map(rows[pick], columns[pick])
    return float(x), float(y), float(rng.uniform(-math.pi, math.pi))
