"""HTML error pages, and the JSON envelope for anything under /api/. One place each."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..services.errors import ServiceError
from ..services.unit_of_work import discard_unfinished_work

MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "您没有权限访问此页面",
    404: "页面不存在",
    405: "不支持该请求方式",
    409: "操作冲突",
    413: "上传的内容过大",
    422: "提交的内容有误",
    429: "请求过于频繁，请稍后再试",
    500: "系统出现错误，请稍后再试",
    503: "数据库暂时无法连接，本次操作没有保存，请稍后再试",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str | None = None):
    text = message or MESSAGES.get(status, "请求失败")
    return render_template("errors/error.html", status=status, message=text), status


JsonError = Callable[..., Response]


def register_error_handlers(app: Flask, error_response: JsonError) -> None:
    """HTML pages for people; under /api/ the API's JSON envelope (``error_response``, passed in
    so that pages and API stay independent of each other)."""
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return _render(400, "表单已过期或缺少安全令牌，请刷新页面后重试")

    @app.errorhandler(ServiceError)
    def service_failed(error: ServiceError):
        if _wants_json():
            return error_response(error.http_status, error.code, error.message, error.details)
        return _render(error.http_status, error.message)

    @app.errorhandler(HTTPException)
    def http_failed(error: HTTPException):
        status = error.code or 500
        if _wants_json():
            return error_response(status, _code_name(error), MESSAGES.get(status, error.name))
        return _render(status)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """A dropped or unreachable database: the transaction did not commit, so nothing is
        half-written; say so plainly (the pool pre-pings, so stale connections never get here)."""
        discard_unfinished_work()
        app.logger.warning("database unavailable on %s: %s", request.path, error.orig)
        if _wants_json():
            return error_response(503, "database_unavailable", MESSAGES[503])
        return _render(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        discard_unfinished_work()
        app.logger.exception("unhandled error on %s", request.path)
        if _wants_json():
            return error_response(500, "internal_error", MESSAGES[500])
        return _render(500)


def _code_name(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_")
