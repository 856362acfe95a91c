"""Demo photos drawn locally with Pillow: a street view of the community and a floor plan (户型图)
laid out from the listing's own rooms and area. Nothing is fetched; the same listing always
gets the same pictures (the drawing is seeded by its id).

``flask demo photos`` gives most public demo listings both pictures, a chunk of listings per
transaction, and skips listings that already have photos, so it can be stopped and run again.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import exists, select

from ..db.models import Listing, ListingPhoto, PhotoKind
from ..db.models.listings import PUBLIC_LISTING_STATES
from ..extensions import db
from ..services.photos import stored_photo
from ..services.unit_of_work import unit_of_work

SIZE = (1024, 768)
CHUNK = 50
# About one listing in seven keeps no photos, as on a real portal.
WITHOUT_PHOTOS_EVERY = 7

SKIES = [((122, 170, 222), (212, 230, 246)), ((160, 190, 220), (235, 238, 240)), ((96, 150, 210), (190, 220, 245))]
FACADES = [(226, 214, 196), (205, 196, 186), (232, 226, 214), (196, 170, 150), (215, 222, 228)]
WALL, ROOM_FILL, LINE = (60, 60, 64), (250, 248, 242), (150, 150, 150)


def listings_needing_photos() -> int:
    return db.session.scalar(select(db.func.count()).select_from(_needing_photos().subquery())) or 0


def add_demo_photos(advance: Callable[[int], None] = lambda n: None) -> int:
    """Give the public demo listings without photos a street view and a floor plan."""
    done = 0
    while True:
        with unit_of_work():
            chunk = list(db.session.scalars(_needing_photos().order_by(Listing.id).limit(CHUNK)))
            for listing in chunk:
                listing.photos.append(stored_photo(street_view(listing), PhotoKind.PHOTO, "小区实景.jpg", 0))
                listing.photos.append(stored_photo(floor_plan(listing.bedrooms, listing.living_rooms,
                                                              listing.bathrooms, listing.area_m2, listing.id),
                                                   PhotoKind.FLOOR_PLAN, "户型图.jpg", 1))
        if not chunk:
            return done
        done += len(chunk)
        advance(len(chunk))


def _needing_photos():
    has_photo = exists().where(ListingPhoto.listing_id == Listing.id)
    return select(Listing).where(Listing.status.in_(PUBLIC_LISTING_STATES), ~has_photo,
                                 Listing.id % WITHOUT_PHOTOS_EVERY != 0)


# ----- drawing -----------------------------------------------------------------------------------

def street_view(listing: Listing) -> Image.Image:
    """Towers of the community against the sky, with trees in front."""
    rng = random.Random(listing.id)
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    top, bottom = rng.choice(SKIES)
    for y in range(SIZE[1]):
        share = y / SIZE[1]
        draw.line([(0, y), (SIZE[0], y)], fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)))
    ground = 600
    draw.rectangle([0, ground, SIZE[0], SIZE[1]], fill=(150, 160, 140))
    storeys = min(listing.total_floors, 33)
    for left in range(rng.randint(20, 80), SIZE[0] - 120, rng.randint(230, 300)):
        _tower(draw, rng, left, ground, storeys)
    for x in range(0, SIZE[0], 70):
        radius = rng.randint(26, 40)
        centre = (x + rng.randint(0, 30), ground + rng.randint(-10, 20))
        draw.rectangle([centre[0] - 4, centre[1], centre[0] + 4, centre[1] + 50], fill=(110, 85, 60))
        draw.ellipse([centre[0] - radius, centre[1] - radius * 2, centre[0] + radius, centre[1] + 8],
                     fill=(70 + rng.randint(0, 30), 130 + rng.randint(0, 30), 70))
    return image


def _tower(draw: ImageDraw.ImageDraw, rng: random.Random, left: int, ground: int, storeys: int) -> None:
    width = rng.randint(150, 200)
    storey_height = max(12, min(30, 480 // storeys))
    top = max(60, ground - storeys * storey_height)
    draw.rectangle([left, top, left + width, ground], fill=rng.choice(FACADES), outline=(150, 140, 130))
    lit = (250, 236, 180)
    glass = (120, 150, 175)
    for y in range(top + 6, ground - storey_height, storey_height):
        for x in range(left + 10, left + width - 20, 26):
            draw.rectangle([x, y, x + 16, y + storey_height - 8], fill=lit if rng.random() < 0.15 else glass)


def floor_plan(bedrooms: int, living_rooms: int, bathrooms: int, area_m2: Decimal, seed: int) -> Image.Image:
    """A plan of the home: bedrooms along the top, living room, kitchen and bathrooms below,
    sized so the drawn rooms add up to the listing's area, with the walls' lengths in mm."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    inner = float(area_m2) * 0.8                       # walls and shared space take the rest
    depth_m = math.sqrt(inner / 1.5)
    width_m = inner / depth_m
    scale = min(860 / width_m, 600 / depth_m)
    left, top = (SIZE[0] - width_m * scale) / 2, 60
    right, bottom = left + width_m * scale, top + depth_m * scale
    split = top + (bottom - top) * rng.uniform(0.45, 0.55)
    bedroom_edges = _shares(left, right, max(1, bedrooms), rng)
    for a, b in zip(bedroom_edges, bedroom_edges[1:], strict=False):
        _room(draw, (a, top, b, split))
        _bed(draw, (a, top, b, split))
    service_rooms = 1 + max(1, bathrooms)               # the kitchen and each bathroom
    lower = _shares(left, right, service_rooms + 1, rng, first_share=0.5)
    _room(draw, (lower[0], split, lower[1], bottom))
    _sofa(draw, (lower[0], split, lower[1], bottom), living_rooms)
    for index, (a, b) in enumerate(zip(lower[1:], lower[2:], strict=False)):
        _room(draw, (a, split, b, bottom))
        (_stove if index == 0 else _toilet)(draw, (a, split, b, bottom))
    draw.rectangle([left, top, right, bottom], outline=WALL, width=8)
    font = ImageFont.load_default(size=22)
    draw.text(((left + right) / 2, bottom + 40), f"{round(width_m * 1000):,} mm", fill=WALL, font=font, anchor="mm")
    draw.text((left - 40, (top + bottom) / 2), f"{round(depth_m * 1000):,}", fill=WALL, font=font, anchor="mm")
    _area_label(draw, area_m2, font)
    return image


