"""Saved searches and the alerts they raise through the notification centre."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode

from flask import current_app
from sqlalchemy import CursorResult, select, update

from ..db.base import utcnow
from ..db.models import SavedSearch, User
from ..extensions import db
from ..search.query import Kind, QueryProblem, parse_search_args
from ..search.sql_backend import SqlSearchBackend
from .errors import NotFound, ValidationFailed
from .exclusive_runs import exclusive
from .notifications import notify
from .unit_of_work import unit_of_work, use_case

MAX_SAVED_SEARCHES = 20


# Where each kind of search lives: the alert's link takes the user back to the same results.
SEARCH_PAGES = {Kind.LISTING: "/search", Kind.UNIT: "/search/units"}


@use_case
def save_search(user: User, name: str, query_string: str, kind: Kind = Kind.LISTING) -> SavedSearch:
    """Keep a search of second-hand listings or new-build units; its query string is validated
    exactly as the search page does."""
    name = name.strip()
    errors = {}
    if not name or len(name) > 60:
        errors["name"] = ["请填写不超过60个字的名称"]
    cleaned = _normalised_query_string(query_string, kind, errors)
    if _count(user) >= MAX_SAVED_SEARCHES:
        errors["name"] = [f"最多保存{MAX_SAVED_SEARCHES}个搜索，请先删除不用的"]
    if errors:
        raise ValidationFailed("无法保存该搜索", errors)
    saved = SavedSearch(user_id=user.id, kind=kind.value, name=name, query_string=cleaned)
    db.session.add(saved)
    return saved


def _normalised_query_string(query_string: str, kind: Kind, errors: dict) -> str:
    params = {key: values for key, values in parse_qs(query_string, keep_blank_values=False).items()
              if key not in ("page", "per_page")}
    try:
        parse_search_args(params, kind)
    except QueryProblem as problem:
        errors["query"] = [message for messages in problem.errors.values() for message in messages]
    return urlencode(params, doseq=True)[:1000]


def _count(user: User) -> int:
    return len(saved_searches_of(user))


def saved_searches_of(user: User) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.active)
                                   .order_by(SavedSearch.created_at.desc())))


@use_case
def unsubscribe(saved_search_id: int, user: User) -> None:
    saved = db.session.get(SavedSearch, saved_search_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("该保存的搜索不存在")
    saved.active = False


@exclusive("search alerts")
def run_alerts() -> int:
    """For every active saved search, notify about listings or units published in its window: from
    its last check up to a settled end, ``ALERT_SETTLE_SECONDS`` ago. A listing's publication time
    is set inside its transaction and becomes visible only at commit; ending the window a while
    back lets every such commit land first, so none falls between two windows."""
    notified = 0
    backend = SqlSearchBackend(db.session)
    settled = timedelta(seconds=current_app.config["ALERT_SETTLE_SECONDS"])
    for saved_id in list(db.session.scalars(select(SavedSearch.id).where(SavedSearch.active))):
        with unit_of_work():  # each saved search is checked and notified on its own
            window_end = utcnow() - settled
            claimed = _claim_window(saved_id, window_end)
            if claimed is None:
                continue
            saved, window_start = claimed
            query = parse_search_args(parse_qs(saved.query_string), Kind(saved.kind))
            fresh = backend.search(replace(query, listed_since=window_start, listed_before=window_end, per_page=5))
            if fresh.total:
                _notify(saved, fresh.total, [item["community"] for item in fresh.items])
                notified += 1
    return notified


def _claim_window(saved_id: int, window_end: datetime) -> tuple[SavedSearch, datetime] | None:
    """Move the search's watermark to ``window_end`` only if it is still where this run read it
    (compare and set): a concurrent run that moved it first owns that window, and this one skips
    it. Returns the search and where its window starts."""
    saved = db.session.get(SavedSearch, saved_id, populate_existing=True)
    if saved is None or saved.last_checked_at >= window_end:
        return None
    window_start = saved.last_checked_at
    moved: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(SavedSearch).where(SavedSearch.id == saved_id, SavedSearch.last_checked_at == window_start)
        .values(last_checked_at=window_end).execution_options(synchronize_session=False))
    if not moved.rowcount:
        return None
    return saved, window_start


def _notify(saved: SavedSearch, count: int, communities: list[str]) -> None:
    title = f"“{saved.name}”有{count}套新房源"
    body = "新上架：" + "、".join(dict.fromkeys(communities)) + ("等" if count > len(communities) else "")
    link = f"{SEARCH_PAGES[Kind(saved.kind)]}?{saved.query_string}"
    notify(saved.user_id, "saved_search", title, body, link)
