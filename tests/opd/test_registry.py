"""The OPD registry in the app: add, rename, deactivate from a year, merge and split,
each kept in the OPD's history, past assessments untouched, the open periods following
(a new OPD gets its assessment, a deactivated one has none from that year; entered work
is never deleted: such a change is refused)."""

import pytest
from django.urls import reverse

from evaluations.models import Period
from opd.models import OPD, RegistryEvent
from tests.factories import make_period, set_levels
from tests.html import text, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(world):
    """The province's 2025 period is final, its 2026 period open for self-assessment."""
    return {
        2025: make_period(world.sulbar, 2025, status=Period.Status.FINAL),
        2026: make_period(world.sulbar, 2026, status=Period.Status.SELF_ASSESSMENT),
    }


def url(name, *args):
    return reverse(name, args=["76", *args])


def opd_codes(period):
    return set(period.assessments.values_list("opd__kode", flat=True))


def test_a_new_opd_gets_its_assessment_in_the_open_periods(client, world, years):
    client.force_login(world.admin_sulbar)
    response = client.post(
        url("registry_add"),
        {
            "kode": "dispar",
            "nama": "Dinas Pariwisata",
            "singkatan": "Dispar",
            "jenis": "dinas",
            "aktif_dari": 2026,
        },
    )
    assert response.status_code == 302
    dispar = OPD.objects.get(pemda=world.sulbar, kode="DISPAR")
    assert "DISPAR" in opd_codes(years[2026])
    assert years[2026].assessments.get(opd=dispar).scores.count() == 25
    assert "DISPAR" not in opd_codes(years[2025])  # final, and before its time
    event = RegistryEvent.objects.get(opd=dispar)
    assert (event.action, event.new_value, event.user) == ("opd_added", "2026", world.admin_sulbar)

    # The same code again is refused with a message; nothing is added.
    response = client.post(
        url("registry_add"),
        {"kode": "DISPAR", "nama": "Lain", "jenis": "dinas", "aktif_dari": 2026},
    )
    assert "sudah dipakai oleh Dinas Pariwisata" in text(response.content.decode(), "form-error")
    assert OPD.objects.filter(kode="DISPAR").count() == 1


def test_rename_keeps_the_old_name_in_the_history(client, world, years):
    client.force_login(world.admin_sulbar)
    client.post(
        url("registry_opd", "BAPPEDA"),
        {
            "action": "save",
            "kode": "BAPPEDA",
            "nama": "Badan Perencanaan, Penelitian dan Pengembangan",
            "singkatan": "Bappelitbangda",
            "jenis": "badan",
        },
    )
    world.bappeda.refresh_from_db()
    assert world.bappeda.singkatan == "Bappelitbangda"
    history = texts(client.get(url("registry_opd", "BAPPEDA")).content.decode(), "registry-event")
    assert any(
        "Badan Perencanaan Pembangunan Daerah → Badan Perencanaan, Penelitian" in h for h in history
    )
    assert any("Singkatan Bappeda → Bappelitbangda" in h for h in history)


def test_deactivation_from_a_year_drops_the_empty_assessment_but_never_entered_work(
    client, world, years
):
    client.force_login(world.admin_sulbar)
    # Diskominfo has started its 2026 self-assessment; Bappeda has not.
    set_levels(years[2026].assessments.get(opd=world.kominfo), {1: 3}, evaluator=False)

    response = client.post(
        url("registry_opd", "DISKOMINFO"),
        {"action": "deactivate", "dari_tahun": 2026, "alasan": "Perda 5/2025"},
    )
    assert "sudah memiliki isian pada periode 2026" in text(response.content.decode(), "form-error")
    world.kominfo.refresh_from_db()
    assert world.kominfo.aktif_sampai is None and "DISKOMINFO" in opd_codes(years[2026])

    response = client.post(
        url("registry_opd", "BAPPEDA"), {"action": "deactivate", "dari_tahun": 2026, "alasan": ""}
    )
    assert response.status_code == 200  # the reason is required
    client.post(
        url("registry_opd", "BAPPEDA"),
        {"action": "deactivate", "dari_tahun": 2026, "alasan": "Perda 5/2025"},
    )
    world.bappeda.refresh_from_db()
    assert world.bappeda.aktif_sampai == 2025
    assert "BAPPEDA" not in opd_codes(years[2026])
    assert "BAPPEDA" in opd_codes(years[2025])  # its past assessment stays
    event = RegistryEvent.objects.get(opd=world.bappeda, action="opd_deactivated")
    assert (event.old_value, event.new_value, event.reason) == ("", "2025", "Perda 5/2025")


