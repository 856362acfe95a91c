"""Community names for autocomplete."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..db.base import escape_like
from ..db.models import Community, District
from ..extensions import db
from ..search.text_terms import is_pinyin_word


def suggest_communities(prefix: str, limit: int = 10) -> list[dict]:
    prefix = prefix.strip()[:30]
    if not prefix:
        return []
    escaped = escape_like(prefix)
    conditions = [Community.name.ilike(f"{escaped}%", escape="\\"), Community.name.ilike(f"%{escaped}%", escape="\\")]
    if is_pinyin_word(prefix.lower()):
        conditions.append(Community.search_pinyin.like(f"{prefix.lower()}%"))
        conditions.append(Community.search_pinyin.like(f"% {prefix.lower()}%"))
    rows = db.session.execute(
        select(Community.name, District.name).join(District, Community.district_code == District.code)
        .where(or_(*conditions)).order_by(Community.name.ilike(f"{escaped}%", escape="\\").desc(), Community.name)
        .limit(limit))
    return [{"name": name, "district_name": district} for name, district in rows]
