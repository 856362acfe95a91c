"""The bureau's title registry (不动产登记): imported from CSV/XLSX, used to verify listings.

Owner ID numbers are hashed on import and never stored; certificate numbers are encrypted.
An import is all or nothing: one bad row means nothing is written and every problem is listed.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..db.models import TitleRecord, User
from ..domain.fields import FieldProblem, parse_area, parse_boolean
from ..domain.listing_fields import parse_certificate, parse_id_number
from ..extensions import db
from .audit import record_event
from .errors import ValidationFailed
from .imports import RowError, raise_row_errors
from .spreadsheets import Upload, missing_columns, read_table

COLUMNS = {
    "不动产权证号": ("certificate_number", parse_certificate),
    "房屋坐落": ("address", lambda raw: raw[:200]),
    "产权人身份证号": ("owner_id_number", parse_id_number),
    "建筑面积": ("area_m2", parse_area),
    "是否查封": ("seized", parse_boolean),
    "是否抵押": ("mortgaged", parse_boolean),
}


@dataclass(frozen=True)
class RegistryImportResult:
    added: int
    updated: int


def import_title_registry(upload: Upload, actor: User) -> RegistryImportResult:
    frame = read_table(upload)
    if missing := missing_columns(frame, list(COLUMNS)):
        raise ValidationFailed("缺少必需的列：" + "、".join(missing), {"file": ["缺少必需的列：" + "、".join(missing)]})
    rows, errors = _parse_rows(frame)
    raise_row_errors(errors)
    cipher = current_app.extensions["field_cipher"]
    existing = {record.certificate_hash: record for record in db.session.scalars(select(TitleRecord))}
    added = updated = 0
    for values in rows:
        key = cipher.lookup_hash(values["certificate_number"], "certificate")
        record = existing.get(key)
        if record is None:
            record = TitleRecord(certificate_hash=key, certificate_number=values["certificate_number"])
            db.session.add(record)
            existing[key] = record
            added += 1
        else:
            updated += 1
        record.address = values["address"]
        record.owner_id_hash = cipher.lookup_hash(values["owner_id_number"], "id_number")
        record.area_m2 = values["area_m2"]
        record.seized = values["seized"]
        record.mortgaged = values["mortgaged"]
    record_event("title_registry.import", "title_registry", None, actor=actor,
                 after={"file": upload.filename, "added": added, "updated": updated})
    db.session.commit()
    return RegistryImportResult(added, updated)


def _parse_rows(frame) -> tuple[list[dict], list[RowError]]:
    rows, errors = [], []
    for index, record in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header
        values = {}
        for header, (name, parse) in COLUMNS.items():
            raw = record[header]
            if raw == "":
                errors.append(RowError(index, header, f"{header}为必填项"))
                continue
            try:
                values[name] = parse(raw)
            except FieldProblem as problem:
                errors.append(RowError(index, header, f"{header}{problem}"))
        rows.append(values)
    return rows, errors
