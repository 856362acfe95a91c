"""Journey 4: a household applies for the city-group channel; a city-group officer and an
appraiser take the application from intake to completion; the home page's count rises by one."""
import re

from playwright.sync_api import expect

from housing_swap.domain.timezones import beijing_today
from tests.browser.journey import (
    apply_for_the_program,
    completed_total,
    new_certificate,
    new_household_identity,
    register_household,
)

PDF_REPORT = {"name": "评估报告.pdf", "mimeType": "application/pdf",
              "buffer": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"}
TODAY = beijing_today().isoformat()
OFFER = 950_000


def step_section(page, label: str):
    return page.locator("section.card").filter(has=page.get_by_role("heading", name=f"下一步：{label}"))


def import_title_record(bureau, certificate: str, owner_id_number: str) -> None:
    """The bureau imports the registry's row for the household's home (as a CSV file)."""
    bureau.sign_in("demo-bureau")
    bureau.page.goto("/bureau/title-registry")
    csv = ("不动产权证号,房屋坐落,产权人身份证号,建筑面积,是否查封,是否抵押\n"
           f"{certificate},锦绣花园3号楼,{owner_id_number},86.50,否,否\n").encode()
    bureau.page.get_by_label("登记簿文件（.xlsx 或 .csv）").set_input_files(
        {"name": "登记簿.csv", "mimeType": "text/csv", "buffer": csv})
    bureau.page.get_by_role("button", name="上传").click()
    expect(bureau.page.get_by_text("新增1条")).to_be_visible()


def test_an_application_goes_from_intake_to_completion_and_is_counted(new_page):
    household = new_page("4-city-group-household")
    identity = new_household_identity()
    register_household(household, identity)
    certificate = new_certificate()
    application_url = apply_for_the_program(household, "城发集团收购", certificate)
    application_id = application_url.rstrip("/").rsplit("/", 1)[-1]
    count_before = completed_total(household.page)

    officer = new_page("4-city-group-officer")
    officer.sign_in("demo-group")
    page = officer.page
    page.goto("/city-group/queue")
    page.get_by_label("区县").select_option(label="金水区")
    page.get_by_label("状态").select_option(label="待受理")
    page.get_by_role("button", name="筛选").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"申请{application_id}", exact=True))
    # The home is not in the title registry yet: the queue says so and offers no intake.
    expect(row.get_by_text("产权未核验")).to_be_visible()
    expect(row.get_by_role("button", name="受理")).to_have_count(0)
    import_title_record(new_page("4-city-group-bureau"), certificate, identity["id_number"])
    page.reload()
    officer.checkpoint("queue")
    row.get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理，请安排查勘")).to_be_visible()
    acquisition_url = page.url

    inspection = step_section(page, "安排查勘")
    inspection.get_by_label("查勘日期").fill(TODAY)
    inspection.get_by_label("评估机构").select_option(label="河南中原房地产估价有限公司")
    inspection.get_by_role("button", name="安排查勘").click()
    expect(page.get_by_role("listitem").filter(has_text="已安排查勘").first).to_be_visible()

    appraiser = new_page("4-city-group-appraiser")
    appraiser.sign_in("demo-appraiser")
    appraiser.page.goto("/acquisitions")
    appraiser.page.get_by_role("link", name=f"收购{acquisition_url.rsplit('/', 1)[-1]}", exact=True).click()
    appraisal = step_section(appraiser.page, "录入评估结果")
    appraisal.get_by_label("评估价（元）").fill("1000000")
    appraisal.get_by_label("评估日期").fill(TODAY)
    appraisal.get_by_label("评估报告（PDF、JPEG或PNG，必传）").set_input_files(PDF_REPORT)
    appraiser.checkpoint("appraisal-form")
    appraisal.get_by_role("button", name="录入评估结果").click()
    expect(appraiser.page.get_by_role("link", name=re.compile("评估报告：评估报告.pdf"))).to_be_visible()

    page.goto(acquisition_url)
    offer = step_section(page, "报价")
    offer.get_by_label("收购报价（元）").fill(str(OFFER))
    offer.get_by_role("button", name="报价").click()
    expect(page.locator("h1")).to_contain_text("已报价")
    expect(page.locator(".offer .big-number")).to_contain_text("95万元")

    household.page.goto(acquisition_url)
    expect(household.page.get_by_text("请在截止日期前答复")).to_be_visible()
    household.checkpoint("offer-to-answer")
    household.page.once("dialog", lambda dialog: dialog.accept())
    household.page.get_by_role("button", name="接受报价").click()
    expect(household.page.get_by_text("已接受报价").first).to_be_visible()

    page.goto(acquisition_url)
    contract = step_section(page, "登记收购合同")
    contract.get_by_label("收购合同编号").fill(f"CF-J4-{application_id}")
    contract.get_by_label("合同价格（元）").fill(str(OFFER))
    contract.get_by_label("签约日期").fill(TODAY)
    contract.get_by_role("button", name="登记收购合同").click()

    # A participating unit in the main urban area that costs more than the old home fetched.
    unit = page.request.get(f"/api/v1/units?program=true&district=410104&district=410105&sort=price_asc"
                            f"&min_price={OFFER + 50_000}").json()["items"][0]
    picker = step_section(page, "登记新房购买")          # project first, then building and room
    picker.get_by_label("楼盘（参与以旧换新）").select_option(label=unit["project_name"])
    picker.get_by_role("button", name="列出房号").click()
    purchase = step_section(page, "登记新房购买")
    purchase.get_by_label("新房（楼栋 · 房号）").select_option(value=str(unit["id"]))
    purchase.get_by_label("购房合同/网签备案号").fill(f"WQ-J4-{application_id}")
    purchase.get_by_label("新房总价（元）").fill(str(unit["total_price"]))
    purchase.get_by_label("购房日期").fill(TODAY)
    purchase.get_by_role("button", name="登记新房购买").click()

    title = step_section(page, "登记过户")
    title.get_by_label("过户日期").fill(TODAY)
    title.get_by_role("button", name="登记过户").click()

    completion = step_section(page, "确认完成并计入目标")
    completion.get_by_label("完成日期").fill(TODAY)
    completion.get_by_role("button", name="确认完成并计入目标").click()
    expect(page.locator("h1")).to_contain_text("已完成")
    officer.checkpoint("completed")

    assert completed_total(household.page) == count_before + 1
    household.page.goto(application_url)
    expect(household.page.locator("h1")).to_contain_text("已完成")
