"""Teams across years in a browser (issue 13, "Done means": past team read-only): last
year's team has no buttons and says why; this year's starts as a copy of last year's
approved team, with its expired certificate flagged, at desktop and phone width."""

import datetime

import pytest
from playwright.sync_api import expect

from opd.models import TeamCertificate, TeamProposal
from tests.e2e.pagewalk import HORIZONTAL_OVERFLOW
from tests.factories import THIS_YEAR, add_member, make_team

LAST = THIS_YEAR - 1


@pytest.fixture
def last_year(world):
    team = make_team(world.kominfo, LAST, state=TeamProposal.State.APPROVED)
    add_member(team, 1, name="Andi Hamzah")
    security = add_member(team, 6, name="Rahmat Basri")
    TeamCertificate.objects.create(
        member=security,
        name="Keamanan Informasi",
        issuer=TeamCertificate.Issuer.BNSP,
        issued_on=datetime.date(LAST - 2, 1, 1),
        expires_on=datetime.date(LAST, 6, 30),
    )
    return team


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_last_years_team_is_read_only_and_starts_this_years(
    page, live_server, login, world, last_year, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login("operator.kominfo")
    team = f"{live_server.url}/pemda/76/opd/DISKOMINFO/tim/"

    page.goto(f"{team}?tahun={LAST}")
    expect(page.get_by_text("termasuk tahun yang telah lewat: hanya dapat dilihat")).to_be_visible()
    expect(page.get_by_text("Andi Hamzah")).to_be_visible()
    assert page.get_by_role("link", name="Tambah anggota").count() == 0
    assert page.get_by_role("button", name="Hapus").count() == 0
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 1

    page.goto(f"{team}?tahun={THIS_YEAR}")
    page.get_by_role("button", name="Salin tim tahun lalu yang disetujui").click()
    expect(page.get_by_text(f"Disalin dari tim yang disetujui tahun {LAST}")).to_be_visible()
    expect(page.get_by_text("1 sertifikat telah kedaluwarsa")).to_be_visible()
    expect(page.get_by_test_id("team-table").get_by_text("Rahmat Basri")).to_be_visible()
    expect(page.get_by_test_id("team-table").get_by_text("Kedaluwarsa", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tambah anggota")).to_be_visible()
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 1
    current = TeamProposal.objects.get(opd=world.kominfo, year=THIS_YEAR)
    assert current.members.count() == 2 and current.state == TeamProposal.State.DRAFT
