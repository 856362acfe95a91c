"""The search pages, saved searches and notifications."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..domain.districts import DISTRICTS_BY_CODE, ZHENGZHOU_DISTRICTS
from ..domain.fields import FieldProblem, parse_yuan
from ..search.query import (
    AREA_BANDS,
    BEDROOM_BANDS,
    PRICE_BANDS,
    SORT_LABELS,
    Kind,
    QueryProblem,
    Sort,
    parse_search_args,
)
from ..search.text_terms import text_terms
from ..security.access import public, signed_in
from ..services import alerts
from ..services import search as search_service
from ..services.errors import ValidationFailed
from ..services.search import elasticsearch_configured
from .formatting import url_with, wan_yuan
from .static_files import compress

blueprint = Blueprint("search", __name__)


PAGE_ROUTES = {Kind.LISTING: "search.listings", Kind.UNIT: "search.units"}
POINTS_ROUTES = {Kind.LISTING: "search.listing_points", Kind.UNIT: "search.unit_points"}


# The form's price boxes (万元) and the search parameters they become (元).
WAN_INPUTS = {"min_price_wan": ("min_price", "最低总价"), "max_price_wan": ("max_price", "最高总价")}
PRICE_IN_WAN = parse_yuan(0, 10_000_000_000)


@blueprint.route("/search")
@public
def listings():
    return _search_page(Kind.LISTING)


@blueprint.route("/search/units")
@public
def units():
    return _search_page(Kind.UNIT)


# The points are public data and carry no secret, so (unlike pages) they may go out compressed.
@blueprint.route("/search/points.json")
@public
@compress.compressed()
def listing_points():
    return _points(Kind.LISTING)


@blueprint.route("/search/units/points.json")
@public
@compress.compressed()
def unit_points():
    return _points(Kind.UNIT)


def _points(kind: Kind):
    """Where the matches of the page's own query are, for its map (same filters, first 500)."""
    args = {key: values for key, values in request.args.to_dict(flat=False).items() if key not in ("page", "per_page")}
    try:
        query = parse_search_args(args, kind)
    except QueryProblem as problem:
        raise ValidationFailed("搜索参数有误", problem.errors) from None
    result = search_service.map_points(query)
    return jsonify({"total": result.total, "capped": result.total > len(result.items),
                    "points": [_point(kind, item) for item in result.items]})


def _point(kind: Kind, item: dict) -> dict:
    if kind == Kind.LISTING:
        url, label = url_for("listings.detail", listing_id=item["id"]), item["community"]
    else:
        url, label = url_for("projects.detail", project_id=item["project_id"]), f"{item['project_name']} {item['room']}"
    return {"id": item["id"], "lat": item["lat"], "lon": item["lon"], "url": url,
            "label": f"{label} {item['bedrooms']}室{item['living_rooms']}厅 {item['area_m2']}㎡",
            "price": wan_yuan(item["total_price"])}


def _search_page(kind: Kind):
    if any(name in request.args for name in WAN_INPUTS):
        return _prices_from_wan(kind)
    args = request.args.to_dict(flat=False)
    try:
        query = parse_search_args(args, kind)
    except QueryProblem as problem:
        return render_template("search/results.html", kind=kind, result=None, problems=problem.errors,
                               args=request.args, **_page_context(kind)), 422
    result = search_service.search(query)
    photos = search_service.first_photos(result) if kind == Kind.LISTING else {}
    relaxations = _relaxations(kind, args) if result.total == 0 else []
    named_districts = [DISTRICTS_BY_CODE[code].name for code in text_terms(query.q).district_codes]
    return render_template("search/results.html", kind=kind, query=query, result=result, photos=photos,
                           args=request.args, problems=None, relaxations=relaxations,
                           named_districts=named_districts, active_filters=_active_filters(args),
                           **_page_context(kind))


