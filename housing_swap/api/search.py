"""Public search over second-hand listings and new-build units."""
from __future__ import annotations

from flask import request, url_for

from ..search.query import Kind, QueryProblem, SearchResult, parse_search_args
from ..security.access import public
from ..services import communities
from ..services import search as search_service
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .responses import respond


@api_blueprint.get("/listings")
@public
def search_listings():
    return respond(responses.SearchResult, _run(Kind.LISTING))


@api_blueprint.get("/units")
@public
def search_units():
    return respond(responses.SearchResult, _run(Kind.UNIT))


def _run(kind: Kind) -> dict:
    try:
        query = parse_search_args(request.args.to_dict(flat=False), kind)
    except QueryProblem as problem:
        raise ValidationFailed("搜索参数有误", problem.errors) from None
    return result_json(search_service.search(query), kind)


def result_json(result: SearchResult, kind: Kind) -> dict:
    items = result.items
    if kind == Kind.LISTING:
        covers = search_service.first_photos(result)
        items = [{**item, "cover_photo_url": url_for("listings.photo_thumbnail", photo_id=covers[item["id"]])
                  if item["id"] in covers else None} for item in items]
    return {"items": items, "total": result.total, "page": result.page, "per_page": result.per_page,
            "facets": result.facets, "backend": result.backend, "degraded": result.degraded}


@api_blueprint.get("/communities")
@public
def suggest_communities():
    return respond(responses.CommunitySuggestions, {"items": communities.suggest_communities(request.args.get("q", ""))})