def _area_label(draw: ImageDraw.ImageDraw, area_m2: Decimal, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
    """"87.04 m²" at the bottom right; the small raised 2 is drawn apart (the built-in font has no ²)."""
    right, baseline = SIZE[0] - 30, SIZE[1] - 30
    small = ImageFont.load_default(size=14)
    draw.text((right, baseline - 10), "2", fill=WALL, font=small, anchor="rs")
    draw.text((right - 10, baseline), f"{area_m2:.2f} m", fill=WALL, font=font, anchor="rs")


def _shares(start: float, end: float, parts: int, rng: random.Random, first_share: float | None = None) -> list[float]:
    """Edges cutting [start, end] into ``parts`` rooms of slightly uneven widths."""
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    if first_share is not None and parts > 1:
        rest = sum(weights[1:])
        weights = [rest * first_share / (1 - first_share), *weights[1:]]
    total, edges, running = sum(weights), [start], start
    for weight in weights:
        running += (end - start) * weight / total
        edges.append(running)
    return edges


def _room(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    draw.rectangle(box, fill=ROOM_FILL, outline=WALL, width=5)


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _bed(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    x, y = _centre(box)
    w, h = min(70.0, (box[2] - box[0]) / 3), min(90.0, (box[3] - box[1]) / 3)
    draw.rectangle([x - w, y - h, x + w, y + h], outline=LINE, width=3)
    draw.rectangle([x - w + 8, y - h + 8, x - 6, y - h + 30], outline=LINE, width=2)
    draw.rectangle([x + 6, y - h + 8, x + w - 8, y - h + 30], outline=LINE, width=2)


def _sofa(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], living_rooms: int) -> None:
    x, y = _centre(box)
    w = min(110.0, (box[2] - box[0]) / 3)
    draw.rounded_rectangle([x - w, y + 10, x + w, y + 50], radius=10, outline=LINE, width=3)
    draw.rectangle([x - w / 2, y - 50, x + w / 2, y - 10], outline=LINE, width=2)  # the table
    if living_rooms > 1:  # a dining table for the second hall (餐厅)
        draw.ellipse([box[0] + 20, box[1] + 20, box[0] + 80, box[1] + 80], outline=LINE, width=3)


def _stove(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    x, y = _centre(box)
    for dx in (-22, 22):
        draw.ellipse([x + dx - 14, y - 14, x + dx + 14, y + 14], outline=LINE, width=3)


def _toilet(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    x, y = _centre(box)
    draw.rectangle([x - 16, y - 34, x + 16, y - 20], outline=LINE, width=3)
    draw.ellipse([x - 16, y - 20, x + 16, y + 20], outline=LINE, width=3)
