"""Input hygiene at the request boundary, once for every route: query strings, form fields and
JSON bodies carrying control characters are refused, and a JSON body too deeply nested to parse
is a bad request, never a server error.

Field-level rules (single-line fields refuse line breaks) live in domain/fields.parse_fields;
spreadsheet cells are checked in services/spreadsheets.read_table.
"""
from __future__ import annotations

import json

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from ..domain.text import has_refused_characters
from ..services.errors import ServiceError, ValidationFailed

REFUSED_MESSAGE = "含有不可见的控制字符，请删除后重新输入"


class NestingSafeJSONProvider(DefaultJSONProvider):
    """A body nested beyond Python's recursion limit is an unparseable body (ValueError), which
    the API answers like any malformed JSON."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def install_input_checks(app: Flask) -> None:
    @app.before_request
    def refuse_hostile_input():
        problems = {name: [REFUSED_MESSAGE] for source in (request.args, request.form)
                    for name, value in source.items(multi=True) if has_refused_characters(value)}
        problems |= _json_problems()
        if problems:
            raise ValidationFailed("提交的内容含有不可见的控制字符", problems)


def _json_problems() -> dict[str, list[str]]:
    if not request.is_json or not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)  # parsed once: Flask keeps it for the view
    if body is None:
        _refuse_if_too_deep(request.get_data(cache=True))
        return {}  # malformed JSON: the endpoint's own parsing reports it
    return {path: [REFUSED_MESSAGE] for path in _refused_paths(body)}


def _refuse_if_too_deep(raw: bytes) -> None:
    """Only an unparseable body is looked at again, to tell nesting from other faults."""
    try:
        json.loads(raw)
    except RecursionError:
        raise ServiceError("请求体的JSON嵌套层数过多", {"body": ["JSON嵌套层数过多"]}) from None
    except ValueError:
        return


def _refused_paths(body) -> list[str]:
    """Paths (a.b[0]) of strings and keys with refused characters, walked without recursion."""
    found, pending = [], [("body", body)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if has_refused_characters(value):
                found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_refused_characters(key):
                    found.append(path)
                pending.append((key if path == "body" else f"{path}.{key}", item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return found
