"""The bureau's title registry (不动产登记): imported from CSV/XLSX, used to verify listings.

Owner ID numbers are hashed on import and never stored; certificate numbers are encrypted.
An import is all or nothing: one bad row means nothing is written and every problem is listed.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..db.models import TitleRecord, User
from ..domain.fields import Field, parse_area, parse_boolean, parse_fields, parse_text
from ..domain.listing_fields import UNIT_CODE_FIELD, parse_certificate, parse_id_number
from ..extensions import db
from .audit import record_event
from .errors import Conflict, ValidationFailed
from .imports import RowError, raise_row_errors
from .property_identity import property_keys
from .spreadsheets import Upload, missing_columns, read_table
from .unit_of_work import use_case

# Header → field; the unit code is optional (older registry extracts lack it).
REGISTRY_FIELDS = (
    Field("certificate_number", "不动产权证号", True, parse_certificate),
    UNIT_CODE_FIELD,
    Field("address", "房屋坐落", True, parse_text(200)),
    Field("owner_id_number", "产权人身份证号", True, parse_id_number),
    Field("area_m2", "建筑面积", True, parse_area),
    Field("seized", "是否查封", True, parse_boolean),
    Field("mortgaged", "是否抵押", True, parse_boolean),
)
REQUIRED_COLUMNS = [field.label for field in REGISTRY_FIELDS if field.required]


@dataclass(frozen=True)
class RegistryImportResult:
    added: int
    updated: int


@use_case
def import_title_registry(upload: Upload, actor: User) -> RegistryImportResult:
    frame = read_table(upload)
    if missing := missing_columns(frame, REQUIRED_COLUMNS):
        raise ValidationFailed("缺少必需的列：" + "、".join(missing), {"file": ["缺少必需的列：" + "、".join(missing)]})
    rows, errors = _parse_rows(frame)
    raise_row_errors(errors)
    cipher = current_app.extensions["field_cipher"]
    existing = {record.property_key: record for record in db.session.scalars(select(TitleRecord))}
    keys = property_keys([(values["certificate_number"], values["unit_code"]) for _, values in rows])
    raise_row_errors([RowError(row, UNIT_CODE_FIELD.label, key.message)
                      for (row, _), key in zip(rows, keys, strict=True) if isinstance(key, Conflict)])
    added = updated = 0
    for values, key in ((values, key) for (_, values), key in zip(rows, keys, strict=True) if isinstance(key, str)):
        record = existing.get(key)
        if record is None:
            record = TitleRecord(property_key=key)
            db.session.add(record)
            existing[key] = record
            added += 1
        else:
            updated += 1
        # The registry is the authority: a new certificate after a sale replaces the old one.
        record.certificate_number = values["certificate_number"]
        record.unit_code = values["unit_code"] or record.unit_code
        record.address = values["address"]
        record.owner_id_hash = cipher.lookup_hash(values["owner_id_number"], "id_number")
        record.area_m2 = values["area_m2"]
        record.seized = values["seized"]
        record.mortgaged = values["mortgaged"]
    record_event("title_registry.import", "title_registry", None, actor=actor,
                 after={"file": upload.filename, "added": added, "updated": updated})
    return RegistryImportResult(added, updated)


def _parse_rows(frame) -> tuple[list[tuple[int, dict]], list[RowError]]:
    headers = {field.label: field.name for field in REGISTRY_FIELDS if field.label in frame.columns}
    labels = {field.name: field.label for field in REGISTRY_FIELDS}
    rows, errors = [], []
    for index, record in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header
        values, problems = parse_fields(REGISTRY_FIELDS, {name: record[label] for label, name in headers.items()})
        errors += [RowError(index, labels[name], message) for name, messages in problems.items()
                   for message in messages]
        rows.append((index, values))
    return rows, errors
