"""A page in a journey, with the checks every key page gets: a screenshot at desktop and phone
width, no horizontal scrolling on the phone, and no serious or critical axe-core violation."""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import valid_id_number

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
AXE_SCRIPT = Path(__file__).resolve().parents[2] / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


class Journey:
    def __init__(self, page, name: str, screenshots: Path):
        self.page = page
        self.name = name
        self.screenshots = screenshots
        self.shots = 0

    def sign_in(self, login: str, password: str = "demo-pass-2024") -> None:
        self.page.goto("/auth/login")
        self.page.get_by_label("用户名或手机号").fill(login)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(lambda url: "/auth/login" not in url)

    def checkpoint(self, label: str) -> None:
        """A key page: screenshots at both widths, the phone layout and accessibility checked."""
        self.shots += 1
        stem = self.screenshots / self.name / f"{self.shots:02d}-{label}"
        stem.parent.mkdir(parents=True, exist_ok=True)
        # A results map that has started (Leaflet set it up) is checked once it stopped moving.
        self.page.wait_for_function("() => [...document.querySelectorAll('.leaflet-container[data-points-url]')]"
                                    ".every(map => map.dataset.settled)")
        self.page.screenshot(path=f"{stem}-desktop.png", full_page=True)
        problems = self.accessibility_problems()
        assert problems == [], f"{label}: axe-core reports {problems}"
        self.page.set_viewport_size(PHONE)
        try:
            self.page.screenshot(path=f"{stem}-phone.png", full_page=True)
            overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{label}: the page scrolls sideways by {overflow}px on a phone"
            problems = self.accessibility_problems()  # includes tap-target size (WCAG 2.2 target-size)
            assert problems == [], f"{label} on a phone: axe-core reports {problems}"
        finally:
            self.page.set_viewport_size(DESKTOP)

    def save_failure(self) -> None:
        target = self.screenshots / "failures" / f"{self.name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), full_page=True)
        print(f"failed journey {self.name}: {self.page.url} -> {target}")

    def accessibility_problems(self) -> list[str]:
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE_SCRIPT))
        result = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})")
        return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def completed_total(page) -> int:
    """The home page's count of completed swaps (as everyone sees it)."""
    page.goto("/")
    figure = page.locator(".big-number").first.inner_text()  # "40 / 10000 套"
    return int(re.match(r"\s*(\d+)", figure).group(1))


def new_household_identity() -> dict:
    """A phone and ID number no other journey uses (the server lives for the whole session)."""
    serial = secrets.randbelow(10**8)
    return {"real_name": "陈晓明", "phone": f"137{serial:08d}", "id_number": valid_id_number(serial % 1000),
            "password": "Swap-journey-2024"}


def register_household(journey: Journey, identity: dict) -> None:
    page = journey.page
    page.goto("/auth/register")
    page.get_by_label("真实姓名").fill(identity["real_name"])
    page.get_by_label("手机号码").fill(identity["phone"])
    page.get_by_label("身份证号").fill(identity["id_number"])
    page.get_by_label("密码", exact=True).fill(identity["password"])
    page.get_by_label("确认密码").fill(identity["password"])
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(lambda url: "/auth/register" not in url)


OLD_HOME = {"小区名称": "锦绣花园", "建筑面积": "86.50", "建成年份": "2010", "卧室数": "2", "所在楼层": "5",
            "总楼层": "18", "剩余房贷（元）": "150000", "可用存款（元）": "400000", "可贷款额度（元）": "1200000"}


def new_certificate() -> str:
    return f"豫(2015)郑州市不动产权第{secrets.randbelow(10**7):07d}号"


def apply_for_the_program(journey: Journey, channel: str, certificate: str | None = None) -> str:
    """Fill in and submit an application for a home in 金水区; returns the application's URL."""
    page = journey.page
    page.goto("/applications/new")
    for label, value in OLD_HOME.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("所在区县", exact=True).select_option(label="金水区")
    page.get_by_label("有电梯", exact=True).select_option(label="是")
    page.get_by_label("不动产权证号", exact=True).fill(certificate or new_certificate())
    page.get_by_label("是否被查封", exact=True).select_option(label="否")
    page.get_by_label("必须有电梯").select_option(label="是")
    page.get_by_label("换房渠道", exact=True).select_option(label=channel)
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_contain_text("符合条件")
    return page.url
