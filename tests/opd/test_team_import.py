"""Importing team members: a preview with per-row errors, nothing written unless every
row is valid, and one transaction."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from opd.models import TeamEvent, TeamMember, TeamProposal
from opd.services import team_import, teams
from tests.factories import THIS_YEAR, add_member, make_team, nip

pytestmark = pytest.mark.django_db

YEAR = THIS_YEAR
HEADER = "peran;nama;nip;status;jabatan;telepon;email\n"
GOOD = (
    "Koordinator;Hj. Rosmini;198001012005012001;PNS;Sekretaris;0812;ros@example.go.id\n"
    "Pengelola Aplikasi;Fajar;;PTT;Programmer;;\n"
    "Pengelola Data dan Informasi;Nurul;199205052022012002;PPPK;Statistisi;;\n"
)


def csv_file(text, name="tim.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


def rows(text):
    return team_import.read_rows(csv_file(text))


def test_a_valid_file_previews_then_imports(world):
    teams.ensure_default_roles(world.sulbar)
    raw = rows(HEADER + GOOD)
    preview = team_import.preview_import(world.kominfo, YEAR, raw)
    assert preview.ok and [r.action for r in preview.rows] == ["add", "add", "add"]
    assert not TeamProposal.objects.exists()  # the preview writes nothing
    proposal, added, updated = team_import.import_members(
        world.operator_kominfo, world.kominfo, YEAR, raw
    )
    assert (added, updated) == (3, 0)
    assert proposal.members.get(name="Fajar").status == TeamMember.Status.PTT
    assert proposal.events.filter(action=TeamEvent.Action.IMPORTED).count() == 1


def test_rows_update_members_by_nip_and_keep_the_rest(world):
    proposal = make_team(world.kominfo, YEAR)
    keeper = add_member(proposal, 8, name="Helpdesk")
    old = add_member(proposal, 1, name="Rosmini", status="pns", nip="198001012005012001")
    team_import.import_members(world.operator_kominfo, world.kominfo, YEAR, rows(HEADER + GOOD))
    old.refresh_from_db()
    assert old.name == "Hj. Rosmini" and old.position == "Sekretaris"
    assert proposal.members.count() == 4 and proposal.members.filter(pk=keeper.pk).exists()


@pytest.mark.parametrize(
    "bad_line, fragment",
    [
        ("Peran Aneh;Ani;;PTT;;;\n", "role"),
        ("Pengelola Keamanan Informasi;Ani;123;PNS;;;\n", "nip"),
        ("Pengelola Keamanan Informasi;Ani;;PNS;;;\n", "nip"),  # PNS without NIP
        ("Pengelola Keamanan Informasi;Ani;;Honorer;;;\n", "status"),
        ("Pengelola Keamanan Informasi;;;PTT;;;\n", "name"),
        ("Pengelola Keamanan Informasi;Ani;;PTT;;;bukan-email\n", "email"),
        ("Pengelola Aplikasi;Gilang;;PTT;;;\n", "limit"),  # a second Pengelola Aplikasi
        ("Pengelola Keamanan Informasi;Fajar;;PTT;;;\n", "duplicate"),  # same person twice
    ],
)
def test_one_bad_row_writes_nothing(world, bad_line, fragment):
    teams.ensure_default_roles(world.sulbar)
    raw = rows(HEADER + GOOD + bad_line)
    preview = team_import.preview_import(world.kominfo, YEAR, raw)
    assert not preview.ok and preview.error_count == 1
    if fragment == "limit":
        assert preview.team_errors and not any(r.errors for r in preview.rows)
    else:
        assert preview.rows[-1].errors and not any(r.errors for r in preview.rows[:-1])
    with pytest.raises(team_import.ImportRejected):
        team_import.import_members(world.operator_kominfo, world.kominfo, YEAR, raw)
    assert not TeamProposal.objects.exists() and not TeamMember.objects.exists()
    assert not TeamEvent.objects.exists()


def test_a_nip_in_another_opd_team_is_refused(world):
    other = make_team(world.bappeda, YEAR)
    add_member(other, 1, name="Rosmini", status="pns", nip="198001012005012001")
    preview = team_import.preview_import(world.kominfo, YEAR, rows(HEADER + GOOD))
    assert not preview.ok and preview.rows[0].errors


def test_an_approved_team_is_not_imported_into(world):
    make_team(world.kominfo, YEAR, state=TeamProposal.State.APPROVED)
    preview = team_import.preview_import(world.kominfo, YEAR, rows(HEADER + GOOD))
    assert not preview.ok and preview.team_errors
    with pytest.raises(teams.TeamError):
        team_import.import_members(world.operator_kominfo, world.kominfo, YEAR, rows(HEADER + GOOD))
    assert not TeamMember.objects.exists()


def test_unreadable_files_are_refused():
    with pytest.raises(team_import.ImportFileError):
        team_import.read_rows(csv_file("nama,nip\nAni,\n"))  # no role/status columns
    with pytest.raises(team_import.ImportFileError):
        team_import.read_rows(csv_file(HEADER))
    with pytest.raises(team_import.ImportFileError):
        team_import.read_rows(SimpleUploadedFile("tim.txt", b"x"))
    with pytest.raises(team_import.ImportFileError):
        team_import.read_rows(SimpleUploadedFile("tim.xlsx", b"not a zip"))


def test_xlsx_with_the_nip_as_text(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Role", "Name", "NIP", "Status"])
    sheet.append(["Koordinator", "Rosmini", nip(), "pns"])
    sheet.append(["Pengelola Aplikasi", "Fajar", None, "non-ASN"])
    data = io.BytesIO()
    book.save(data)
    raw = team_import.read_rows(SimpleUploadedFile("tim.xlsx", data.getvalue()))
    assert [r["nip"] for r in raw] == [nip(), ""]
    teams.ensure_default_roles(world.sulbar)
    assert team_import.preview_import(world.kominfo, YEAR, raw).ok


def test_preview_then_import_through_the_page(client, world):
    teams.ensure_default_roles(world.sulbar)
    page = reverse("team_import", args=["76", "DISKOMINFO"])
    client.force_login(world.operator_kominfo)
    bad = client.post(page, {"tahun": YEAR, "file": csv_file(HEADER + GOOD + "X;Y;;PTT;;;\n")})
    assert bad.status_code == 200 and "table-danger" in bad.content.decode()
    assert client.post(page, {"tahun": YEAR, "confirm": "1"}).status_code == 302
    assert not TeamMember.objects.exists()
    good = client.post(page, {"tahun": YEAR, "file": csv_file(HEADER + GOOD)})
    assert good.status_code == 200 and 'name="confirm"' in good.content.decode()
    assert not TeamMember.objects.exists()
    done = client.post(page, {"tahun": YEAR, "confirm": "1"})
    assert done.status_code == 302
    assert TeamMember.objects.filter(proposal__opd=world.kominfo).count() == 3
    client.force_login(world.admin_sulbar)
    assert client.get(page).status_code == 404
    client.force_login(world.admin_sulsel)
    assert client.get(page).status_code == 404
