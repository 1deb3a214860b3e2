"""Teams across years (issue 13, point 3): a past year's team is read-only in every
service and page, and a new year's team starts as a copy of the latest approved team of
an earlier year, certificates carried with their expiry."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from opd.models import TeamCertificate, TeamEvent, TeamMember, TeamProposal
from opd.services import team_import, teams
from tests.factories import THIS_YEAR, add_member, make_team, nip

pytestmark = pytest.mark.django_db

S = TeamProposal.State
LAST = THIS_YEAR - 1
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def team_url(opd, year):
    return reverse("opd_team", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"


def url(name, opd, *args):
    return reverse(name, args=[opd.pemda.kode, opd.kode, *args])


def certificate(member, name, expires_on, with_file=False):
    row = TeamCertificate(
        member=member,
        name=name,
        issuer=TeamCertificate.Issuer.BNSP,
        number=f"BNSP/{name}",
        issued_on=datetime.date(LAST - 3, 5, 1),
        expires_on=expires_on,
    )
    if with_file:
        row.file_name, row.content_type, row.size = "s.pdf", "application/pdf", len(PDF)
        row.file.save("s.pdf", ContentFile(PDF), save=False)
    row.save()
    return row


@pytest.fixture
def last_year(world):
    """Diskominfo's team of last year: version 1 approved, then version 2 approved (the
    one to copy: four members, one certificate expired, one valid with a file), and a
    version 3 still a draft (not approved: never copied)."""
    make_team(world.kominfo, LAST, state=S.APPROVED, version=1, is_current=False)
    approved = make_team(world.kominfo, LAST, state=S.APPROVED, version=2, is_current=False)
    add_member(approved, 1, name="Andi Hamzah", status=TeamMember.Status.PNS, nip=nip())
    developer = add_member(approved, 3, name="Sitti Rahman")
    certificate(developer, "Junior Web Developer", datetime.date(THIS_YEAR + 2, 1, 1), True)
    security = add_member(approved, 6, name="Rahmat Basri")
    certificate(security, "Keamanan Informasi", datetime.date(LAST, 1, 31))
    add_member(approved, 8, name="Nurul Latif")
    draft = make_team(world.kominfo, LAST, state=S.DRAFT, version=3)
    add_member(draft, 2, name="Hanya di draf")
    return approved


# --- A past year is read-only ------------------------------------------------------------


def test_every_change_of_a_past_years_team_is_refused_and_changes_nothing(world, last_year):
    draft = TeamProposal.objects.get(opd=world.kominfo, year=LAST, is_current=True)
    member = draft.members.get()
    held = certificate(member, "Bimtek", None)
    proposed = make_team(world.bappeda, LAST, state=S.PROPOSED)
    add_member(proposed, 1)
    events = TeamEvent.objects.count()
    data = {"role": world.sulbar.team_roles.get(order=4), "name": "Baru", "status": "ptt"}
    refusals = [
        lambda: teams.save_member(world.operator_kominfo, world.kominfo, LAST, data),
        lambda: teams.save_member(
            world.operator_kominfo, world.kominfo, LAST, {**data, "name": "X"}, member.pk
        ),
        lambda: teams.remove_member(world.operator_kominfo, member.pk),
        lambda: teams.add_certificate(
            world.operator_kominfo,
            member.pk,
            {"name": "Baru", "issuer": "bnsp", "issued_on": datetime.date(LAST, 1, 1)},
        ),
        lambda: teams.remove_certificate(world.operator_kominfo, held.pk),
        lambda: teams.propose(world.kepala_kominfo, draft.pk),
        lambda: teams.approve(world.admin_sulbar, proposed.pk, "SK", datetime.date(LAST, 2, 1)),
        lambda: teams.return_proposal(world.admin_sulbar, proposed.pk, "Lengkapi"),
        lambda: teams.start_revision(world.kepala_kominfo, draft.pk),
        lambda: team_import.import_members(
            world.operator_kominfo,
            world.kominfo,
            LAST,
            [{"role": "Koordinator", "name": "Impor", "status": "PTT"}],
        ),
    ]
    for refused in refusals:
        with pytest.raises((teams.TeamError, ValidationError)) as caught:
            refused()
        assert str(LAST) in str(caught.value), caught.value
    assert TeamEvent.objects.count() == events
    assert list(draft.members.values_list("name", flat=True)) == ["Hanya di draf"]
    assert TeamCertificate.objects.filter(pk=held.pk).exists()
    proposed.refresh_from_db()
    assert proposed.state == S.PROPOSED


def test_a_past_years_page_is_read_only_and_its_forms_send_back_with_the_reason(
    client, world, last_year
):
    draft = TeamProposal.objects.get(opd=world.kominfo, year=LAST, is_current=True)
    member = draft.members.get()
    client.force_login(world.operator_kominfo)
    page = client.get(team_url(world.kominfo, LAST)).content.decode()
    assert "tahun yang telah lewat" in page
    assert "Hanya di draf" in page
    for action in ("anggota/tambah/", "/ubah/", "/hapus/", "/impor/", "/salin/", "/ajukan/"):
        assert action not in page, action

    for target in [
        url("team_member_add", world.kominfo) + f"?tahun={LAST}",
        url("team_member_edit", world.kominfo, member.pk),
        url("team_certificate_add", world.kominfo, member.pk),
        url("team_import", world.kominfo) + f"?tahun={LAST}",
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"] == team_url(world.kominfo, LAST)
        shown = [str(m) for m in get_messages(response.wsgi_request)]
        assert shown[-1] == (
            f"Tim tahun {LAST} termasuk tahun yang telah lewat: hanya dapat dilihat."
        )
    response = client.post(url("team_member_remove", world.kominfo, member.pk))
    assert response.status_code == 302
    assert draft.members.filter(pk=member.pk).exists()
    # The current year stays open.
    assert (
        client.get(url("team_member_add", world.kominfo) + f"?tahun={THIS_YEAR}").status_code == 200
    )


# --- Copying last year's approved team -------------------------------------------------


def test_the_new_year_starts_from_last_years_approved_team(world, last_year):
    copy = teams.copy_previous_year(world.operator_kominfo, world.kominfo, THIS_YEAR)
    team = copy.proposal
    assert (team.year, team.version, team.state, team.is_current) == (THIS_YEAR, 1, S.DRAFT, True)
    assert copy.source == last_year
    assert (copy.members, copy.certificates, copy.expired, copy.left_out) == (4, 2, 1, [])
    names = set(team.members.values_list("name", flat=True))
    assert names == {"Andi Hamzah", "Sitti Rahman", "Rahmat Basri", "Nurul Latif"}
    carried = {
        c.name: c
        for c in TeamCertificate.objects.filter(member__proposal=team).select_related("member")
    }
    assert carried["Keamanan Informasi"].expires_on == datetime.date(LAST, 1, 31)
    assert carried["Junior Web Developer"].expires_on == datetime.date(THIS_YEAR + 2, 1, 1)
    original = TeamCertificate.objects.get(member__proposal=last_year, file_name="s.pdf")
    assert carried["Junior Web Developer"].file.name == original.file.name  # shared, not copied
    assert team.members.get(name="Andi Hamzah").nip == nip()
    # Last year's teams are untouched; the copy is recorded.
    assert last_year.members.count() == 4
    actions = list(team.events.order_by("id").values_list("action", flat=True))
    assert actions == [TeamEvent.Action.CREATED, TeamEvent.Action.COPIED]
    detail = team.events.get(action=TeamEvent.Action.COPIED).detail
    assert str(LAST) in detail and "2" in detail
    status = teams.opd_team_status(world.kominfo, THIS_YEAR)
    assert (status.members, status.expired_certificates) == (4, 1)


def test_copying_refuses_a_team_with_members_and_a_year_without_an_approved_team(world, last_year):
    started = make_team(world.kominfo, THIS_YEAR)
    add_member(started, 1, name="Sudah ada")
    with pytest.raises(teams.TeamError, match="sudah memiliki anggota"):
        teams.copy_previous_year(world.operator_kominfo, world.kominfo, THIS_YEAR)
    assert started.members.count() == 1
    with pytest.raises(teams.TeamError, match="Tidak ada tim tahun sebelumnya"):
        teams.copy_previous_year(world.kepala_polman_dinkes, world.polman_dinkes, THIS_YEAR)
    assert not TeamProposal.objects.filter(opd=world.polman_dinkes).exists()
    with pytest.raises(teams.TeamPermissionError):
        teams.copy_previous_year(world.admin_sulbar, world.kominfo, THIS_YEAR)
    with pytest.raises(teams.TeamError, match="tahun yang telah lewat"):
        teams.copy_previous_year(world.operator_kominfo, world.kominfo, LAST)


def test_a_civil_servant_already_in_another_team_this_year_is_left_out(world, last_year):
    other = make_team(world.bappeda, THIS_YEAR)
    add_member(other, 1, name="Andi Hamzah", status=TeamMember.Status.PNS, nip=nip())
    copy = teams.copy_previous_year(world.kepala_kominfo, world.kominfo, THIS_YEAR)
    assert copy.left_out == ["Andi Hamzah"] and copy.members == 3
    assert not copy.proposal.members.filter(nip=nip()).exists()


def test_copy_through_the_page(client, world, last_year):
    client.force_login(world.operator_kominfo)
    page = client.get(team_url(world.kominfo, THIS_YEAR)).content.decode()
    assert "Salin tim tahun lalu yang disetujui" in page
    response = client.post(url("team_copy", world.kominfo), {"tahun": THIS_YEAR})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"tim yang disetujui tahun {LAST}" in m for m in shown), shown
    assert any("1 sertifikat telah kedaluwarsa" in m for m in shown), shown
    page = client.get(team_url(world.kominfo, THIS_YEAR)).content.decode()
    assert "Rahmat Basri" in page and "Kedaluwarsa" in page
    assert "Salin tim tahun lalu yang disetujui" not in page  # the team has members now
    # Pemda staff see the team but never copy it: a 404 like any refused role.
    client.force_login(world.admin_sulbar)
    assert client.post(url("team_copy", world.bappeda), {"tahun": THIS_YEAR}).status_code == 404
