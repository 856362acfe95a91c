"""Capture the key pages at desktop and phone widths into docs/screenshots/.

Usage: start the app with demo data (`make run`), then
    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:5000]
Drives Debian's Chromium through Playwright (browser downloads are not possible here).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# (file name, login or None, path)
PAGES = [
    ("home", None, "/"),
    ("register", None, "/auth/register"),
    ("listing-detail", None, "/listings/{listing_id}"),
    ("verify", None, "/verify/{verification_code}"),
    ("project-unit-table", None, "/projects/1"),
    ("search-listings", None, "/search?district=410105&district=410190&bedrooms=2&sort=price_asc"),
    ("search-units", None, "/search/units?program=true&bedrooms=3"),
    ("search-empty", None, "/search?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E5%B0%8F%E5%8C%BA&district=410105"),
    ("project-directory", None, "/projects?program=true"),
    ("eligibility", None, "/eligibility"),
    ("agency-listings", "demo-agency", "/my/listings"),
    ("agency-import", "demo-agency", "/agency/import"),
    ("listing-form", "demo-owner", "/my/listings/new"),
    ("developer-project", "demo-developer", "/developer/projects"),
    ("bureau-pending", "demo-bureau", "/bureau/listings/pending"),
    ("city-group-queue", "demo-group", "/city-group/queue"),
    ("acquisition-officer", "demo-group", "/acquisitions/{open_acquisition_id}"),
    ("acquisition-offer", "demo-owner", "/acquisitions/1"),
    ("appraiser-tasks", "demo-appraiser", "/acquisitions"),
    ("market-swap-form", "demo-agency", "/market-swaps/new"),
    ("market-swaps-bureau", "demo-bureau", "/market-swaps?status=verified"),
    ("goal-ledger", "demo-bureau", "/bureau/ledger"),
    ("bureau-dashboard", "demo-bureau", "/bureau/dashboard"),
    ("transparency", None, "/progress"),
    ("admin-audit", "demo-bureau", "/admin/audit"),
    ("admin-users", "demo-bureau", "/admin/users"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--listing-id", default="18")
    parser.add_argument("--verification-code", default="ZZ00000018")
    parser.add_argument("--open-acquisition-id", default="22", help="an acquisition waiting for the officer")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for viewport_name, viewport in VIEWPORTS.items():
            for name, login, path in PAGES:
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                page = context.new_page()
                if login:
                    sign_in(page, args.base_url, login)
                url = args.base_url + path.format(listing_id=args.listing_id,
                                                  verification_code=args.verification_code,
                                                  open_acquisition_id=args.open_acquisition_id)
                page.goto(url)
                target = OUT / f"{name}-{viewport_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"{target.relative_to(OUT.parent.parent)}  {url}")
                context.close()
        browser.close()


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/auth/login")
    page.fill("#login", username)
    page.fill("#password", "demo-pass-2024")
    page.click("button[type=submit]")
    page.wait_for_load_state()


if __name__ == "__main__":
    main()
