"""Papers attached to an acquisition step: checked by content, kept in the database.

A file is accepted only when its first bytes say it is a PDF, JPEG or PNG, whatever its name
claims, and it is served back with the type found here, as a download.
"""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from ..db.models import Acquisition, AcquisitionDocument, User
from ..extensions import db
from .errors import ValidationFailed

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"\x89PNG\r\n\x1a\n", "image/png"))
KIND_LABELS = {
    "appraisal_report": "评估报告",
    "acquisition_contract": "收购合同",
    "purchase_contract": "新房购房合同",
    "title_certificate": "不动产权证书（过户后）",
}


@dataclass(frozen=True)
class DocumentUpload:
    filename: str
    content: bytes


def checked_content_type(upload: DocumentUpload, field: str) -> str:
    """The file's real type, or ValidationFailed naming ``field``."""
    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, {field: [message]})
    if not upload.content:
        raise refuse("上传的文件是空的")
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        raise refuse(f"文件不能超过{MAX_DOCUMENT_BYTES // 1024 // 1024}MB")
    for signature, content_type in SIGNATURES:
        if upload.content.startswith(signature):
            return content_type
    raise refuse("只接受PDF、JPEG或PNG文件")


def attach(acquisition: Acquisition, kind: str, upload: DocumentUpload, actor: User,
           field: str = "document") -> AcquisitionDocument:
    """Add the paper to the session; it is written with the step or not at all."""
    content_type = checked_content_type(upload, field)
    name = posixpath.basename(upload.filename.replace("\\", "/")).strip() or "document"
    document = AcquisitionDocument(
        acquisition=acquisition, kind=kind, filename=name[-200:], content_type=content_type,
        size_bytes=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content, uploaded_by_user_id=actor.id)
    db.session.add(document)
    return document
