"""Households' saved listings (收藏)."""
from __future__ import annotations

from sqlalchemy import select

from ..db.base import insert_unless_present
from ..db.models import Favourite, Listing, User
from ..extensions import db
from .listings import listing_for_viewing
from .unit_of_work import use_case


@use_case
def toggle_favourite(listing_id: int, user: User) -> bool:
    """Save or unsave a visible listing; returns whether it is now saved."""
    listing_for_viewing(listing_id, user)
    existing = db.session.scalar(select(Favourite).where(
        Favourite.user_id == user.id, Favourite.listing_id == listing_id))
    if existing is None:  # a double click's second request finds it saved, not a unique violation
        insert_unless_present(db.session, Favourite, ("user_id", "listing_id"),
                              {"user_id": user.id, "listing_id": listing_id})
        return True
    db.session.delete(existing)
    return False


def is_favourite(listing_id: int, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Favourite.id).where(
        Favourite.user_id == user.id, Favourite.listing_id == listing_id)) is not None


def favourites_of(user: User) -> list[Listing]:
    return list(db.session.scalars(select(Listing).join(Favourite, Favourite.listing_id == Listing.id)
                                   .where(Favourite.user_id == user.id).order_by(Favourite.created_at.desc())))
