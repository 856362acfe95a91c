"""The interface outside the journeys: public pages checked like key pages, and keyboard use."""
import re

import pytest
from playwright.sync_api import expect

PUBLIC_PAGES = {
    "home": "/",
    "transparency": "/progress",
    "project-directory": "/projects?program=true",
    "eligibility-check": "/eligibility",
    "listing-search-empty": "/search?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E5%B0%8F%E5%8C%BA",
    "listing-search": "/search?bedrooms=2&min_price=500000",
    "register": "/auth/register",
    "organization-application": "/organizations/apply",
}


@pytest.mark.parametrize("label", PUBLIC_PAGES)
def test_public_pages_work_on_a_phone_and_pass_axe(new_page, label):
    visitor = new_page("public")
    response = visitor.page.goto(PUBLIC_PAGES[label])
    assert response.status == 200
    visitor.checkpoint(label)


def test_the_keyboard_reaches_the_content_first_and_focus_is_visible(new_page):
    visitor = new_page("keyboard")
    page = visitor.page
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="跳到主要内容")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))  # waits: the hash changes after the key event
    page.keyboard.press("Tab")
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                            "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert outline[0] != "none"
    assert outline[1] >= 2


def test_an_empty_search_says_what_to_do_next(new_page):
    visitor = new_page("empty-state")
    visitor.page.goto(PUBLIC_PAGES["listing-search-empty"])
    expect(visitor.page.get_by_role("heading", name="共找到 0 套二手房")).to_be_visible()
    expect(visitor.page.get_by_text("没有符合条件的房源。放宽一个条件可以找到：")).to_be_visible()
    expect(visitor.page.get_by_role("listitem").filter(has_text="去掉关键词")).to_contain_text(re.compile(r"：\d+ 套"))
    visitor.page.get_by_role("link", name="去掉关键词").click()
    expect(visitor.page.get_by_role("heading", name="共找到 0 套二手房")).to_have_count(0)


def test_on_a_phone_the_header_links_fold_behind_a_menu_button(new_page):
    bureau = new_page("phone-menu")
    bureau.sign_in("demo-bureau")
    page = bureau.page
    menu = page.get_by_role("button", name="菜单")
    dashboard_link = page.get_by_role("navigation", name="账户").get_by_role("link", name="监测看板")
    expect(menu).to_be_hidden()  # a desktop shows every link
    expect(dashboard_link).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    expect(menu).to_be_visible()
    expect(dashboard_link).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.set_viewport_size({"width": 1366, "height": 768})
    bureau.checkpoint("menu-open")  # at phone width the open menu passes the same checks
    page.set_viewport_size({"width": 390, "height": 844})
    dashboard_link.click()
    expect(page.locator("h1")).to_have_text("以旧换新监测看板")


def test_on_a_phone_the_first_result_is_on_the_first_screen_and_filters_open_in_a_drawer(new_page):
    visitor = new_page("phone-search")
    page = visitor.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search?bedrooms=2&min_price=500000")
    first_result = page.locator(".card-list > li").first
    box = first_result.bounding_box()
    assert box is not None
    assert box["y"] < 844, f"the first result starts {box['y']}px down, below the first screen"
    toggle = page.get_by_role("button", name=re.compile("^筛选"))
    expect(toggle).to_contain_text("2")  # two filters are active
    price_box = page.get_by_label("最低总价（万元）")
    expect(price_box).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(price_box).to_be_visible()
    expect(price_box).to_have_value("50")
    visitor.checkpoint("filter-drawer-open")
    page.set_viewport_size({"width": 390, "height": 844})
    page.keyboard.press("Escape")
    expect(price_box).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    price_box.fill("80")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page).to_have_url(re.compile(r"min_price=800000"))
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(toggle).to_be_hidden()  # a desktop shows the filters beside the results
    expect(price_box).to_be_visible()


def results_count(page) -> int:
    return int(re.search(r"共找到 (\d+) 套", page.locator("#results-title").inner_text()).group(1))


def test_a_map_search_with_a_drawn_area_and_one_that_follows_the_map(new_page):
    visitor = new_page("map-search")
    page = visitor.page
    page.goto("/search?district=410105")
    expect(page.locator("#map-note")).to_contain_text("地图显示")
    everywhere = results_count(page)
    box = page.locator("#results-map").bounding_box()
    page.get_by_role("button", name="画出区域").click()
    for x, y in ((0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)):
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    expect(page.locator("#map-status")).to_contain_text("已选4个点")
    page.get_by_role("button", name="完成区域").click()
    expect(page).to_have_url(re.compile(r"polygon=[\d.]+%2C[\d.]+%3B"))
    inside = results_count(page)
    assert 0 < inside <= everywhere
    expect(page.get_by_role("link", name="不限地图范围")).to_be_visible()
    visitor.checkpoint("map-search-drawn-area")
    page.get_by_label("移动地图时更新结果").check()
    page.get_by_role("button", name="缩小").click()
    expect(page).to_have_url(re.compile(r"bbox=[\d.]+%2C"))
    assert "polygon=" not in page.url
    assert results_count(page) >= inside
