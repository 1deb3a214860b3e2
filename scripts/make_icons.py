"""Render static/icons/icon.svg to the PNG app icons and favicon.ico with Debian's
chromium (no image library needed). Run again after changing the SVG:

    .venv/bin/python scripts/make_icons.py
"""

import shutil
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
SIZES = {"icon-16.png": 16, "icon-32.png": 32, "apple-touch-icon.png": 180,
         "icon-192.png": 192, "icon-512.png": 512}  # fmt: skip
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def ico(pngs):
    """An .ico holding PNG images (Windows Vista and every browser read these)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        data += png
    return header + entries + data


def main():
    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        for name, size in SIZES.items():
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(
                "<style>html,body{margin:0;background:transparent}svg{display:block;"
                f"width:{size}px;height:{size}px}}</style>{svg}"
            )
            page.screenshot(path=str(ICONS / name), omit_background=True)
        browser.close()
    pngs = [(size, (ICONS / f"icon-{size}.png").read_bytes()) for size in (16, 32)]
    (ICONS / "favicon.ico").write_bytes(ico(pngs))
    print("written:", ", ".join([*SIZES, "favicon.ico"]))


if __name__ == "__main__":
    main()
