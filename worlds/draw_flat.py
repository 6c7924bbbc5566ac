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
Draw flat.pgm and flat.yaml: a Nav2 map of a small flat, as map_saver would write it.

Run from this folder: ``python draw_flat.py``. The flat is 10 m x 8 m at 5 cm per cell: a
living room with a sofa and a round table, a kitchen with a counter, a bedroom with a bed, a
hall with a slanted corner; outside the walls is unknown, as in a map made with SLAM.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

RESOLUTION = 0.05                   # m per cell
WIDTH_M, HEIGHT_M = 10.0, 8.0
ORIGIN = (-5.0, -4.0, 0.0)          # the map's lower-left corner; (0, 0) is in the living room
OCCUPIED, FREE, UNKNOWN = 0, 254, 205   # map_saver's trinary pixel values
WALL = 0.10                         # wall thickness, m


def cell(x: float, y: float) -> tuple[int, int]:
    """Return the image pixel (column, row from the top) of a map-frame point."""
    return (round((x - ORIGIN[0]) / RESOLUTION),
            round(HEIGHT_M / RESOLUTION) - round((y - ORIGIN[1]) / RESOLUTION))


def box(draw: ImageDraw.ImageDraw, x0: float, y0: float, x1: float, y1: float,
        value: int = OCCUPIED) -> None:
    """Fill the map-frame rectangle [x0, x1] x [y0, y1]."""
    (left, bottom), (right, top) = cell(x0, y0), cell(x1, y1)
    draw.rectangle((left, top, right - 1, bottom - 1), fill=value)


def draw_flat() -> Image.Image:
    """Return the flat's map image."""
    image = Image.new('L', (round(WIDTH_M / RESOLUTION), round(HEIGHT_M / RESOLUTION)), UNKNOWN)
    draw = ImageDraw.Draw(image)
    box(draw, -4.5, -3.5, 4.5, 3.5)                   # the outer walls, filled ...
    box(draw, -4.4, -3.4, 4.4, 3.4, FREE)             # ... and the floor inside them
    box(draw, 0.5, -3.4, 0.6, 3.4)                    # living room | bedroom and kitchen
    box(draw, 0.6, 0.0, 4.4, 0.1)                     # bedroom | kitchen
    box(draw, -4.4, 1.5, -1.2, 1.6)                   # living room | hall, open at its east
    for doorway in ((0.45, -1.5, 0.65, -0.6), (0.45, 1.8, 0.65, 2.6), (2.2, -0.05, 3.0, 0.15)):
        box(draw, *doorway, value=FREE)
    draw.line((cell(-4.4, 2.6), cell(-3.6, 3.4)), fill=OCCUPIED, width=2)   # slanted corner
    box(draw, -4.0, -3.0, -2.2, -2.2)                 # sofa
    centre, radius = cell(-1.0, -1.6), 0.4 / RESOLUTION
    draw.ellipse((centre[0] - radius, centre[1] - radius, centre[0] + radius,
                  centre[1] + radius), fill=OCCUPIED)   # round table
    box(draw, 3.8, -3.0, 4.4, -0.6)                   # kitchen counter
    box(draw, 2.6, 1.6, 4.4, 3.0)                     # bed
    return image


def main() -> None:
    """Write flat.pgm and flat.yaml next to this script."""
    folder = Path(__file__).resolve().parent
    image = draw_flat()
    assert np.asarray(image)[cell(0.0, 0.0)[::-1]] == FREE, 'the spawn must be free'
    image.save(folder / 'flat.pgm')
    (folder / 'flat.yaml').write_text(
        '# A Nav2 map of a small flat, drawn by draw_flat.py (a world: --world flat)\n'
        'image: flat.pgm\nmode: trinary\n'
        f'resolution: {RESOLUTION}\norigin: [{ORIGIN[0]}, {ORIGIN[1]}, {ORIGIN[2]}]\n'
        'negate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.196\n')


if __name__ == '__main__':
    main()
