"""Journey 1: a household registers, lists its home with a photo, gets it verified by the bureau,
searches new-build units with filters and sorting, saves the search, applies to the program and
reads its eligibility, valuation, matches, the cash gap for a chosen unit and its timeline."""
import io
import re
import secrets
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import expect

from tests.browser.journey import new_household_identity, register_household

HOME = {"小区名称": "锦绣花园", "小区地址": "金水区花园路88号", "楼栋": "5号楼", "房号": "1202", "所在楼层": "12",
        "总楼层": "24", "建筑面积": "92.40", "卧室数": "2", "厅": "2", "卫": "1", "建成年份": "2011",
        "挂牌总价（元）": "1180000"}


def photo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (178, 204, 230)).save(out, "PNG")
    return out.getvalue()


def wan(text: str) -> float:
    return float(re.search(r"[\d.]+", text).group(0))


def list_home(page, identity: dict) -> str:
    page.goto("/my/listings/new")
    for label, value in HOME.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("所在区县", exact=True).select_option(label="金水区")
    for label, choice in (("朝向", "南北"), ("装修", "精装"), ("有电梯", "是"), ("房屋性质", "商品房")):
        page.get_by_label(label, exact=True).select_option(label=choice)
    page.get_by_label("不动产权证号").fill(f"豫(2011)郑州市不动产权第{secrets.randbelow(10**7):07d}号")
    page.get_by_label("联系人").fill(identity["real_name"])
    page.get_by_label("联系电话").fill(identity["phone"])
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("锦绣花园")
    return page.url


def test_a_household_lists_its_home_applies_and_reads_its_matches(new_page):
    household = new_page("1-household")
    identity = new_household_identity()
    register_household(household, identity)
    page = household.page
    listing_url = list_home(page, identity)

    page.get_by_label("选择照片").set_input_files(
        {"name": "客厅.png", "mimeType": "image/png", "buffer": photo_png()})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_role("img", name="锦绣花园实景照片1")).to_be_visible()
    page.get_by_role("button", name="提交核验").click()
    expect(page.locator(".badge").first).to_have_text("待核验")
    household.checkpoint("listing-submitted")

    bureau = new_page("1-household-bureau")
    bureau.sign_in("demo-bureau")
    bureau.page.goto("/bureau/listings/pending")
    bureau.page.locator(f"a[href='{urlsplit(listing_url).path}']").click()
    bureau.page.get_by_label("人工核验说明").fill("产权证原件已核对")
    bureau.page.get_by_role("button", name="人工核验通过").click()
    page.reload()
    expect(page.get_by_text("在售", exact=True)).to_be_visible()
    expect(page.get_by_text("已核验", exact=True)).to_be_visible()

    page.goto("/search/units")
    for district in ("金水区", "郑东新区"):
        page.get_by_label(district, exact=True).check()
    page.get_by_label("至少几室").select_option(label="3室及以上")
    page.get_by_label("只看参与以旧换新的项目").check()
    page.get_by_label("排序").select_option(label="总价从低到高")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"共找到 \d+ 套新房"))).to_be_visible()
    prices = [wan(text) for text in page.locator(".card-list .price").all_inner_texts()]
    assert len(prices) >= 2
    assert prices == sorted(prices)
    assert all(re.search("金水区|郑东新区", text) for text in page.locator(".card-list .hint").all_inner_texts())
    household.checkpoint("unit-search")
    page.get_by_label("保存此搜索，有新房源时提醒我").fill("金水郑东三室")
    page.get_by_role("button", name="保存搜索").click()
    expect(page.get_by_text("已保存搜索")).to_be_visible()
    page.goto("/notifications")
    expect(page.get_by_text("金水郑东三室")).to_be_visible()

    page.goto(listing_url)
    page.get_by_role("link", name="用这套房申请以旧换新").click()
    expect(page.get_by_label("小区名称")).to_have_value("锦绣花园")  # prefilled from the listing
    page.get_by_label("是否被查封").select_option(label="否")
    page.get_by_label("剩余房贷（元）").fill("120000")
    page.get_by_label("可用存款（元）").fill("450000")
    page.get_by_label("可贷款额度（元）").fill("1300000")
    page.get_by_label("必须有电梯").select_option(label="是")
    page.get_by_label("换房渠道").select_option(label="均可")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交申请").click()

    decision = page.get_by_role("region", name="资格审核结果")
    expect(decision).to_contain_text("符合条件：")
    expect(decision).to_contain_text(re.compile(r"审核依据第\d+版项目规则"))
    expect(page.get_by_role("region", name="旧房估值").locator(".big-number")).to_contain_text("万元")
    matches = page.get_by_role("region", name="为您匹配的新房").get_by_role("listitem")
    assert matches.count() >= 1
    household.checkpoint("application-matches")
    matches.first.get_by_role("link", name="测算资金缺口").click()
    gap = page.get_by_role("region", name="资金测算（所选房源）")
    expect(gap.get_by_role("row", name=re.compile("资金缺口"))).to_be_visible()
    household.checkpoint("cash-gap")

    timeline = page.get_by_role("region", name="办理进度").get_by_role("listitem")
    expect(timeline.first).to_contain_text("草稿")
    expect(timeline.last).to_contain_text("符合条件")
