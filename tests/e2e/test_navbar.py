"""The navigation fits: at 1280, 1366 and 1440 px (the usual government laptop is
1366x768) every role's navbar is one line, nothing overflows and the user menu with
"Keluar" is on screen; on a phone it collapses behind the toggler."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_period

WIDTHS = (1280, 1366, 1440)
ROLES = (
    "admin.sulbar",
    "evaluator.sulbar",
    "sekprov.sulbar",
    "kepala.kominfo",
    "operator.kominfo",
    "admin.polman",
    "evaluator.polman",
    "bupati.polman",
    "superadmin",
)

# Where the navbar's pieces are, in CSS pixels: the items' tops (one line means one top),
# the right edge of the user menu button, and the page's own width.
MEASURE = """() => {
  const items = [...document.querySelectorAll('[data-testid=nav-items] > li')];
  const button = document.querySelector('[data-testid=user-menu-button]');
  const brand = document.querySelector('.navbar-brand');
  const tops = items.map(li => Math.round(li.getBoundingClientRect().top));
  const box = button.getBoundingClientRect();
  return {
    tops: [...new Set([...tops, Math.round(brand.getBoundingClientRect().top)])],
    buttonTop: box.top, buttonBottom: box.bottom, buttonRight: box.right,
    itemsBottom: Math.max(...items.map(li => li.getBoundingClientRect().bottom)),
    navHeight: document.querySelector('[data-testid=navbar]').getBoundingClientRect().height,
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
  };
}"""


@pytest.fixture
def long_names(world):
    # Real names are long; the menu cuts them, it is never pushed off the screen.
    world.admin_sulbar.first_name, world.admin_sulbar.last_name = "Muhammad Ridwan", "Hidayatullah"
    world.admin_sulbar.save()
    make_period(world.sulbar, 2026)
    make_period(world.polman, 2026)


@pytest.mark.parametrize("username", ROLES)
def test_every_roles_navbar_fits_on_one_line(page, live_server, login, world, long_names, username):
    login(username)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 768})
        m = page.evaluate(MEASURE)
        if len(m["tops"]) > 1 or m["navHeight"] > 64:
            problems.append(f"{width}px: the navbar wraps ({m})")
        if m["scrollWidth"] != m["width"]:
            problems.append(f"{width}px: the page scrolls sideways ({m['scrollWidth']} > {width})")
        if (
            m["buttonRight"] > width
            or m["buttonTop"] < 0
            or m["buttonBottom"] > m["navHeight"] + 16
        ):
            problems.append(f"{width}px: the user menu is off the navbar ({m})")
        page.get_by_test_id("user-menu-button").click()
        logout = page.get_by_test_id("logout")
        expect(logout).to_be_visible()
        box = logout.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"{width}px: 'Keluar' is cut off ({box})")
        page.keyboard.press("Escape")
    assert not problems, "\n".join(problems)


def test_the_phone_layout_collapses_the_navbar(page, live_server, login, world, long_names):
    page.set_viewport_size({"width": 390, "height": 844})
    login("admin.sulbar")
    items = page.get_by_test_id("nav-items")
    expect(items).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.get_by_test_id("nav-toggle").click()
    expect(items).to_be_visible()
    page.get_by_test_id("nav-admin").locator(".dropdown-toggle").click()
    expect(page.get_by_test_id("nav-people")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == 390
