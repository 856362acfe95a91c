"""Reading request bodies (JSON objects, or multipart forms with papers) with clear validation errors."""
from __future__ import annotations

from flask import request

from ..domain.fields import MAX_ID, MAX_PAGE, FieldProblem, parse_integer
from ..services.documents import DocumentUpload
from ..services.errors import ValidationFailed


def json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("请求体须为JSON对象", {"body": ["请求体须为JSON对象"]})
    return body


def required_strings(body: dict, *names: str) -> dict[str, str]:
    errors = {name: ["此项为必填的字符串"] for name in names
              if not isinstance(body.get(name), str) or not body[name]}
    if errors:
        raise ValidationFailed("请求参数有误", errors)
    return {name: body[name] for name in names}


def json_id(body: dict, name: str) -> int:
    """A database id from a JSON body: a whole number (not a boolean) that fits 64 bits."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed("请求参数有误", {name: ["必填，应为正整数"]})
    return value


def query_id(name: str) -> int | None:
    """An optional id in the query string: absent is None, anything but a whole id is refused."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_integer(1, MAX_ID)(raw)
    except FieldProblem as problem:
        raise ValidationFailed("请求参数有误", {name: [str(problem)]}) from None


def request_values() -> tuple[dict, dict[str, DocumentUpload]]:
    """Fields from a JSON body, or from a multipart form with its files (for papers)."""
    if request.mimetype == "multipart/form-data":
        files = {name: DocumentUpload(f.filename or "document", f.read()) for name, f in request.files.items()}
        return request.form.to_dict(), files
    return (json_object() if request.get_data() else {}), {}


MAX_PER_PAGE = 100


def paging_args() -> tuple[int, int]:
    """``page`` and ``per_page``, each a whole number in range or a clear refusal."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, default, high in (("page", 1, MAX_PAGE), ("per_page", 20, MAX_PER_PAGE)):
        raw = (request.args.get(name) or "").strip()
        try:
            values[name] = parse_integer(1, high)(raw) if raw else default
        except FieldProblem as problem:
            errors[name] = [str(problem)]
    if errors:
        raise ValidationFailed("分页参数有误", errors)
    return values["page"], values["per_page"]
