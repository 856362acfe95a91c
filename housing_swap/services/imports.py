"""Row-level import errors: shown on screen and downloadable as a report."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import ValidationFailed

REPORT_HEADERS = ("行号", "列", "问题")


@dataclass(frozen=True)
class RowError:
    row: int      # the spreadsheet row number as the user sees it (header is row 1)
    column: str
    message: str


class ImportRejected(ValidationFailed):
    """Carries the row errors so pages can show them and offer the report."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"文件中有{len(errors)}处错误，未导入任何数据", {"rows": [_text(e) for e in errors[:50]]})
        self.row_errors = errors


def _text(error: RowError) -> str:
    return f"第{error.row}行「{error.column}」：{error.message}"


def raise_row_errors(errors: list[RowError]) -> None:
    if errors:
        raise ImportRejected(errors)


def error_report_frame(errors: list[RowError]) -> pd.DataFrame:
    return pd.DataFrame([(e.row, e.column, e.message) for e in errors], columns=list(REPORT_HEADERS))
