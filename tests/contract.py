"""Every /api/ response the suite receives is checked against the OpenAPI document.

The document's response schemas are closed (generated from api/responses.py), so an answer with
an undocumented key, a wrong type, an undocumented status or content type fails the test that
received it. Statuses an operation does not list answer with its ``default`` (the error envelope).
"""
from __future__ import annotations

import json
import re
from functools import cache

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from housing_swap.api.openapi import openapi_document

DOCUMENT_URI = "urn:housing-swap:openapi"


class ContractViolation(AssertionError):
    pass


@cache
def _document() -> dict:
    return openapi_document()


@cache
def _registry() -> Registry:
    return Registry().with_resource(DOCUMENT_URI, Resource.from_contents(
        _document(), default_specification=DRAFT202012))


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    """Path templates as patterns, fixed segments before parameters (…/contract-check before …/{id})."""
    routes = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template)
              for template in _document()["paths"]]
    return sorted(routes, key=lambda route: route[1].count("{"))


def _template_of(path: str) -> str | None:
    return next((template for pattern, template in _routes() if pattern.match(path)), None)


def check_response(method: str, path: str, response) -> None:
    """Raise ContractViolation when ``response`` is not what the document promises."""
    template = _template_of(path)
    if template is None:
        if response.status_code != 404:
            raise ContractViolation(f"{method} {path}: answered {response.status_code} on an undocumented path")
        template_operation = None
    else:
        template_operation = _document()["paths"][template].get(method.lower())
    if template_operation is None:
        _check_error_envelope(method, path, response)
        return
    responses = template_operation["responses"]
    declared = responses.get(str(response.status_code)) or responses.get("default")
    if declared is None:
        raise ContractViolation(f"{method} {template}: status {response.status_code} is not documented")
    content = declared.get("content")
    if not content:
        if response.get_data():
            raise ContractViolation(f"{method} {template}: {response.status_code} documents no body but sent one")
        return
    if response.mimetype not in content:
        raise ContractViolation(f"{method} {template}: content type {response.mimetype} not among {sorted(content)}")
    if response.mimetype == "application/json":
        _validate(content["application/json"]["schema"], json.loads(response.get_data()), f"{method} {template}")


def _check_error_envelope(method: str, path: str, response) -> None:
    """A path or method the API does not have: 404/405 with the documented error envelope."""
    if response.status_code not in (404, 405) or response.mimetype != "application/json":
        raise ContractViolation(f"{method} {path}: {response.status_code} {response.mimetype} on an unknown route")
    _validate({"$ref": "#/components/schemas/Error"}, json.loads(response.get_data()), f"{method} {path}")


def _validate(schema: dict, body, where: str) -> None:
    # The operation's schema refers into the document ("#/components/…"): point those at it.
    anchored = json.loads(json.dumps(schema).replace('"#/components/', f'"{DOCUMENT_URI}#/components/'))
    problems = sorted(Draft202012Validator(anchored, registry=_registry()).iter_errors(body),
                      key=lambda error: list(error.absolute_path))
    if problems:
        details = "; ".join(f"{'/'.join(map(str, p.absolute_path)) or '(body)'}: {p.message}" for p in problems[:5])
        raise ContractViolation(f"{where}: the body breaks the documented schema: {details}")
