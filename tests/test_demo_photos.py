"""Demo photos: drawn locally for most public listings, a street view then a floor plan laid out
from the listing's own rooms, resumable."""
from decimal import Decimal

import pytest
from PIL import Image

from housing_swap.db.models import Listing, ListingPhoto, ListingStatus, PhotoKind
from housing_swap.demo import photos as demo_photos
from housing_swap.extensions import db
from housing_swap.services import listings as listing_service
from housing_swap.services.photos import MIN_LONG_SIDE, MIN_SHORT_SIDE
from tests.listings.helpers import listing_fields


def walls_crossed(image: Image.Image, y: int) -> int:
    """Runs of wall-coloured pixels along one row of the plan."""
    row = [image.getpixel((x, y)) for x in range(image.width)]
    return sum(1 for x in range(1, len(row)) if row[x] == demo_photos.WALL and row[x - 1] != demo_photos.WALL)


@pytest.mark.parametrize(("bedrooms", "bathrooms"), [(1, 1), (2, 1), (3, 2), (4, 2)])
def test_a_floor_plan_has_the_listings_bedrooms_and_bathrooms(bedrooms, bathrooms):
    plan = demo_photos.floor_plan(bedrooms, 2, bathrooms, Decimal("118.50"), seed=bedrooms)
    assert plan.size == demo_photos.SIZE
    assert walls_crossed(plan, 80) == bedrooms + 1                 # the upper row: bedrooms
    assert walls_crossed(plan, 600) == 2 + 1 + bathrooms           # living room, kitchen, bathrooms


def test_most_public_listings_get_a_street_view_then_a_floor_plan_once(app, make):
    owner = make.household()
    created = [listing_service.create_listing(listing_fields(), owner) for _ in range(8)]
    for listing in created[:7]:
        listing.status = ListingStatus.ACTIVE
    db.session.commit()
    assert demo_photos.add_demo_photos() == len([x for x in created[:7] if x.id % demo_photos.WITHOUT_PHOTOS_EVERY])
    assert demo_photos.add_demo_photos() == 0
    db.session.expire_all()
    for listing in db.session.scalars(db.select(Listing)):
        kinds = [photo.kind for photo in listing.photos]
        if listing.status == ListingStatus.DRAFT or listing.id % demo_photos.WITHOUT_PHOTOS_EVERY == 0:
            assert kinds == []
        else:
            assert kinds == [PhotoKind.PHOTO, PhotoKind.FLOOR_PLAN]
    for photo in db.session.scalars(db.select(ListingPhoto)):
        assert max(photo.width, photo.height) >= MIN_LONG_SIDE
        assert min(photo.width, photo.height) >= MIN_SHORT_SIDE
