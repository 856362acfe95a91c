"""Journey 8: a household that may sell to the city group or on the market sees its place in the
city group's queue, reserves a new unit under a three-party agreement that the developer and the
agency accept, ends the hold with its deposit refunded, reserves again, and the agency's record of
its market swap turns the second hold into a deal. Another household's hold runs out unsold: the
daily job ends it with the refund and the unit is back for sale."""
import re
import secrets
from datetime import date, timedelta

from playwright.sync_api import expect

from housing_swap.domain.timezones import beijing_today
from tests.browser.journey import apply_for_the_program, new_certificate, new_household_identity, register_household

AGENCY = "链家郑州第1分公司"     # demo-agency's organization in the demo data


def days_ago(days: int) -> str:
    return (beijing_today() - timedelta(days=days)).isoformat()


def an_available_programme_unit(developer) -> str:
    """One of demo-developer's units still for sale in a programme project, read off its unit table."""
    page = developer.page
    page.goto("/developer/projects")
    page.locator("li.card", has_text=re.compile(r"· 参与以旧换新")).first.get_by_role("link").click()
    return page.locator("td.unit-available input[name=unit_id]").first.get_attribute("value")


def other_parties(new_page, journey: str):
    """The developer and the agency of the agreement, each signed in on its own page."""
    developer = new_page(f"{journey}-developer")
    developer.sign_in("demo-developer")
    agency = new_page(f"{journey}-agency")
    agency.sign_in("demo-agency")
    return developer, agency


def reserve(household, application_id: str, unit_id: str) -> str:
    page = household.page
    page.goto(f"/reservations/new?application_id={application_id}&unit_id={unit_id}")
    page.get_by_label("出售旧房的经纪机构").select_option(label=AGENCY)
    page.get_by_label("定金（元）").fill("2万")
    page.get_by_label("我已阅读并同意上述三方协议条款").check()
    page.get_by_role("button", name="提出锁房保留协议").click()
    expect(page.get_by_text("锁房保留协议已提出")).to_be_visible()
    return page.url


def accept(party, reservation_url: str) -> None:
    party.page.goto(reservation_url)
    party.page.get_by_role("button", name="确认协议").click()
    expect(party.page.get_by_text("已确认锁房保留协议")).to_be_visible()


def test_a_reservation_ends_in_a_refund_and_another_in_a_market_swap(new_page):
    household = new_page("8-reservation-household")
    identity = new_household_identity()
    register_household(household, identity)
    certificate = new_certificate()
    application_url = apply_for_the_program(household, "均可", certificate)
    application_id = application_url.rsplit("/", 1)[-1]
    expect(household.page.get_by_role("heading", name="城发集团收购名额排队")).to_be_visible()
    expect(household.page.locator(".big-number", has_text="位")).to_have_text(re.compile(r"第\d+位"))
    household.checkpoint("queue-position")

    developer, agency = other_parties(new_page, "8-reservation")
    unit_id = an_available_programme_unit(developer)

    first = reserve(household, application_id, unit_id)
    household.checkpoint("reservation-proposed")
    accept(developer, first)
    accept(agency, first)
    expect(agency.page.locator(".badge", has_text="保留中")).to_be_visible()
    agency.checkpoint("reservation-active")

    page = household.page
    page.goto(first)
    page.get_by_label("说明（选填）").last.fill("决定暂缓换房")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提前结束并退还定金").click()
    expect(page.locator(".badge", has_text="已结束并退还定金")).to_be_visible()
    expect(page.get_by_text("20,000元").first).to_be_visible()
    household.checkpoint("reservation-refunded")

    second = reserve(household, application_id, unit_id)      # the unit is back in stock
    accept(developer, second)
    accept(agency, second)

    serial = secrets.randbelow(10**7)
    form = agency.page
    form.goto("/market-swaps/new")
    form.get_by_label("换房家庭手机号").fill(identity["phone"])
    form.get_by_label("旧房所在区县").fill("金水区")
    form.get_by_label("旧房不动产权证号").fill(certificate)
    form.get_by_label("旧房买方姓名").fill("孙立新")
    form.get_by_label("旧房成交价（元）").fill("1050000")
    form.get_by_label("旧房买卖合同编号").fill(f"ESF-J8-{serial}")
    form.get_by_label("旧房签约日期").fill(days_ago(20))
    form.get_by_label("新房房屋编号（平台内）（选填）").fill(unit_id)
    form.get_by_label("新房购房合同/网签备案号").fill(f"WQ-J8-{serial}")
    form.get_by_label("新房总价（元）").fill("1900000")
    form.get_by_label("新房签约日期").fill(days_ago(5))
    form.get_by_role("button", name="登记").click()
    expect(form.locator("h1")).to_contain_text("待核验")

    page.goto(second)
    expect(page.locator(".badge", has_text="已成交")).to_be_visible()
    expect(page.get_by_role("link", name="查看对应的市场交易")).to_be_visible()
    household.checkpoint("reservation-converted")


def test_a_hold_that_runs_out_unsold_ends_in_a_refund_and_the_unit_is_back_for_sale(new_page, server_side):
    household = new_page("8-reservation-runs-out")
    register_household(household, new_household_identity())
    application_id = apply_for_the_program(household, "均可", new_certificate()).rsplit("/", 1)[-1]
    developer, agency = other_parties(new_page, "8-runs-out")
    unit_id = an_available_programme_unit(developer)
    agreement = reserve(household, application_id, unit_id)
    accept(developer, agreement)
    accept(agency, agreement)

    page = household.page
    page.goto(agreement)
    hold = page.locator("dt", has_text="保留期").locator("xpath=following-sibling::dd").inner_text()
    last_day = date.fromisoformat(re.search(r"至 (\d{4}-\d{2}-\d{2})", hold).group(1))
    on_the_last_day = server_side.flask("reservations", "expire", "--today", last_day.isoformat())
    assert on_the_last_day.startswith("0 hold(s)")
    page.reload()
    expect(page.locator(".badge", has_text="保留中")).to_be_visible()
    the_day_after = server_side.flask("reservations", "expire", "--today", (last_day + timedelta(days=1)).isoformat())
    assert the_day_after.startswith("1 hold(s) ran out and were refunded")
    page.reload()
    expect(page.locator(".badge", has_text="已结束并退还定金")).to_be_visible()
    expect(page.get_by_text("保留期满旧房未售出，保留结束")).to_be_visible()
    expect(page.locator("dt", has_text="退还定金").locator("xpath=following-sibling::dd")).to_have_text("20,000元")
    household.checkpoint("reservation-ran-out")

    assert an_available_programme_unit(developer) == unit_id          # for sale again, first in its table
    page.goto(f"/reservations/new?application_id={application_id}&unit_id={unit_id}")
    expect(page.get_by_role("button", name="提出锁房保留协议")).to_be_visible()   # and may be reserved again
