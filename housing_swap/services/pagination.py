"""One page of a longer list: the page type every listing page, export preview and API shares."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from ..extensions import db

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.page, self.per_page)


def paginate(query: Select, page: int, per_page: int, *order_by, rows: bool = False) -> Page:
    """Count ``query``, then read page ``page`` of it in ``order_by`` order: the first entity of
    each row, or (with ``rows``) whole rows."""
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(ordered).all() if rows else db.session.scalars(ordered).all()
    return Page(list(result), total, page, per_page)
