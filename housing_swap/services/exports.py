"""The bureau's reporting workbook and its tables as CSV: the dashboard's own figures, laid out
with Chinese headers. Personal data (in the stalled-cases table) is masked unless the caller's
role may see it, and every export is audited.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..db.models import Role, User
from ..domain.acquisitions import WAITING_FOR
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.identity import mask_name, mask_phone
from ..domain.text import printable
from ..domain.timezones import SHANGHAI
from .audit import record_event
from .ledger import EntryFilters, entry_page
from .monitoring import Dashboard, dashboard
from .progress import ProgressFilters
from .spreadsheets import write_table
from .unit_of_work import use_case

# City-group officers contact the households whose cases stall; the bureau monitors in aggregate.
SEES_PERSONAL_DATA = frozenset({Role.CITY_GROUP_OFFICER})
EXPORT_ROLES = frozenset({Role.BUREAU_ADMIN, Role.CITY_GROUP_OFFICER})
LEDGER_ROWS_LIMIT = 100_000

SHEETS = {"summary": "汇总", "years": "各年度", "by_district": "分区县", "by_month": "分月", "funnel": "申请漏斗",
          "absorption": "新房去化", "reservations": "锁房保留", "timeliness": "办理时限", "ledger": "台账明细",
          "stalled": "滞留待办"}


REPORT_TITLE = "郑州市卖旧买新监测报表"
# Columns holding a share (0.123 = 12.3%): a percentage in the workbook, "12.3%" in a CSV file.
PERCENT_COLUMNS = frozenset({"完成率", "较上一阶段转化率", "按期办结比例"})


@dataclass(frozen=True)
class ExportTables:
    frames: dict[str, pd.DataFrame]
    generated: str   # 生成时间 in Beijing time, with the zone named
    scope: str       # the programme year, the rule version and the filters
    weekly: pd.DataFrame  # cumulative completions beside the straight line to the target, by week

    @property
    def heading(self) -> str:
        return f"{self.generated}；{self.scope}"


def export_tables(filters: ProgressFilters, user: User, stall_days: int) -> ExportTables:
    board = dashboard(filters, stall_days)
    frames = {
        "summary": summary_frame(board), "years": years_frame(board), "by_district": by_district_frame(board), "by_month": by_month_frame(board),
        "funnel": funnel_frame(board), "absorption": absorption_frame(board),
        "reservations": reservations_frame(board), "timeliness": timeliness_frame(board), "ledger": ledger_frame(filters),
        "stalled": stalled_frame(board, masked=user.role not in SEES_PERSONAL_DATA),
    }
    report = board.report
    rules_text = f"项目规则第{report['rule_version']}版" if report["rule_version"] else "该年度规则与目标尚未发布"
    weekly = pd.DataFrame([(f"{p.week_start:%Y-%m-%d}", p.cumulative, p.planned) for p in board.weekly],
                          columns=["周（起始日）", "累计完成（套）", "按直线进度应完成（套）"])
    return ExportTables({key: whole_numbers(frame) for key, frame in frames.items()},
                        f"生成时间：{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}（北京时间）",
                        f"{report['program_year']}年度；{rules_text}；筛选：{filter_text(filters)}", weekly)


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of whole numbers with gaps (a market swap has no acquisition id) stay whole
    numbers: pandas would make them floats and a file would show "12.0"."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and values.map(lambda v: v is None or isinstance(v, int)).all() \
                and values.notna().any() and not values.map(lambda v: isinstance(v, bool)).any() or values.dtype.kind == "f" and values.dropna().map(float.is_integer).all() and values.notna().any() \
                and column not in PERCENT_COLUMNS:
            frame[column] = values.astype("Int64")
    return frame


def filter_text(filters: ProgressFilters) -> str:
    parts = [f"{filters.program_year}年度", f"完成日期 {filters.date_from or '不限'} 至 {filters.date_to or '不限'}"]
    if filters.district:
        parts.append(DISTRICTS_BY_CODE[filters.district].name)
    if filters.channel:
        parts.append(filters.channel.label)
    return "，".join(parts)


TARGET_LABELS = (("total", "合计"), ("city_group", "城发集团收购"), ("market", "市场交易"),
                 ("pilot", "试点（金水区、郑东新区）"))


def summary_frame(board: Dashboard) -> pd.DataFrame:
    targets = board.report["targets"] or {}
    completed = board.report["completed"]
    rows = [(label, targets.get(key), completed[key],
             round(completed[key] / targets[key], 4) if targets.get(key) else None)
            for key, label in TARGET_LABELS]
    rows.append(("年底预测", targets.get("total"), board.forecast.year_end_total, None))
    return pd.DataFrame(rows, columns=["指标", "目标（套）", "已完成（套）", "完成率"])


def years_frame(board: Dashboard) -> pd.DataFrame:
    """The 2024-2027 summary: each programme year's counts and, once published, its targets."""
    rows = []
    for year in board.report["years"]:
        targets = year["targets"] or {}
        rows.append((f"{year['program_year']}年", *(year["completed"][key] for key, _ in TARGET_LABELS),
                     *(targets.get(key) for key, _ in TARGET_LABELS),
                     f"第{year['rule_version']}版" if year["rule_version"] else "尚未发布"))
    return pd.DataFrame(rows, columns=["项目年度", *(f"{label}完成（套）" for _, label in TARGET_LABELS),
                                       *(f"{label}目标（套）" for _, label in TARGET_LABELS), "规则版本"])


