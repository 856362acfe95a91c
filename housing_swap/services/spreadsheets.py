"""Reading and writing CSV and XLSX uploads safely, with pandas.

Uploads are checked by content: XLSX files must be real zip archives whose uncompressed
size and compression ratio stay within limits (decompression bombs), CSV must decode as
UTF-8 or GB18030 (what Excel in China writes). All cells are read as text so that the
domain parsers decide what a value means.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..domain.text import has_refused_characters, printable
from .errors import ValidationFailed
from .imports import RowError, raise_row_errors

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 50_000
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""


def read_table(upload: Upload) -> pd.DataFrame:
    """A frame of stripped strings ('' for empty cells); raise ValidationFailed on bad files."""
    if not upload.content:
        raise _file_error("上传的文件是空的")
    if len(upload.content) > MAX_UPLOAD_BYTES:
        raise _file_error(f"文件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB")
    if upload.extension == "xlsx":
        frame = _read_xlsx(upload.content)
    elif upload.extension == "csv":
        frame = _read_csv(upload.content)
    else:
        raise _file_error("只支持 .csv 或 .xlsx 文件")
    if len(frame) > MAX_ROWS:
        raise _file_error(f"一次最多导入{MAX_ROWS}行")
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = frame.astype(str).apply(_cleaned_column)
    _refuse_control_characters(frame)
    return frame


def _cleaned_column(values: pd.Series) -> pd.Series:
    """Stripped text, with the apostrophe our exports put before a formula-like cell removed
    (a column at a time over a plain list: through the frame, a cell at a time, it was most of
    the time a large file took to read)."""
    return pd.Series([_cleaned(value) for value in values.tolist()], index=values.index, dtype=object)


def _cleaned(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


def _refuse_control_characters(frame: pd.DataFrame) -> None:
    """A cell with a control character is refused as a row error, before any row is parsed."""
    refused = frame.map(has_refused_characters).to_numpy()
    errors = [RowError(int(row) + 2, str(frame.columns[column]),
                       f"{frame.columns[column]}含有不可见的控制字符，请删除后重新导入")
              for row, column in np.argwhere(refused)]
    errors += [RowError(1, str(column), "表头含有不可见的控制字符") for column in frame.columns
               if has_refused_characters(str(column))]
    raise_row_errors(errors)


def _read_xlsx(content: bytes) -> pd.DataFrame:
    _check_zip_safe(content)
    try:
        return pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for damaged workbooks
        raise _file_error("无法读取该Excel文件，请确认是 .xlsx 格式且未损坏") from error


def _check_zip_safe(content: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _file_error("该文件不是有效的 .xlsx 文件")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        uncompressed = sum(info.file_size for info in archive.infolist())
    if uncompressed > MAX_UNCOMPRESSED_BYTES or uncompressed > MAX_COMPRESSION_RATIO * len(content):
        raise _file_error("该Excel文件解压后过大，已拒绝")


def _read_csv(content: bytes) -> pd.DataFrame:
    text = _decode(content)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise _file_error("无法解析该CSV文件，请检查列数与引号") from error


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error("无法识别文件编码，请另存为UTF-8编码的CSV")


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"file": [message]})


# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def _escape_formula(value):
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


# Werkzeug adds the one charset (utf-8) to text types itself; naming it here too would send two.
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_table(frame: pd.DataFrame, file_format: str, sheet_name: str = "Sheet1") -> bytes:
    """CSV with a BOM (so Excel shows Chinese correctly) or XLSX with readable column widths.

    Text that a spreadsheet would run as a formula is prefixed with an apostrophe.
    """
    frame = frame.copy()
    for column in frame.columns:  # text columns only: mapping a whole-number column would make it float
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda value: _escape_formula(printable(value) if isinstance(value, str) else value))
    if file_format == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        for index, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
                60, 2 * longest + 2)
    return buffer.getvalue()


def missing_columns(frame: pd.DataFrame, required: list[str]) -> list[str]:
    return [column for column in required if column not in frame.columns]
