"""Template filters and helpers: Chinese number formats, masked personal data, the CSRF field and
page links."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..domain import identity
from ..domain.audit_labels import action_label, entity_label, outcome_label
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.rules import PROGRAM_YEARS
from ..domain.timezones import SHANGHAI, beijing_date


def wan_yuan(amount: int | None) -> str:
    """Totals in 万元: 1,235,000 → '123.5万元'."""
    if amount is None:
        return "—"
    wan = (Decimal(amount) / 10_000).quantize(Decimal("0.1"))
    return f"{wan.normalize():f}万元"


def yuan(amount: int | None) -> str:
    """Exact amounts (deposits, refunds) in whole yuan: 20000 → '20,000元'."""
    return "—" if amount is None else f"{amount:,}元"


def in_wan(amount: object) -> str:
    """Integer yuan (as in the search address) for a 万元 input box: 1355000 → '135.5'."""
    try:
        return f"{(Decimal(str(amount)) / 10_000).normalize():f}"
    except ArithmeticError:
        return ""


def yuan_per_m2(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}元/㎡"


def square_metres(area: Decimal | None) -> str:
    return "—" if area is None else f"{area:.2f}㎡"


def local_time(moment: datetime | str | None) -> Markup | str:
    """UTC in the database (or an ISO timestamp in a report), Beijing time on the page: the zone
    is in the element (machine-readable offset, and a tooltip) and named in every page's footer."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is None:
        return "—"
    beijing = moment.astimezone(SHANGHAI)
    return Markup('<time datetime="{}" title="北京时间">{}</time>').format(
        beijing.isoformat(timespec="minutes"), beijing.strftime("%Y-%m-%d %H:%M"))


def local_date(moment: datetime | None) -> Markup | str:
    """The Beijing calendar day of a stored UTC moment."""
    if moment is None:
        return "—"
    day = beijing_date(moment)
    return Markup('<time datetime="{}">{}</time>').format(day.isoformat(), f"{day:%Y年%m月%d日}")


def project_district(project) -> str:
    district = DISTRICTS_BY_CODE.get(project.district_code)
    return district.name if district else project.district_code


def district_name(code: str | None) -> str:
    district = DISTRICTS_BY_CODE.get(code or "")
    return district.name if district else (code or "—")


def csrf_input() -> Markup:
    """The hidden CSRF field every hand-written POST form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def url_with(endpoint: str, **changes) -> str:
    """The current address with every query parameter kept (repeated ones too) but ``changes``
    (None removes one); the page goes back to the first unless ``page`` is among the changes."""
    params = {key: values for key, values in request.args.to_dict(flat=False).items() if key != "page"}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value if isinstance(value, list) else [str(value)]
    address = url_for(endpoint, **(request.view_args or {}))
    return address + ("?" + urlencode(params, doseq=True) if params else "")


def page_url(endpoint: str, page: int) -> str:
    return url_with(endpoint, page=page)


def register_filters(app: Flask) -> None:
    app.add_template_global(csrf_input)
    app.add_template_global(page_url)
    app.add_template_global(url_with)
    app.add_template_global(project_district)
    app.jinja_env.globals["program_years"] = PROGRAM_YEARS
    app.jinja_env.globals["map_tiles"] = {"url": app.config.get("MAP_TILE_URL", ""),
                                          "attribution": app.config.get("MAP_TILE_ATTRIBUTION", "")}
    app.add_template_filter(district_name)
    app.add_template_filter(identity.mask_certificate)
    app.add_template_filter(wan_yuan)
    app.add_template_filter(in_wan)
    app.add_template_filter(yuan)
    app.add_template_filter(yuan_per_m2)
    app.add_template_filter(square_metres)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    app.add_template_filter(action_label, "audit_action")
    app.add_template_filter(entity_label, "audit_entity")
    app.add_template_filter(outcome_label, "audit_outcome")
    app.add_template_filter(identity.mask_phone)
    app.add_template_filter(identity.mask_id_number)
    app.add_template_filter(identity.mask_name)
