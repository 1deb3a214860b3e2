"""The Kominfo administrator runs the whole cycle in the app (issue 12, "done means"):
admin.sulbar creates the 2027 period from 2026, sets its schedule and its thresholds
(with the preview and a reason), creates an operator for an OPD, who logs in and sees
the open self-assessment, unlocks a locked-out user and merges two OPDs. No step goes
through the Django admin: every request of the browser is checked."""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from evaluations.models import Period
from opd.models import OPD, RegistryEvent
from tests.factories import PASSWORD, OPDFactory, make_period

NEW_PASSWORD = "Malunda-Mamuju-2027"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None
    yield
    AxesProxyHandler.implementation = None


@pytest.fixture
def year_2026(world):
    world.admin_sulbar.first_name, world.admin_sulbar.last_name = "Muhammad", "Ridwan"
    world.admin_sulbar.save()
    for kode, nama in (("DISHUB", "Dinas Perhubungan"), ("DISPAR", "Dinas Pariwisata")):
        OPDFactory(pemda=world.sulbar, kode=kode, nama=nama, singkatan=kode.title())
    return make_period(
        world.sulbar,
        2026,
        status=Period.Status.FINAL,
        batas_mandiri=datetime.date(2026, 5, 29),
        batas_dokumen=datetime.date(2026, 7, 31),
        batas_final=datetime.date(2026, 12, 15),
    )


def open_admin_menu(page, item):
    page.get_by_test_id("nav-admin").locator(".dropdown-toggle").click()
    page.get_by_test_id(item).click()


def test_the_administrator_runs_the_cycle_without_the_django_admin(
    page, browser, live_server, login, world, year_2026, axes_on
):
    base = live_server.url
    admin_requests = []
    page.on("request", lambda r: "/admin/" in r.url and admin_requests.append(r.url))
    login("admin.sulbar")

    # 1. The 2027 period, from 2026: carried over, the schedule set on the same form.
    open_admin_menu(page, "nav-periods")
    page.goto(f"{base}/pemda/76/periode/?tahun=2026")
    page.get_by_test_id("open-next").click()
    expect(page.locator("#id_tahun")).to_have_value("2027")
    expect(page.locator("#id_batas_mandiri")).to_have_value("2027-05-29")
    page.fill("#id_batas_mandiri", "2027-05-31")
    page.fill("#id_batas_interviu", "2027-09-30")
    page.fill("#id_batas_visitasi", "2027-10-31")
    page.get_by_test_id("period-create").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "mandiri")
    expect(page.get_by_test_id("schedule")).to_contain_text("31 Mei 2027")
    period = Period.objects.get(pemda=world.sulbar, tahun=2027)
    assert set(period.assessments.values_list("opd__kode", flat=True)) == {
        "DISKOMINFO",
        "BAPPEDA",
        "DISHUB",
        "DISPAR",
    }

    # 2. Its thresholds: the effect first, then the reason, recorded in the history.
    page.get_by_test_id("change-thresholds").click()
    page.get_by_test_id("threshold-hijau").fill("3,60")
    page.get_by_test_id("threshold-kuning").fill("2,70")
    page.get_by_test_id("threshold-preview").click()
    expect(page.get_by_test_id("threshold-effect")).to_be_visible()
    page.get_by_test_id("threshold-reason").fill("Keputusan Tim Koordinasi SPBE 2027")
    page.get_by_test_id("threshold-save").click()
    green = page.get_by_test_id("period-change").filter(has_text="Zona hijau mulai")
    expect(green).to_contain_text("3,50 → 3,60 · alasan: Keputusan Tim Koordinasi SPBE 2027")
    period.refresh_from_db()
    assert str(period.zona_hijau_dari) == "3.60" and str(period.zona_kuning_dari) == "2.70"

    # 3. An operator for Bappeda.
    open_admin_menu(page, "nav-people")
    page.get_by_test_id("account-new").click()
    page.fill("#id_username", "operator.bappeda")
    page.fill("#id_first_name", "Rina")
    page.fill("#id_last_name", "Wati")
    page.select_option("#id_role", "operator_opd")
    page.select_option("#id_opd", label=f"{world.bappeda.nama} (BAPPEDA)")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.get_by_test_id("account-save").click()
    expect(page.get_by_test_id("account-status")).to_have_attribute("data-active", "1")

    # 4. The operator logs in and finds the open self-assessment, with its deadline.
    operator = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    other = operator.new_page()
    other.goto(f"{base}/akun/masuk/")
    other.fill("#id_username", "operator.bappeda")
    other.fill("#id_password", NEW_PASSWORD)
    other.click("button[type=submit]")
    expect(other.get_by_test_id("running-card")).to_contain_text("Penilaian mandiri dibuka")
    expect(other.get_by_test_id("deadline")).to_have_text("Penilaian mandiri sampai 31 Mei 2027")
    other.get_by_role("link", name="Penilaian mandiri").last.click()
    expect(other.get_by_test_id("self-status")).to_have_attribute("data-status", "draf")
    expect(other.locator(".indicator").first.get_by_test_id("save")).to_be_visible()
    operator.close()

    # 5. The Sekprov locked themselves out; the administrator unlocks the login.
    locked = browser.new_context(locale="id-ID")
    sekprov = locked.new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sekprov.goto(f"{base}/akun/masuk/")
        sekprov.fill("#id_username", "sekprov.sulbar")
        sekprov.fill("#id_password", "salah")
        sekprov.click("button[type=submit]")
    expect(sekprov.get_by_test_id("locked-out")).to_be_visible()
    open_admin_menu(page, "nav-people")
    row = page.locator("[data-testid=person][data-username='sekprov.sulbar']")
    expect(row.get_by_test_id("locked-badge")).to_be_visible()
    page.get_by_test_id("manage-sekprov.sulbar").click()
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("account-lock")).to_have_attribute("data-locked", "0")
    sekprov.goto(f"{base}/akun/masuk/")
    sekprov.fill("#id_username", "sekprov.sulbar")
    sekprov.fill("#id_password", PASSWORD)
    sekprov.click("button[type=submit]")
    sekprov.wait_for_url(f"{base}/")
    locked.close()

    # 6. Dinas Perhubungan and Dinas Pariwisata merge from 2027.
    open_admin_menu(page, "nav-registry")
    page.get_by_test_id("registry-merge").click()
    for opd in OPD.objects.filter(kode__in=["DISHUB", "DISPAR"]):
        page.check(f"input[name=opds][value='{opd.pk}']")
    page.fill("#id_dari_tahun", "2027")
    page.fill("#id_kode", "DISHUBPAR")
    page.fill("#id_nama", "Dinas Perhubungan dan Pariwisata")
    page.fill("#id_alasan", "Perda Sulbar 2/2026 tentang Perangkat Daerah")
    page.get_by_test_id("registry-merge-save").click()
    expect(page.get_by_test_id("lineage")).to_contain_text("Dinas Perhubungan")
    assert set(period.assessments.values_list("opd__kode", flat=True)) == {
        "DISKOMINFO",
        "BAPPEDA",
        "DISHUBPAR",
    }
    assert set(year_2026.assessments.values_list("opd__kode", flat=True)) >= {"DISHUB", "DISPAR"}
    # Each old OPD: its last year and its successor; the new one: its predecessors.
    merged = RegistryEvent.objects.filter(action="opd_merged", user=world.admin_sulbar)
    assert sorted(merged.values_list("field", flat=True)) == sorted(
        ["aktif_sampai", "aktif_sampai", "penerus", "penerus", "pendahulu"]
    )

    assert admin_requests == []
