"""The Django admin is scoped by tenant like every other page.

admin.sulbar (Kominfo administrator of the province) sees Sulawesi Barat and, read-only,
its kabupaten; admin.polman sees only Polewali Mandar; nobody but the superuser sees
Sulawesi Selatan from Sulawesi Barat or the other way round.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evaluations.models import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    Period,
    Score,
)
from opd.admin import TenantAdmin
from opd.models import OPD, Pemda
from tests.factories import OPDFactory, make_period, opd_template

# Names that must never show on a page served to the Sulawesi Barat side.
SULSEL_MARKERS = ("sulawesi selatan", "gowa", "sulsel")


def url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_url(obj):
    return url(type(obj), "change", obj.pk)


def listed(client, model):
    response = client.get(url(model), {"all": ""})
    assert response.status_code == 200
    return set(response.context["cl"].queryset), response


def opd_form(opd=None, **values):
    data = {
        "kode": "DISPAR",
        "nama": "Dinas Pariwisata",
        "singkatan": "Dispar",
        "jenis": OPD.Kind.DINAS,
        "aktif_dari": 2019,
        "aktif_sampai": "",
    }
    if opd is not None:
        data |= {
            "pemda": opd.pemda_id,
            "kode": opd.kode,
            "nama": opd.nama,
            "singkatan": opd.singkatan,
            "jenis": opd.jenis,
            "aktif_dari": opd.aktif_dari,
        }
    return data | values


@pytest.fixture
def periods(world):
    """A 2024 period, with its assessments and scores, in every pemda that has OPDs."""
    return SimpleNamespace(
        **{name: make_period(getattr(world, name)) for name in ("sulbar", "polman", "sulsel")},
        majene=make_period(world.majene),
        gowa=make_period(world.gowa),
    )


@pytest.mark.parametrize(
    "username, pemdas",
    [
        ("admin_sulbar", {"sulbar", "polman", "majene"}),
        ("admin_polman", {"polman"}),
        ("superadmin", {"sulbar", "polman", "majene", "sulsel", "gowa"}),
    ],
)
def test_changelists_list_exactly_the_tenant_rows(client, world, periods, username, pemdas):
    client.force_login(getattr(world, username))
    pemda_ids = {getattr(world, name).pk for name in pemdas}

    assert {p.pk for p in listed(client, Pemda)[0]} == pemda_ids
    assert listed(client, OPD)[0] == set(OPD.objects.filter(pemda__in=pemda_ids))
    assert listed(client, Period)[0] == {getattr(periods, name) for name in pemdas}
    assessments, response = listed(client, Assessment)
    assert assessments == set(Assessment.objects.filter(pemda__in=pemda_ids))
    if "sulsel" not in pemdas:
        # Neither the rows nor the filter sidebar name the other province.
        page = response.content.decode().lower()
        assert not [marker for marker in SULSEL_MARKERS if marker in page]


@pytest.mark.parametrize(
    "username, hidden",
    [
        ("admin_sulbar", "sulsel_kominfo"),
        ("admin_sulbar", "gowa_dinkes"),
        # A kabupaten does not see its province's rows.
        ("admin_polman", "kominfo"),
        ("admin_polman", "majene_dinkes"),
    ],
)
def test_another_tenants_row_does_not_exist(client, world, username, hidden):
    client.force_login(getattr(world, username))
    opd = getattr(world, hidden)

    for view in ("change", "delete", "history"):
        response = client.get(url(OPD, view, opd.pk))
        assert response.status_code == 302
        assert response.url == reverse("admin:index")
    response = client.post(url(OPD, "change", opd.pk), opd_form(opd, nama="Diubah"), follow=True)
    assert opd.nama not in response.content.decode()
    opd.refresh_from_db()
    assert opd.nama != "Diubah"


def test_province_admin_changes_its_own_opd(client, world):
    client.force_login(world.admin_sulbar)

    response = client.post(change_url(world.kominfo), opd_form(world.kominfo, nama="Dinas Kominfo"))

    assert response.status_code == 302
    world.kominfo.refresh_from_db()
    assert world.kominfo.nama == "Dinas Kominfo"


@pytest.mark.parametrize(
    "row",
    [
        lambda w: w.polman_dinkes,
        lambda w: w.polman,
        lambda w: opd_template(),
        lambda w: opd_template().indicators.first(),
    ],
    ids=["kabupaten OPD", "kabupaten", "shipped instrument", "shipped indicator"],
)
def test_kabupaten_rows_and_shipped_instruments_are_read_only(client, world, row):
    client.force_login(world.admin_sulbar)
    obj = row(world)

    response = client.get(change_url(obj))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    assert escape(str(obj)) in response.content.decode()

    assert client.post(change_url(obj), {"nama": "Diubah"}).status_code == 403
    assert client.post(url(type(obj), "delete", obj.pk), {"post": "yes"}).status_code == 403
    # Depending on the model the bulk action is refused (403), not offered or blocked by
    # protected rows; in every case the row stays.
    bulk_delete = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    assert client.post(url(type(obj)), bulk_delete).status_code in (200, 302, 403)
    assert type(obj).objects.filter(pk=obj.pk, nama=obj.nama).exists()


@pytest.mark.parametrize("pemda", ["sulsel", "polman", "gowa"])
def test_province_admin_adds_opds_only_to_its_own_pemda(client, world, pemda):
    client.force_login(world.admin_sulbar)
    before = OPD.objects.count()

    response = client.get(url(OPD, "add"))
    assert list(response.context["adminform"].form.fields["pemda"].queryset) == [world.sulbar]

    response = client.post(url(OPD, "add"), opd_form(pemda=getattr(world, pemda).pk))
    assert response.status_code == 200
    assert "pemda" in response.context["adminform"].form.errors
    assert OPD.objects.count() == before

    response = client.post(url(OPD, "add"), opd_form(pemda=world.sulbar.pk))
    assert response.status_code == 302
    assert OPD.objects.get(nama="Dinas Pariwisata").pemda == world.sulbar


def test_save_model_refuses_another_tenants_row_whatever_the_form_says(rf, world):
    request = rf.post("/")
    request.user = world.admin_sulbar
    opd_admin = admin.site._registry[OPD]

    for pemda in (world.sulsel, world.polman):
        with pytest.raises(PermissionDenied):
            opd_admin.save_model(request, OPD(**opd_form(pemda=pemda)), None, False)
    with pytest.raises(PermissionDenied):
        opd_admin.delete_queryset(request, OPD.objects.filter(pemda=world.polman))
    assert not OPD.objects.filter(kode="DISPAR").exists()


def test_only_staff_kominfo_administrators_enter(client, world):
    client.force_login(world.evaluator_sulbar)
    for path in (reverse("admin:index"), url(OPD)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    # Being staff is not enough: our roles, not Django's permission rows, decide.
    world.evaluator_sulbar.is_staff = True
    world.evaluator_sulbar.save()
    assert client.get(url(OPD)).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_period_from_the_admin_is_validated_and_opens_assessments(client, world):
    client.force_login(world.admin_sulbar)
    broken = Instrument.objects.create(kode="rusak", nama="Instrumen Rusak", pemda=world.sulbar)
    domain = Domain.objects.create(instrument=broken, nomor=1, nama="Kebijakan", bobot=100)
    aspect = Aspect.objects.create(
        instrument=broken, domain=domain, nomor=1, nama="Kebijakan", bobot=100
    )
    Indicator.objects.create(
        instrument=broken, aspect=aspect, nomor=1, nama="Tata kelola", bobot=60, skala="proses"
    )
    data = {
        "pemda": world.sulbar.pk,
        "tahun": 2025,
        "triwulan": "",
        "status": Period.Status.SELF_ASSESSMENT,
        "zona_hijau_dari": "3.50",
        "zona_kuning_dari": "2.60",
        "tahap": "dokumen",
        "jendela_sanggahan_hari": 3,
    }

    response = client.post(url(Period, "add"), data | {"instrument": broken.pk})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["instrument"]
    expected = Period(pemda=world.sulbar, instrument=broken)
    with pytest.raises(ValidationError) as refused:
        expected.clean()
    assert errors == refused.value.message_dict["instrument"]
    assert not Period.objects.filter(tahun=2025).exists()

    response = client.post(url(Period, "add"), data | {"instrument": opd_template().pk})
    assert response.status_code == 302
    period = Period.objects.get(pemda=world.sulbar, tahun=2025)
    assert {a.opd for a in period.assessments.all()} == {world.kominfo, world.bappeda}
    assert Score.objects.filter(assessment__period=period).count() == 2 * 25
    assert period.zona_hijau_dari == Decimal("3.50")


def test_every_registered_model_loads_for_superuser_and_province_admin(client, world, periods):
    for user in (world.superadmin, world.admin_sulbar):
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            tenant = isinstance(model_admin, TenantAdmin)
            response = client.get(url(model))
            if user.is_superuser or tenant:
                assert response.status_code == 200, model
            else:  # users, groups, Celery schedules: superusers only
                assert response.status_code == 403, model
                continue
            page = response.content.decode().lower()
            if not user.is_superuser:
                assert not [m for m in SULSEL_MARKERS if m in page], model
            if response.context["has_add_permission"]:
                assert client.get(url(model, "add")).status_code == 200, model
            row = response.context["cl"].queryset.first()
            if row is not None:
                assert client.get(change_url(row)).status_code == 200, model


@pytest.mark.parametrize("model", [OPD, Period, Assessment, Score, Indicator])
def test_changelist_queries_do_not_grow_with_rows(client, world, model):
    client.force_login(world.admin_sulbar)
    make_period(world.sulbar, 2023)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(model)).status_code == 200
        return len(queries)

    few = count()
    for year in (2024, 2025):
        make_period(world.sulbar, year)
        make_period(world.polman, year)
    OPDFactory(pemda=world.sulbar)
    assert count() == few


def test_opd_activation_changes_follow_into_open_periods(
    client, world, django_capture_on_commit_callbacks
):
    """A new OPD gets its assessment in the open periods of its years; when it stops
    earlier, its still-empty assessments go, but entered work is never deleted."""
    open_2024 = make_period(world.sulbar, 2024)
    final_2023 = make_period(world.sulbar, 2023, status=Period.Status.FINAL)
    client.force_login(world.admin_sulbar)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(url(OPD, "add"), opd_form(pemda=world.sulbar.pk))
    assert created.status_code == 302
    dispar = OPD.objects.get(pemda=world.sulbar, kode="DISPAR")
    assert open_2024.assessments.filter(opd=dispar).count() == 1
    assert open_2024.assessments.get(opd=dispar).scores.count() == 25
    assert not final_2023.assessments.filter(opd=dispar).exists()  # final periods stay
    assert not open_2024.assessments.filter(is_stale=True).exists()  # recomputed

    # Bappeda has work in 2024; Dispar has none. Both stop in 2023.
    bappeda_score = open_2024.assessments.get(opd=world.bappeda).scores.first()
    bappeda_score.level_mandiri = 3
    bappeda_score.save()
    for opd in (dispar, world.bappeda):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(change_url(opd), opd_form(opd, aktif_sampai=2023))
    assert not open_2024.assessments.filter(opd=dispar).exists()
    assert open_2024.assessments.filter(opd=world.bappeda).exists()
