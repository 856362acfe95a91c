"""Journey 5: an agency records a household's market swap (its old home sold, a new home bought);
the bureau verifies it and the goal count rises by one."""
import secrets
from datetime import timedelta

from playwright.sync_api import expect

from housing_swap.domain.timezones import beijing_today
from tests.browser.journey import completed_total, new_household_identity, register_household


def days_ago(days: int) -> str:
    return (beijing_today() - timedelta(days=days)).isoformat()


def test_an_agency_records_a_market_swap_and_the_bureau_verifies_it(new_page):
    household = new_page("5-market-swap-household")
    identity = new_household_identity()
    register_household(household, identity)
    count_before = completed_total(household.page)
    serial = secrets.randbelow(10**7)

    agency = new_page("5-market-swap-agency")
    agency.sign_in("demo-agency")
    page = agency.page
    page.goto("/market-swaps/new")
    page.get_by_label("换房家庭手机号").fill(identity["phone"])
    page.get_by_label("旧房所在区县").fill("金水区")
    page.get_by_label("旧房不动产权证号").fill(f"豫(2013)郑州市不动产权第{serial:07d}号")
    page.get_by_label("旧房买方姓名").fill("刘建国")
    page.get_by_label("旧房成交价（元）").fill("880000")
    page.get_by_label("旧房买卖合同编号").fill(f"ESF-J5-{serial}")
    page.get_by_label("旧房签约日期").fill(days_ago(40))
    page.get_by_label("新房楼盘名称（平台外）（选填）").fill("正商·智慧城")
    page.get_by_label("新房所在区县（平台外）（选填）").fill("郑东新区")
    page.get_by_label("新房购房合同/网签备案号").fill(f"WQ-J5-{serial}")
    page.get_by_label("新房总价（元）").fill("1680000")
    page.get_by_label("新房签约日期").fill(days_ago(12))
    agency.checkpoint("market-swap-form")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("h1")).to_contain_text("待核验")
    swap_url = page.url
    expect(page.get_by_text(f"ESF-J5-{serial}")).to_be_visible()

    bureau = new_page("5-market-swap-bureau")
    bureau.sign_in("demo-bureau")
    bureau.page.goto("/market-swaps?status=recorded")
    bureau.page.get_by_role("link", name=f"交易{swap_url.rsplit('/', 1)[-1]}", exact=True).click()
    expect(bureau.page).to_have_url(swap_url)
    bureau.checkpoint("swap-to-verify")
    bureau.page.once("dialog", lambda dialog: dialog.accept())
    bureau.page.get_by_role("button", name="核验通过并计入目标").click()
    expect(bureau.page.locator("h1")).to_contain_text("已核验")

    assert completed_total(household.page) == count_before + 1
