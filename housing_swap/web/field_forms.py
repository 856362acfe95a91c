"""WTForms classes generated from the domain's field lists.

The form only carries text and the CSRF token; the domain parsers (through the services)
decide validity, so a page, the API and an import reject the same values the same way.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.fields import Field, parse_boolean
from .forms import ChineseForm, select_choices

BOOLEAN_CHOICES = (("", "请选择"), ("是", "是"), ("否", "否"))
LONG_TEXT_FIELDS = {"description", "swap_offer"}


def form_class(name: str, fields: tuple[Field, ...], skip: tuple[str, ...] = (),
               overrides: dict | None = None) -> type[FlaskForm]:
    """A form of the fields' text inputs; ``overrides`` puts a page's own control (a picker) in
    place of a field's default one."""
    attributes = {field.name: _wtforms_field(field) for field in fields if field.name not in skip}
    return type(name, (ChineseForm,), {**attributes, **(overrides or {})})


def _wtforms_field(field: Field):
    label = field.label + ("" if field.required else "（选填）")
    validators = [Optional(), Length(max=2000, message="内容过长")]
    if field.name == "district_code":
        choices = [("", "请选择")] + [(d.code, d.name) for d in ZHENGZHOU_DISTRICTS]
        return SelectField(label, choices=select_choices(choices), validators=validators)
    if field.choices:
        choices = [("", "请选择")] + [(c, c) for c in field.choices]
        return SelectField(label, choices=select_choices(choices), validators=validators)
    if field.parse is parse_boolean:
        return SelectField(label, choices=select_choices(BOOLEAN_CHOICES), validators=validators)
    if field.name in LONG_TEXT_FIELDS:
        return TextAreaField(label, validators=validators)
    return StringField(label, validators=validators)


def submitted_values(form: FlaskForm, fields: tuple[Field, ...]) -> dict[str, str]:
    return {field.name: getattr(form, field.name).data or "" for field in fields if hasattr(form, field.name)}
