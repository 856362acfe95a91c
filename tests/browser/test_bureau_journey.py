"""Journey 6: the bureau reads the dashboard, drills down to the ledger rows behind a figure,
downloads the workbook (opened here), and publishes a new rule version after a what-if."""
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect


def number_in(text: str) -> int:
    return int(re.search(r"\d+", text).group(0))


def test_the_bureau_monitors_drills_down_exports_and_publishes_rules(new_page):
    bureau = new_page("6-bureau")
    bureau.sign_in("demo-bureau")
    page = bureau.page
    page.goto("/bureau/dashboard")
    expect(page.locator("h1")).to_have_text("以旧换新监测看板")
    bureau.checkpoint("dashboard")
    total = number_in(page.locator(".big-number a").first.inner_text())
    assert total > 0

    by_district = page.get_by_role("region", name="分区县")
    # The district with the most completions this programme year (the table lists it first).
    district_row = by_district.locator("tbody").get_by_role("row").first
    district_total = number_in(district_row.get_by_role("link").last.inner_text())
    district_row.get_by_role("link").last.click()
    expect(page.locator("h1")).to_have_text("目标台账")
    assert number_in(page.get_by_text(re.compile(r"^共 \d+ 条$")).inner_text()) == district_total
    bureau.checkpoint("ledger-drill-down")

    page.goto("/bureau/dashboard")
    page.get_by_role("button", name="生成报表（Excel，含全部表格）").click()
    expect(page.locator("h1")).to_have_text("报表导出")  # the worker builds it; the page follows
    ready = page.get_by_role("link", name="下载以旧换新进度报表（Excel）")
    expect(ready).to_be_visible(timeout=30_000)
    bureau.checkpoint("export-ready")
    with page.expect_download() as download:
        ready.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert {"汇总", "分区县", "分月", "台账明细"} <= set(workbook.sheetnames)
    summary = [row for row in workbook["汇总"].iter_rows(values_only=True) if row and row[0] == "合计"]
    assert summary[0][2] == total  # the workbook's completed total equals the dashboard's

    page.goto("/bureau/rules/")
    page.get_by_role("link", name="基于现行规则新建版本").click()
    area_limit = page.get_by_label("旧房面积上限（㎡）")
    original_limit = area_limit.input_value()
    area_limit.fill("60")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name="影响评估（按当前申请测算）")).to_be_visible()
    lost = number_in(page.locator("tfoot td").last.inner_text())
    assert lost > 0  # a 60 ㎡ limit would turn away households that qualify today
    bureau.checkpoint("what-if")

    page.get_by_role("link", name="修改草稿").click()
    page.get_by_label("旧房面积上限（㎡）").fill(original_limit)
    page.get_by_label("报价有效期（天）").fill("20")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("按此草稿，当前所有申请的资格结论都不会改变。")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text(re.compile(r"第\d+版规则已发布"))).to_be_visible()
    expect(page.locator("h1")).to_contain_text("已发布")
