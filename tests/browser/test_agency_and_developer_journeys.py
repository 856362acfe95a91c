"""Journeys 2 and 3: an agency's bulk import (with errors, the error report, a fixed re-import,
a bulk status change, an export), and a developer's building price list."""
import csv
import io
import secrets

from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

ROWS = 3


def listing_rows(template_csv: str, batch: str, bad_district_in_row: int | None) -> bytes:
    """The agency's file: the downloaded template's header and example, as three listings."""
    header, example = list(csv.reader(io.StringIO(template_csv.lstrip("\ufeff"))))[:2]
    column = {name: index for index, name in enumerate(header)}
    rows = []
    for number in range(1, ROWS + 1):
        row = list(example)
        row[column["机构房源编号"]] = f"{batch}-{number}"
        row[column["房号"]] = f"{number + 1}01"
        row[column["不动产权证号"]] = f"豫(2016)郑州市不动产权第{secrets.randbelow(10**7):07d}号"
        if number == bad_district_in_row:
            row[column["所在区县"]] = "火星区"
        rows.append(row)
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def upload(page, content: bytes, mode_label: str) -> None:
    page.goto("/agency/import")
    page.get_by_label("房源文件（.xlsx 或 .csv，最多50000行）").set_input_files(
        {"name": "房源.csv", "mimeType": "text/csv", "buffer": content})
    page.get_by_label(mode_label).check()
    page.get_by_role("button", name="上传并导入").click()


def test_an_agency_imports_fixes_changes_status_in_bulk_and_exports(new_page):
    agency = new_page("2-agency")
    agency.sign_in("demo-agency")
    page = agency.page
    page.goto("/agency/import")
    with page.expect_download() as template:
        page.get_by_role("link", name="CSV模板").click()
    template_csv = template.value.path().read_text(encoding="utf-8-sig")
    batch = f"J2-{secrets.token_hex(3)}"

    upload(page, listing_rows(template_csv, batch, bad_district_in_row=2), "全部正确才导入（有任何错误则不导入）")
    expect(page.get_by_role("heading", name="文件有错误，未导入任何数据")).to_be_visible()
    problem = page.get_by_role("row").filter(has_text="区县不是郑州市的区县代码或名称")
    expect(problem.get_by_role("cell").first).to_have_text("3")  # the file's line: header, then rows
    agency.checkpoint("import-errors")
    with page.expect_download() as report:
        page.get_by_role("link", name="下载错误报告").click()
    report_rows = list(load_workbook(io.BytesIO(report.value.path().read_bytes()), read_only=True).active.iter_rows(values_only=True))
    assert len(report_rows) == 2
    assert "所在区县不是郑州市的区县代码或名称" in report_rows[1]

    upload(page, listing_rows(template_csv, batch, bad_district_in_row=None), "全部正确才导入（有任何错误则不导入）")
    expect(page.get_by_role("status").filter(has_text="导入完成")).to_contain_text(f"新增 {ROWS} 条")

    page.goto("/my/listings?status=draft")
    for number in range(1, ROWS + 1):
        page.get_by_role("row").filter(has_text=f"（{batch}-{number}）").get_by_role("checkbox").check()
    page.get_by_label("批量操作所选房源").select_option(label="提交核验")
    agency.checkpoint("bulk-status")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="执行").click()
    for number in range(1, ROWS + 1):
        expect(page.get_by_role("row").filter(has_text=f"（{batch}-{number}）")).to_contain_text("待核验")

    with page.expect_download() as export:
        page.get_by_role("link", name="导出CSV").click()
    exported = export.value.path().read_text(encoding="utf-8-sig")
    assert all(f"{batch}-{number}" in exported for number in range(1, ROWS + 1))


def price_list(floors: int, rooms: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["楼层", "房号", "建筑面积", "室", "厅", "卫", "总价（元）"])
    for floor in range(1, floors + 1):
        for room in range(1, rooms + 1):
            sheet.append([floor, f"{floor}0{room}", "118.60", 3, 2, 2, 1_480_000 + floor * 10_000 + room * 1_000])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_developer_imports_a_price_list_and_sees_the_unit_table(new_page):
    developer = new_page("3-developer")
    developer.sign_in("demo-developer")
    page = developer.page
    page.goto("/developer/projects")
    page.locator("main h2 a").first.click()
    building = f"{secrets.randbelow(900) + 100}号楼"
    page.get_by_label("楼栋名称").fill(building)
    page.get_by_label("价目表（.xlsx 或 .csv）").set_input_files(
        {"name": "价目表.xlsx", "buffer": price_list(floors=4, rooms=2),
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    page.get_by_role("button", name="上传并导入").click()
    grid = page.get_by_role("region", name=f"{building}（4层）")
    expect(grid).to_be_visible()
    expect(grid.locator("td.unit")).to_have_count(8)
    expect(grid.get_by_role("cell").filter(has_text="402")).to_contain_text("152.2万元")
    developer.checkpoint("unit-table")
