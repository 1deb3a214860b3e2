"""The team pages: who sees them, who may act, and certificate files only through the
tenant-checked view."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opd.models import TeamCertificate, TeamMember, TeamProposal
from tests.factories import THIS_YEAR, OPDFactory, add_member, make_team, nip

pytestmark = pytest.mark.django_db

YEAR = THIS_YEAR
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def team_url(opd, year=YEAR):
    return reverse("opd_team", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"


def url(name, opd, *args):
    return reverse(name, args=[opd.pemda.kode, opd.kode, *args])


@pytest.fixture
def team(world):
    """Diskominfo Sulbar's 2024 team, proposed, with 7 of 8 roles and one certificate
    file."""
    proposal = make_team(world.kominfo, YEAR, state=TeamProposal.State.PROPOSED)
    for order in range(1, 8):
        add_member(proposal, order, name=f"Anggota Tim {order}")
    member = proposal.members.get(role__order=3)
    certificate = TeamCertificate(
        member=member,
        name="Sertifikat Pengembang Web",
        issuer="bnsp",
        issued_on=datetime.date(2023, 1, 1),
        file_name="sertifikat.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    certificate.file.save("x", SimpleUploadedFile("x.pdf", PDF), save=False)
    certificate.save()
    return proposal


def test_anonymous_users_are_sent_to_log_in(client, world, team):
    certificate = TeamCertificate.objects.get()
    for target in [
        team_url(world.kominfo),
        reverse("team_overview", args=["76"]),
        url("team_certificate_file", world.kominfo, certificate.pk),
        url("team_import", world.kominfo),
    ]:
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "username, status",
    [
        ("kepala_kominfo", 200),
        ("operator_kominfo", 200),
        ("admin_sulbar", 200),
        ("evaluator_sulbar", 200),
        ("sekprov", 200),
        ("superadmin", 200),
        ("kepala_polman_dinkes", 404),  # another OPD
        ("admin_polman", 404),  # a kabupaten never sees the province
        ("admin_sulsel", 404),  # another province
        ("evaluator_gowa", 404),
    ],
)
def test_team_page_and_certificate_file_per_user(client, world, team, username, status):
    client.force_login(getattr(world, username))
    page = client.get(team_url(world.kominfo))
    assert page.status_code == status
    certificate = TeamCertificate.objects.get()
    download = client.get(url("team_certificate_file", world.kominfo, certificate.pk))
    assert download.status_code == status
    if status == 200:
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        assert "attachment" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "Anggota Tim 3" in page.content.decode()


def test_certificate_of_another_opd_is_a_404_even_through_a_visible_opd_url(client, world, team):
    certificate = TeamCertificate.objects.get()
    client.force_login(world.sekprov)
    # The province sees Polewali Mandar's Dinkes, but the certificate is not under it.
    target = url("team_certificate_file", world.polman_dinkes, certificate.pk)
    assert client.get(target).status_code == 404


def test_the_team_page_shows_the_panel_figures(client, world, team):
    client.force_login(world.kepala_kominfo)
    page = client.get(team_url(world.kominfo)).content.decode()
    assert 'data-testid="team-filled">7/8<' in page
    assert 'data-testid="team-certified">1/6<' in page
    assert 'data-testid="team-expiry">0 / 0<' in page


def test_the_overview_is_for_pemda_staff(client, world, team):
    # A page the role may not use is a 404, like one that does not exist.
    client.force_login(world.kepala_kominfo)
    assert client.get(reverse("team_overview", args=["76"])).status_code == 404
    client.force_login(world.admin_sulsel)
    assert client.get(reverse("team_overview", args=["76"])).status_code == 404
    client.force_login(world.sekprov)
    page = client.get(reverse("team_overview", args=["76"]) + f"?tahun={YEAR}").content.decode()
    assert 'data-testid="team-complete-approved">0/2<' in page
    assert 'data-testid="team-technical">1/12<' in page
    assert "Badan Perencanaan" in page
    assert client.get(reverse("team_overview", args=["76"]) + "?tahun=abc").status_code == 404


def test_approve_and_return_through_the_pages(client, world, team):
    approve = url("team_approve", world.kominfo, team.pk)
    data = {"sk_number": "188.4/9/2024", "sk_date": "2024-03-01"}
    client.force_login(world.evaluator_sulbar)
    assert client.post(approve, data).status_code == 404
    client.force_login(world.admin_sulsel)
    assert client.post(approve, data).status_code == 404
    client.force_login(world.admin_polman)
    assert client.post(approve, data).status_code == 404
    team.refresh_from_db()
    assert team.state == TeamProposal.State.PROPOSED
    client.force_login(world.admin_sulbar)
    response = client.post(approve, data)
    assert response.status_code == 302 and response["Location"] == team_url(world.kominfo)
    team.refresh_from_db()
    assert team.state == TeamProposal.State.APPROVED and team.sk_number == "188.4/9/2024"
    # Approving twice is refused with a message, not an error page.
    assert client.post(approve, data).status_code == 302


def test_propose_through_the_page_only_by_the_head(client, world, team):
    team.state = TeamProposal.State.RETURNED
    team.reason = "Lengkapi"
    team.save()
    propose = url("team_propose", world.kominfo, team.pk)
    client.force_login(world.operator_kominfo)
    assert client.post(propose).status_code == 404
    client.force_login(world.kepala_polman_dinkes)
    assert client.post(propose).status_code == 404
    client.force_login(world.kepala_kominfo)
    assert client.get(propose).status_code == 405
    assert client.post(propose).status_code == 302
    team.refresh_from_db()
    assert team.state == TeamProposal.State.PROPOSED


def test_member_form_and_certificate_upload(client, world):
    proposal = make_team(world.kominfo, YEAR)
    client.force_login(world.operator_kominfo)
    add = url("team_member_add", world.kominfo) + f"?tahun={YEAR}"
    role = world.sulbar.team_roles.get(order=3)
    assert client.get(add).status_code == 200
    bad = client.post(
        add, {"tahun": YEAR, "role": role.pk, "name": "Eka", "status": "pns", "nip": "123"}
    )
    assert bad.status_code == 200 and not proposal.members.exists()
    good = client.post(
        add, {"tahun": YEAR, "role": role.pk, "name": "Eka", "status": "pns", "nip": nip()}
    )
    assert good.status_code == 302
    member = proposal.members.get()
    cert_url = url("team_certificate_add", world.kominfo, member.pk)
    fields = {"name": "Bimtek", "issuer": "bpsdm", "issued_on": "2024-01-10"}
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    refused = client.post(cert_url, {**fields, "file": fake})
    assert refused.status_code == 200
    assert "Hanya berkas PDF, PNG, atau JPEG yang diterima." in refused.content.decode()
    assert not TeamCertificate.objects.exists()
    upload = SimpleUploadedFile("../../etc/Sertifikat Ku.pdf", PDF, "text/plain")
    assert client.post(cert_url, {**fields, "file": upload}).status_code == 302
    certificate = TeamCertificate.objects.get()
    assert certificate.content_type == "application/pdf"
    assert "/" not in certificate.file_name and certificate.file_name.endswith(".pdf")
    assert certificate.file.name.startswith(f"sertifikat/{world.sulbar.pk}/{world.kominfo.pk}/")
    assert "Sertifikat" not in certificate.file.name


def test_other_users_cannot_edit_members(client, world, team):
    member = TeamMember.objects.filter(proposal=team).first()
    edit = url("team_member_edit", world.kominfo, member.pk)
    for username, status in [("admin_sulbar", 404), ("kepala_polman_dinkes", 404)]:
        client.force_login(getattr(world, username))
        assert client.get(edit).status_code == status
        remove = url("team_member_remove", world.kominfo, member.pk)
        assert client.post(remove).status_code == status
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_the_overview_takes_the_same_queries_for_more_opds(client, world, team):
    client.force_login(world.sekprov)
    target = reverse("team_overview", args=["76"]) + f"?tahun={YEAR}"
    client.get(target)  # roles created on the first visit
    with CaptureQueriesContext(connection) as few:
        client.get(target)
    for n in range(5):
        opd = OPDFactory(pemda=world.sulbar, kode=f"EXTRA-{n}")
        proposal = make_team(opd, YEAR)
        for order in (1, 2, 3):
            add_member(proposal, order, name=f"Extra {n} {order}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(target)
    assert page.status_code == 200
    assert len(many) == len(few)


def test_an_opd_user_never_sees_another_opd_team_of_the_same_pemda(client, world, team):
    other = make_team(world.bappeda, YEAR)
    member = add_member(other, 1, name="Rahasia Bappeda")
    client.force_login(world.kepala_kominfo)
    assert client.get(team_url(world.bappeda)).status_code == 404
    assert client.get(url("team_member_edit", world.bappeda, member.pk)).status_code == 404
    # Nor through its own OPD's URLs.
    assert client.get(url("team_member_edit", world.kominfo, member.pk)).status_code == 404
    assert client.post(url("team_propose", world.kominfo, other.pk)).status_code == 404
    client.force_login(world.evaluator_sulbar)
    assert "Rahasia Bappeda" in client.get(team_url(world.bappeda)).content.decode()
