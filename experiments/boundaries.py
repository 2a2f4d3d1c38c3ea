"""The regency boundaries of a province as outlines a chart can fill, read from
model/data/regions/<region>/regencies.geojson (geoBoundaries / BPS / OCHA, CC BY 3.0 IGO: the
folder's GEO-SOURCE.md; the attribution is shown on every map, `figures.MAP_ATTRIBUTION`).

Plotly's geo and map traces are not used: plotly.js geo loads its world outline from
cdn.plot.ly (and draws nothing without it) and map traces load tiles, so neither works offline.
An outline is each polygon's exterior ring as longitudes and latitudes separated by NaN (one
filled scatter trace per regency, drawn on plain axes with equal aspect). Holes (an enclave such
as Kota Jambi inside Muaro Jambi) are not cut out: outlines come largest first, so an enclave is
drawn over the regency that surrounds it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from experiments.errors import UserError

REGION_ID = re.compile(r"^[a-z0-9-]+$")
GEOJSON = "regencies.geojson"


class UnknownRegionError(UserError, ValueError):
    """A region with no boundaries: the message lists the regions that have them."""


@dataclass(frozen=True)
class Outline:
    """One regency's shape: BPS code, name and kind as the boundary file gives them, the outline
    (lon, lat: float arrays with NaN between polygons, a gap for Plotly), its area (square
    degrees) and its centroid."""

    bps_code: str
    name: str
    kind: str
    lon: np.ndarray
    lat: np.ndarray
    area: float
    centroid: tuple[float, float]   # (lon, lat) of the largest polygon's area centroid


def _regions_folder():
    return resources.files("model.data").joinpath("regions")


def regions() -> list[str]:
    """The regions whose folder holds a boundary file."""
    folder = _regions_folder()
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and p.joinpath(GEOJSON).is_file())


def _ring(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and area centroid of a closed ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return area, (cx / (6 * area) if area else ring[0][0]), (cy / (6 * area) if area else ring[0][1])


def _outline(feature: dict) -> Outline:
    geometry, props = feature["geometry"], feature["properties"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    lon: list[float] = []
    lat: list[float] = []
    total, largest = 0.0, (0.0, 0.0, 0.0)
    for polygon in polygons:
        exterior = polygon[0]
        if lon:
            lon.append(math.nan)
            lat.append(math.nan)
        lon += [point[0] for point in exterior]
        lat += [point[1] for point in exterior]
        area, cx, cy = _ring(exterior)
        total += abs(area) - sum(abs(_ring(hole)[0]) for hole in polygon[1:])
        if abs(area) > largest[0]:
            largest = (abs(area), cx, cy)
    return Outline(str(props["bps_code"]), str(props["name"]), str(props.get("type", "")), np.array(lon),
                   np.array(lat), total, (largest[1], largest[2]))


@cache
def outlines(region: str = "sumsel") -> tuple[Outline, ...]:
    """The region's regencies, largest first. `region` is a name, never a path."""
    if not isinstance(region, str) or not REGION_ID.match(region) or region not in regions():
        raise UnknownRegionError(f"region: no boundaries for {region!r}; regions with boundaries: "
                                 f"{', '.join(regions())}")
    doc = json.loads(_regions_folder().joinpath(region, GEOJSON).read_text(encoding="utf-8"))
    return tuple(sorted((_outline(f) for f in doc["features"]), key=lambda o: -o.area))