# Filters a search without results may drop, as the page names them (the price pair counts as one).
RELAXABLE = (
    (("q",), "去掉关键词"), (("district",), "不限区县"), (("min_price", "max_price"), "不限总价"),
    (("min_area", "max_area"), "不限面积"), (("bedrooms",), "不限户型"), (("elevator",), "不限电梯"),
    (("radius_km", "lat", "lon"), "不限距离"), (("bbox", "polygon"), "不限地图范围"), (("fits_city_group",), "不限收购条件"), (("program",), "不限项目"),
)


# Every other filter, counted with RELAXABLE's for the phone's 筛选 button.
OTHER_FILTERS = (("min_unit_price", "max_unit_price"), ("min_build_year",), ("min_floor", "max_floor"))


def _active_filters(args: dict[str, list[str]]) -> int:
    groups = [keys for keys, _ in RELAXABLE] + list(OTHER_FILTERS)
    return sum(1 for keys in groups if any((args.get(key) or [""])[0].strip() for key in keys))


def _relaxations(kind: Kind, args: dict[str, list[str]]) -> list[tuple[str, str, int]]:
    """For a search that found nothing: each filter it could drop, the address without it, and how
    many results that would give (most first), so the page can say what to try."""
    found = []
    for keys, label in RELAXABLE:
        if not any(args.get(key, [""])[0] for key in keys):
            continue
        wider = {name: values for name, values in args.items() if name not in (*keys, "page")}
        total = search_service.search(replace(parse_search_args(wider, kind), page=1, per_page=1)).total
        found.append((label, _url_without(PAGE_ROUTES[kind], *keys, "page"), total))
    return sorted(found, key=lambda item: -item[2])


def _prices_from_wan(kind: Kind):
    """The form asks for prices in 万元, as people think of them; the search's own address keeps
    integer yuan (the API's unit, saved searches, facet links), so the page moves to it."""
    args = request.args.to_dict(flat=False)
    problems: dict[str, list[str]] = {}
    for wan_name, (yuan_name, label) in WAN_INPUTS.items():
        raw = (args.pop(wan_name, [""])[0] or "").strip()
        args.pop(yuan_name, None)
        if not raw:
            continue
        try:
            args[yuan_name] = [str(PRICE_IN_WAN(raw if raw.endswith("万") or raw.endswith("万元") else f"{raw}万"))]
        except FieldProblem as problem:
            problems[yuan_name] = [f"{label}{problem}"]
    if problems:
        return render_template("search/results.html", kind=kind, result=None, problems=problems,
                               args=request.args, **_page_context(kind)), 422
    return redirect(f"{url_for(PAGE_ROUTES[kind])}?{urlencode(args, doseq=True)}")


def _page_context(kind: Kind) -> dict:
    return {"districts": ZHENGZHOU_DISTRICTS, "sort_labels": SORT_LABELS, "sorts": list(Sort),
            "price_bands": PRICE_BANDS, "area_bands": AREA_BANDS, "bedroom_bands": BEDROOM_BANDS,
            "page_route": PAGE_ROUTES[kind], "points_route": POINTS_ROUTES[kind], "url_without": _url_without,
            "es_configured": elasticsearch_configured()}


def _url_without(route: str, *keys: str) -> str:
    return url_with(route, **{key: None for key in keys})


@blueprint.route("/search/save", methods=["POST"])
@signed_in
def save():
    kind = Kind.UNIT if request.form.get("kind") == Kind.UNIT.value else Kind.LISTING
    try:
        alerts.save_search(current_user, request.form.get("name", ""), request.form.get("query", ""), kind)
    except ValidationFailed as error:
        flash("；".join(m for messages in error.details.values() for m in messages), "error")
    else:
        flash("已保存搜索。有新房源上架时，会在“消息”中提醒您。", "success")
    return redirect(url_for(PAGE_ROUTES[kind]) + "?" + request.form.get("query", ""))


@blueprint.route("/saved-searches/<int:saved_search_id>/unsubscribe", methods=["POST"])
@signed_in
def unsubscribe(saved_search_id: int):
    alerts.unsubscribe(saved_search_id, current_user)
    flash("已退订该搜索提醒", "success")
    return redirect(url_for("notifications.inbox"))