def by_district_frame(board: Dashboard) -> pd.DataFrame:
    """By name, as the import templates write districts; with each district's share of the goal."""
    shares = {d.code: d for d in board.districts}
    rows = []
    for r in board.report["by_district"]:
        progress = shares.get(r["code"])
        rows.append((r["name"], r["city_group"], r["market"], r["total"],
                     progress.target if progress else None,
                     round(progress.share, 4) if progress and progress.share is not None else None))
    return pd.DataFrame(rows, columns=["区县", "城发集团收购", "市场交易", "合计", "目标份额（套）", "完成率"])


def by_month_frame(board: Dashboard) -> pd.DataFrame:
    return pd.DataFrame([(r["month"], r["city_group"], r["market"], r["total"]) for r in board.report["by_month"]],
                        columns=["月份", "城发集团收购", "市场交易", "合计"])


def funnel_frame(board: Dashboard) -> pd.DataFrame:
    return pd.DataFrame([(s.label, s.count, None if s.rate_from_previous is None else s.rate_from_previous / 100,
                          s.median_days) for s in board.funnel],
                        columns=["阶段", "申请数", "较上一阶段转化率", "较上一阶段中位天数"])


def absorption_frame(board: Dashboard) -> pd.DataFrame:
    return pd.DataFrame([(a.project_name, a.developer_name, DISTRICTS_BY_CODE[a.district_code].name,
                          a.sold_through_program, a.remaining_stock) for a in board.absorption],
                        columns=["楼盘", "开发企业", "区县", "通过项目售出（套）", "剩余参与房源（套）"])


def reservations_frame(board: Dashboard) -> pd.DataFrame:
    """The dashboard's reservation table: in all, by channel, then by the old home's district."""
    counts = board.reservations
    groups = [("合计", counts.total), *((channel.label, by_status) for channel, by_status in counts.by_channel.items()),
              *((DISTRICTS_BY_CODE[code].name, by_status) for code, by_status in counts.by_district)]
    return pd.DataFrame([(name, *by_status.values()) for name, by_status in groups],
                        columns=["分组", *(status.label for status in counts.total)])


def timeliness_frame(board: Dashboard) -> pd.DataFrame:
    """Finished acquisition steps against their service deadlines, by step and by district."""
    rows = [("步骤", WAITING_FOR[row.key], row) for row in board.step_timeliness]
    rows += [("区县", DISTRICTS_BY_CODE[row.key].name, row) for row in board.district_timeliness]
    return pd.DataFrame([(kind, name, row.finished, row.median_days,
                          None if row.on_time_percent is None else round(row.on_time_percent / 100, 4))
                         for kind, name, row in rows],
                        columns=["分组方式", "分组", "办结件数", "中位天数", "按期办结比例"])


def ledger_frame(filters: ProgressFilters) -> pd.DataFrame:
    page = entry_page(EntryFilters(program_year=filters.program_year, channel=filters.channel, district=filters.district, date_from=filters.date_from,
                                   date_to=filters.date_to, per_page=LEDGER_ROWS_LIMIT))
    return pd.DataFrame([
        (e.id, e.entry_type.label, e.channel.label,
         DISTRICTS_BY_CODE[e.district_code].name, e.completed_on.isoformat(), "是" if e.pilot else "否",
         e.acquisition_id, e.market_swap_id, e.new_unit_id, e.reverses_entry_id, e.reason or "", e.rule_version.version)
        for e in page.items],
        columns=["记录编号", "类型", "渠道", "区县", "完成日期", "试点", "收购编号", "市场交易编号", "新房编号",
                 "撤销的记录", "撤销原因", "规则版本"])


