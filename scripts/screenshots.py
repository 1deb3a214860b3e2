"""Screenshots of the main pages of every role at 1366×768 and on a 390×844 phone, into
docs/screenshots/ (the first screen of each page; --full-page for the whole page).

Run it against a demo server seeded with `manage.py seed_demo`, e.g.:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 DEBUG=1 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 DEBUG=1 .venv/bin/python manage.py runserver 8801
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8801

Uses Playwright with Debian's chromium (CHROMIUM or /usr/bin/chromium); the demo users'
password is the seed_demo one (SPBE_DEMO_PASSWORD, default "demo-spbe-2025").
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# (file name, user, path): the pages each role lives on. Final years (2025) for the
# figures, the year under evaluation for the work pages.
PAGES = [
    ("dashboard", "sekprov.sulbar", "/pemda/76/dasbor/?tahun=2025"),
    ("kabupaten", "sekprov.sulbar", "/pemda/76/kabupaten/?tahun=2025"),
    ("opd-list", "sekprov.sulbar", "/pemda/76/opd/?tahun=2025"),
    # A red OPD, so that the way out of the red zone shows.
    ("scorecard", "sekprov.sulbar", "/pemda/76/opd/DISBUN/rapor/?tahun=2025"),
    ("review-queue", "evaluator.sulbar", "/pemda/76/evaluasi/"),
    ("self-assessment", "operator.kominfo", "/pemda/76/opd/DISKOMINFO/mandiri/"),
    ("team", "kepala.kominfo", "/pemda/76/opd/DISKOMINFO/tim/"),
    ("jobs", "admin.sulbar", "/pekerjaan/"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8801")
    parser.add_argument(
        "--password", default=os.environ.get("SPBE_DEMO_PASSWORD", "demo-spbe-2025")
    )
    parser.add_argument(
        "--full-page", action="store_true", help="capture the whole page, not the first screen"
    )
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size_name, viewport in SIZES.items():
            for name, user, path in PAGES:
                context = browser.new_context(
                    viewport=viewport,
                    locale="id-ID",
                    device_scale_factor=1,
                    is_mobile=size_name == "phone",
                )
                page = context.new_page()
                page.goto(f"{options.base_url}/akun/masuk/")
                page.fill("#id_username", user)
                page.fill("#id_password", options.password)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                response = page.goto(options.base_url + path)
                if response is None or response.status != 200:
                    sys.exit(f"{path} as {user}: HTTP {response.status if response else '?'}")
                if page.locator("[data-chart]").count():
                    page.wait_for_selector(
                        "html[data-charts-ready=yes]", state="attached", timeout=20_000
                    )
                target = OUT / f"{name}-{size_name}.png"
                page.screenshot(path=str(target), full_page=options.full_page)
                print(target.relative_to(ROOT))
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
