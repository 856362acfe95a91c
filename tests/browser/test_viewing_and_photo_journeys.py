"""Journeys 8 and 9: a viewing request from both sides ending in revealed numbers, with the
household told on the site and by e-mail; an agency managing a listing's photos."""
import io
import re
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect

from housing_swap.domain.timezones import beijing_today
from tests.browser.journey import new_household_identity, register_household


def tomorrow_afternoon() -> str:
    """A datetime-local value (Beijing time) a day ahead at 15:00."""
    day = beijing_today() + timedelta(days=1)
    return f"{day.isoformat()}T15:00"


def first_active_listing_of_the_agency(agency) -> str:
    agency.page.goto("/my/listings?status=active")
    return agency.page.locator("a[href^='/listings/']").first.get_attribute("href")


def test_a_viewing_request_from_both_sides_ends_in_revealed_numbers_and_mail(new_page, server_side):
    household = new_page("8-viewing-household")
    identity = new_household_identity()
    register_household(household, identity)
    page = household.page
    page.goto("/notifications/settings")
    page.get_by_label("通知邮箱（留空则不发邮件）").fill("chen.xiaoming@example.com")
    page.get_by_role("button", name="保存邮箱").click()
    expect(page.get_by_text("通知邮件将发送到 chen.xiaoming@example.com")).to_be_visible()

    agency = new_page("8-viewing-agency")
    agency.sign_in("demo-agency")
    listing = first_active_listing_of_the_agency(agency)
    page.goto(listing)
    masked = page.locator(".facts").get_by_text(re.compile(r"\d{3}\*{4}\d{4}"))
    expect(masked).to_be_visible()
    page.get_by_label("时间1").fill(tomorrow_afternoon())
    page.get_by_label("留言（选填，200字以内）").fill("周末下午方便，想看看采光")
    page.get_by_role("button", name="预约看房").click()
    expect(page.get_by_text("已发出看房预约")).to_be_visible()
    expect(page.get_by_text("待房源方答复").first).to_be_visible()
    household.checkpoint("viewing-requested")

    agency.page.goto("/viewings")
    agency.page.get_by_role("link", name=re.compile(r"室\d厅")).first.click()
    expect(agency.page.get_by_text(identity["real_name"][0] + "**")).to_be_visible()  # masked until agreed
    agency.page.get_by_role("button", name="确认看房时间").click()
    expect(agency.page.get_by_text("已确认看房时间")).to_be_visible()
    agency.page.get_by_role("button", name="查看对方电话").click()
    expect(agency.page.get_by_text(identity["phone"])).to_be_visible()
    agency.checkpoint("viewing-agreed-number-revealed")

    page.goto("/notifications")
    expect(page.get_by_role("button", name=re.compile("看房时间已确认"))).to_be_visible()
    page.get_by_role("button", name=re.compile("看房时间已确认")).click()
    expect(page.get_by_text("已约定").first).to_be_visible()
    page.get_by_role("button", name="查看对方电话").click()
    expect(page.get_by_text("已显示对方的完整电话")).to_be_visible()
    household.checkpoint("viewing-household-sees-number")

    server_side.flask("jobs", "run", "notifications_deliver")
    mail = [message for recipients, message in server_side.mailbox.messages
            if "chen.xiaoming@example.com" in recipients]
    assert mail, "no mail reached the household"
    assert "看房时间已确认" in mail[-1]["Subject"]
    assert "/viewings/" in mail[-1].get_body(("plain",)).get_content()


def photo(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1024, 768), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_agency_manages_a_listings_photos(new_page):
    agency = new_page("9-photos")
    agency.sign_in("demo-agency")
    page = agency.page
    page.goto(first_active_listing_of_the_agency(agency))
    before = page.locator(".photo-grid li").count()
    page.get_by_label(re.compile("选择照片")).set_input_files([
        {"name": "客厅.jpg", "mimeType": "image/jpeg", "buffer": photo((200, 120, 60))},
        {"name": "卧室.jpg", "mimeType": "image/jpeg", "buffer": photo((60, 120, 200))}])
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传2张实景照片")).to_be_visible()
    expect(page.locator(".photo-grid li")).to_have_count(before + 2)
    last = before + 2
    page.get_by_role("button", name=f"将第{last}张设为封面").click()
    expect(page.get_by_text("已设为封面")).to_be_visible()
    cover = page.locator(".photo-grid li").first
    expect(cover.get_by_text("封面")).to_be_visible()
    page.get_by_role("button", name="第1张后移").click()
    expect(page.get_by_text("照片顺序已调整")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"删除第{last}张").click()
    expect(page.get_by_text("照片已删除")).to_be_visible()
    expect(page.locator(".photo-grid li")).to_have_count(before + 1)
    small = io.BytesIO()
    Image.new("RGB", (320, 240), (0, 0, 0)).save(small, "JPEG")
    page.get_by_label(re.compile("选择照片")).set_input_files(
        {"name": "太小.jpg", "mimeType": "image/jpeg", "buffer": small.getvalue()})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text(re.compile("分辨率过低"))).to_be_visible()
    agency.checkpoint("photos-managed")
