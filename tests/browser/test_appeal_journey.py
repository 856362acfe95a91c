"""Journey 9: a household doubts the city group's appraisal, asks for a second one within the rule's
days; the officer commissions another appraiser organization, the higher value stands by the rule,
and the officer offers again on it."""
import re

from playwright.sync_api import expect

from tests.browser.journey import apply_for_the_program, new_certificate, new_household_identity, register_household
from tests.browser.test_city_group_journey import PDF_REPORT, TODAY, import_title_record, step_section


def appraise(appraiser, acquisition_url: str, value: str) -> None:
    page = appraiser.page
    page.goto("/acquisitions")
    page.get_by_role("link", name=f"收购{acquisition_url.rsplit('/', 1)[-1]}", exact=True).click()
    form = step_section(page, "录入评估结果")
    form.get_by_label("评估价（元）").fill(value)
    form.get_by_label("评估日期").fill(TODAY)
    form.get_by_label("评估报告（PDF、JPEG或PNG，必传）").set_input_files(PDF_REPORT)
    form.get_by_role("button", name="录入评估结果").click()
    expect(page.get_by_role("link", name=re.compile("评估报告：评估报告.pdf")).first).to_be_visible()


def schedule(page, organization: str) -> None:
    form = step_section(page, "安排查勘")
    form.get_by_label("查勘日期").fill(TODAY)
    form.get_by_label("评估机构").select_option(label=organization)
    form.get_by_role("button", name="安排查勘").click()
    expect(page.get_by_text("已安排查勘").first).to_be_visible()


def offer(page, price: str, shown: str) -> None:
    form = step_section(page, "报价")
    form.get_by_label("收购报价（元）").fill(price)
    form.get_by_role("button", name="报价").click()
    expect(page.locator(".offer .big-number")).to_contain_text(shown)


def test_a_household_appeals_the_appraisal_and_the_higher_value_stands(new_page):
    household = new_page("9-appeal-household")
    identity = new_household_identity()
    register_household(household, identity)
    certificate = new_certificate()
    application_id = apply_for_the_program(household, "城发集团收购", certificate).rsplit("/", 1)[-1]
    import_title_record(new_page("9-appeal-bureau"), certificate, identity["id_number"])

    officer = new_page("9-appeal-officer")
    officer.sign_in("demo-group")
    page = officer.page
    page.goto(f"/city-group/queue?q=申请{application_id}")
    page.get_by_role("row").filter(has=page.get_by_role("link", name=f"申请{application_id}", exact=True)) \
        .get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理，请安排查勘")).to_be_visible()
    acquisition_url = page.url
    schedule(page, "河南中原房地产估价有限公司")
    first = new_page("9-appeal-appraiser")
    first.sign_in("demo-appraiser")
    appraise(first, acquisition_url, "1000000")
    page.goto(acquisition_url)
    offer(page, "950000", "95万元")

    mine = household.page
    mine.goto(acquisition_url)
    mine.get_by_text("对评估价有异议？申请复评").click()
    mine.get_by_label("复评理由").fill("同小区近期成交价明显高于评估价")
    mine.get_by_role("button", name="申请复评").click()
    expect(mine.get_by_text("您已申请复评").first).to_be_visible()
    expect(mine.get_by_role("button", name="接受报价")).to_have_count(0)
    household.checkpoint("appeal-requested")

    page.goto(acquisition_url)
    schedule(page, "郑州诚信房地产估价有限公司")
    second = new_page("9-appeal-second-appraiser")
    second.sign_in("demo-appraiser-2")
    appraise(second, acquisition_url, "1080000")

    page.goto(acquisition_url)
    expect(page.get_by_text("按规则“取两次评估的较高者”采用 108万元")).to_be_visible()
    officer.checkpoint("appeal-decided")
    offer(page, "1020000", "102万元")
    mine.goto(acquisition_url)
    expect(mine.get_by_role("button", name="接受报价")).to_be_visible()
    expect(mine.get_by_text("复评价1080000元").first).to_be_visible()
