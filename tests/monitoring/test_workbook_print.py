"""The bureau's workbook printed as a director would: opened in LibreOffice (headless), printed
to PDF, and the pages read. Every sheet starts on a page that shows its title, the generation
time in Beijing time, the filter and its whole header row (nothing cut off at the right edge);
percentages print as percentages; the 进度 sheet carries the progress chart."""
import os
import shutil
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from housing_swap.db.models import Role
from housing_swap.domain.timezones import beijing_today
from housing_swap.services.exports import SHEETS, export_tables, workbook
from housing_swap.services.progress import ProgressFilters
from tests.test_progress_api import ledger  # noqa: F401  (the hand-made ledger fixture)

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true",
                                reason="LibreOffice is not installed: run scripts/browser_setup.sh")


def printed(tmp_path, content: bytes) -> list[str]:
    """The text of each printed page."""
    source = tmp_path / "report.xlsx"
    source.write_bytes(content)
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    return [page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages]


def test_each_sheet_prints_with_its_title_time_filter_and_whole_header(ledger, make, tmp_path):  # noqa: F811
    tables = export_tables(ProgressFilters(program_year=2024, district=None), make.staff(Role.BUREAU_ADMIN), 14)
    content = workbook(tables)
    pages = printed(tmp_path, content)
    for key, name in [*SHEETS.items(), ("progress", "进度")]:
        title = f"郑州市卖旧买新监测报表 · {name}"
        first = next((text for text in pages if title in text), None)
        assert first is not None, f"no printed page starts the sheet {name}"
        assert "（北京时间）" in first
        assert "筛选：2024年度" in first
        frame = tables.weekly if key == "progress" else tables.frames[key]
        last_header = str(frame.columns[-1])
        assert last_header in first.replace("\n", ""), f"{name}: the header is cut off before {last_header}"
    summary = next(text for text in pages if "监测报表 · 汇总" in text)
    assert "0.0%" in summary or "%" in summary.split("完成率", 1)[1]
    assert beijing_today().year >= 2026
    with zipfile.ZipFile(tmp_path / "report.xlsx") as stored:
        assert any(name.startswith("xl/charts/chart") for name in stored.namelist())
