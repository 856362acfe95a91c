"""Great-circle distance and bounding boxes (the same sphere Elasticsearch's arc distance uses)."""
from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle, with a small margin."""
    d_lat = math.degrees(radius_km / EARTH_RADIUS_KM) * 1.01
    d_lon = d_lat / max(math.cos(math.radians(lat)), 0.01)
    return lat - d_lat, lat + d_lat, lon - d_lon, lon + d_lon


def distance_km_array(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """``distance_km`` from one point to many, vectorised (haversine)."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    d_phi, d_lambda = phi2 - phi1, np.radians(lons - lon)
    a = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


# ----- areas drawn on a map: boxes and polygons of (lon, lat) points --------------------------------

Point = tuple[float, float]   # (lon, lat), the order GeoJSON and the map use
MAX_POLYGON_POINTS = 50


def point_in_polygon(lon: float, lat: float, ring: tuple[Point, ...]) -> bool:
    """Even-odd ray casting on the plane of degrees (areas drawn within one city)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygon_problem(ring: tuple[Point, ...]) -> str | None:
    """Why ``ring`` is not an area one can search in (Chinese), or None."""
    if len(set(ring)) < 3:
        return "区域至少需要3个不同的点"
    if len(ring) > MAX_POLYGON_POINTS:
        return f"区域最多{MAX_POLYGON_POINTS}个点"
    edges = list(zip(ring, ring[1:] + ring[:1], strict=True))
    for i, first in enumerate(edges):
        for j in range(i + 2, len(edges)):
            if i == 0 and j == len(edges) - 1:
                continue  # the first and last edges share a point
            if _cross(first, edges[j]):
                return "区域的边不能交叉"
    if abs(_signed_area(ring)) < 1e-12:
        return "区域的各点不能在一条直线上"
    return None


def counter_clockwise(ring: tuple[Point, ...]) -> tuple[Point, ...]:
    """The ring in the orientation GeoJSON's right-hand rule expects."""
    return ring if _signed_area(ring) > 0 else ring[::-1]


def polygon_bounds(ring: tuple[Point, ...]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _signed_area(ring: tuple[Point, ...]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _cross(a: tuple[Point, Point], b: tuple[Point, Point]) -> bool:
    def turn(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    (p1, p2), (p3, p4) = a, b
    return turn(p1, p2, p3) * turn(p1, p2, p4) < 0 and turn(p3, p4, p1) * turn(p3, p4, p2) < 0