def stalled_frame(board: Dashboard, masked: bool) -> pd.DataFrame:
    kinds = {"acquisition": "城发集团收购", "market_swap": "市场交易", "application": "申请"}
    return pd.DataFrame([
        (kinds[c.kind], c.record_id, c.application_id, DISTRICTS_BY_CODE[c.district_code].name, c.waiting_for,
         c.days, mask_name(c.household_name) if masked else c.household_name,
         (mask_phone(c.household_phone) if masked else c.household_phone) if c.household_phone else "")
        for c in board.stalled],
        columns=["类型", "编号", "申请编号", "区县", "等待事项", "已等待天数", "家庭", "手机号"])


def workbook(tables: ExportTables) -> bytes:
    """A report a director prints: on every sheet a title, the generation time (Beijing) and the
    filters, then the table with frozen, repeated headers, percentages as percentages, and a page
    set-up fitted to the page width; the 进度 sheet charts completions against the straight line.
    openpyxl's write-only mode streams the rows, which keeps the city-scale ledger detail
    (10,000+ rows) within the time budget."""
    book = Workbook(write_only=True)
    for key, frame in tables.frames.items():
        _report_sheet(book, SHEETS[key], tables, frame)
        if key == "summary":
            _progress_sheet(book, tables)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_ROW = 5
TITLE_FONT, BOLD = Font(size=14, bold=True), Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")


def _report_sheet(book: Workbook, name: str, tables: ExportTables, frame: pd.DataFrame,
                  landscape: bool | None = None):
    sheet = book.create_sheet(name)
    formats = [_number_format(column) for column in frame.columns]
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(value)) for value in frame[column].head(500)])
        sheet.column_dimensions[get_column_letter(index)].width = min(40, 2 * longest + 2)
    _page_setup(sheet, landscape=len(frame.columns) > 5 if landscape is None else landscape)
    for line, font in ((f"{REPORT_TITLE} · {name}", TITLE_FONT), (tables.generated, None), (tables.scope, None)):
        sheet.append([_styled(sheet, line, font=font)])
    sheet.append([])
    sheet.append([_styled(sheet, column, font=BOLD, fill=HEADER_FILL) for column in frame.columns])
    for values in frame.itertuples(index=False):
        sheet.append([_cell(sheet, value, number_format) for value, number_format in zip(values, formats, strict=True)])
    return sheet


def _progress_sheet(book: Workbook, tables: ExportTables) -> None:
    """进度: the weekly figures and a line chart of them (the dashboard's chart, for print)."""
    sheet = _report_sheet(book, "进度", tables, tables.weekly, landscape=True)  # the chart sits beside the table
    rows = len(tables.weekly)
    if not rows:
        return
    chart = LineChart()
    chart.title = "累计完成与按直线进度应完成"
    chart.y_axis.title = "套"
    chart.x_axis.title = "周"
    chart.height, chart.width = 10, 16
    data = Reference(sheet, min_col=2, max_col=3, min_row=HEADER_ROW, max_row=HEADER_ROW + rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + rows))
    sheet.add_chart(chart, f"E{HEADER_ROW}")


def _page_setup(sheet, landscape: bool) -> None:
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _styled(sheet, value, font: Font | None = None, fill: PatternFill | None = None):
    cell = WriteOnlyCell(sheet, value=printable(value) if isinstance(value, str) else value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _number_format(column: str) -> str | None:
    if column in PERCENT_COLUMNS:
        return "0.0%"
    if "天数" in column:
        return "0.0"
    if "套" in column or column in ("城发集团收购", "市场交易", "合计", "申请数"):
        return "#,##0"
    return None


def _cell(sheet, value, number_format: str | None):
    """A plain value, or a formatted cell for the numeric columns (NaN becomes an empty cell)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return printable(value)  # stored text (a reason, a name) must never break the workbook
    if hasattr(value, "item"):
        value = value.item()  # numpy scalars from the Int64 columns
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _percent_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A share as "12.3%" for a CSV reader (a workbook formats the number itself)."""
    frame = frame.copy()
    for column in PERCENT_COLUMNS & set(frame.columns):
        frame[column] = frame[column].map(lambda v: "" if v is None or pd.isna(v) else f"{100 * v:.1f}%")
    return frame


@use_case
def export(filters: ProgressFilters, user: User, file_format: str, table: str | None = None,
           stall_days: int = 14) -> bytes:
    """The workbook (``table`` None) or one table as CSV; audited with what was exported."""
    tables = export_tables(filters, user, stall_days)
    content = workbook(tables) if table is None else write_table(_percent_text(tables.frames[table]), file_format)
    record_event("export.dashboard", "dashboard", None, actor=user, after={
        "format": file_format, "table": table or "workbook", "filters": filter_text(filters),
        "personal_data_masked": user.role not in SEES_PERSONAL_DATA})
    return content