def test_merge_ends_the_old_opds_and_starts_one_that_continues_them(client, world, years):
    client.force_login(world.admin_sulbar)
    old_2025 = {a.opd_id: a.pk for a in years[2025].assessments.all()}
    response = client.post(
        url("registry_merge"),
        {
            "opds": [world.kominfo.pk, world.bappeda.pk],
            "dari_tahun": 2026,
            "kode": "KOMINFO-BAPPEDA",
            "nama": "Badan Perencanaan dan Informatika",
            "singkatan": "Bapinfo",
            "jenis": "badan",
            "alasan": "Perda 3/2025 tentang Perangkat Daerah",
        },
    )
    merged = OPD.objects.get(kode="KOMINFO-BAPPEDA")
    assert response.status_code == 302
    assert (merged.aktif_dari, set(merged.pendahulu.all())) == (
        2026,
        {world.kominfo, world.bappeda},
    )
    for opd in (world.kominfo, world.bappeda):
        opd.refresh_from_db()
        assert opd.aktif_sampai == 2025
    assert opd_codes(years[2026]) == {"KOMINFO-BAPPEDA"}
    assert {a.opd_id: a.pk for a in years[2025].assessments.all()} == old_2025
    page = client.get(url("registry_opd", "DISKOMINFO")).content.decode()
    assert "Badan Perencanaan dan Informatika" in text(page, "lineage")
    assert any("Perda 3/2025" in h for h in texts(page, "registry-event"))


def test_split_starts_new_opds_that_continue_the_old_one(client, world, years):
    client.force_login(world.admin_sulbar)
    response = client.post(
        url("registry_split", "DISKOMINFO"),
        {
            "dari_tahun": 2026,
            "alasan": "Perda 4/2025",
            "p1_kode": "DISKOMINFO-2026",
            "p1_nama": "Dinas Komunikasi dan Informatika",
            "p1_jenis": "dinas",
            "p2_kode": "PERSANDIAN",
            "p2_nama": "Dinas Persandian dan Statistik",
            "p2_jenis": "dinas",
            "p3_jenis": "dinas",
            "p4_jenis": "dinas",
        },
    )
    assert response.status_code == 302
    world.kominfo.refresh_from_db()
    assert world.kominfo.aktif_sampai == 2025
    assert opd_codes(years[2026]) == {"BAPPEDA", "DISKOMINFO-2026", "PERSANDIAN"}
    assert set(world.kominfo.penerus.values_list("kode", flat=True)) == {
        "DISKOMINFO-2026",
        "PERSANDIAN",
    }
    # Merged or split: it cannot simply come back.
    response = client.post(
        url("registry_opd", "DISKOMINFO"), {"action": "reactivate", "alasan": "keliru"}
    )
    assert "dilanjutkan oleh" in text(response.content.decode(), "form-error")


@pytest.mark.parametrize(
    "username, kode",
    [("admin_polman", "76"), ("admin_sulbar", "76.02"), ("evaluator_sulbar", "76")],
)
def test_another_pemdas_registry_does_not_exist(client, world, years, username, kode):
    client.force_login(getattr(world, username))
    opd = "DISKOMINFO" if kode == "76" else "DINKES"
    for name, args in (
        ("registry_list", ()),
        ("registry_add", ()),
        ("registry_merge", ()),
        ("registry_opd", (opd,)),
        ("registry_split", (opd,)),
    ):
        target = reverse(name, args=[kode, *args])
        assert client.get(target).status_code == 404, target
        assert (
            client.post(
                target, {"action": "deactivate", "dari_tahun": 2026, "alasan": "x"}
            ).status_code
            == 404
        )
    assert not RegistryEvent.objects.exists()
    assert OPD.objects.filter(aktif_sampai__isnull=False).count() == 0


def test_an_opd_of_another_pemda_cannot_be_merged_in(client, world, years):
    client.force_login(world.admin_sulbar)
    response = client.post(
        url("registry_merge"),
        {
            "opds": [world.kominfo.pk, world.polman_dinkes.pk],
            "dari_tahun": 2026,
            "kode": "X",
            "nama": "X",
            "jenis": "dinas",
            "alasan": "x",
        },
    )
    assert response.status_code == 200 and "opds" in response.context["form"].errors
    assert not OPD.objects.filter(kode="X").exists()
    world.polman_dinkes.refresh_from_db()
    assert world.polman_dinkes.aktif_sampai is None
