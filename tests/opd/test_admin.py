"""The Django admin is the superuser's; tenant staff get a scoped, read-only view.

admin.sulbar (Kominfo administrator of the province) sees Sulawesi Barat and its
kabupaten; admin.polman sees only Polewali Mandar; nobody but the superuser sees
Sulawesi Selatan from Sulawesi Barat or the other way round. Tenant staff write nothing
there but their pemda's own instruments: every workflow model refuses their writes, and
no form offers them another pemda's people.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evaluations.models import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    Job,
    LevelCriterion,
    OfficialIndex,
    PemdaSummary,
    Period,
    PredikatBand,
    Score,
)
from opd.admin import AppPageAdmin, TenantAdmin
from opd.models import (
    OPD,
    Membership,
    Pemda,
    RegistryEvent,
    TeamCertificate,
    TeamEvent,
    TeamMember,
    TeamProposal,
    TeamRole,
    TeamSettings,
)
from opd.services.registry import record
from tests.factories import OPDFactory, add_member, make_period, make_team, opd_template

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

    for view in ("change", "history"):
        response = client.get(url(OPD, view, opd.pk))
        assert response.status_code == 302
        assert response.url == reverse("admin:index")
    response = client.post(url(OPD, "change", opd.pk), opd_form(opd, nama="Diubah"), follow=True)
    assert opd.nama not in response.content.decode()
    assert client.post(url(OPD, "delete", opd.pk), {"post": "yes"}).status_code == 403
    opd.refresh_from_db()
    assert opd.nama != "Diubah"


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
    """The superuser may open a period here, through the same open_period as the page;
    "3,50" is read with its decimal comma."""
    client.force_login(world.superadmin)
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
        "zona_hijau_dari": "3,50",
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


# --- Tenant staff write nothing here but their own instruments -------------------------

# The reference data a pemda's administrator may still edit in the admin: its own
# instruments (the shared ones are read-only to it). Everything else is workflow data.
TENANT_WRITABLE = {Instrument, Domain, Aspect, Indicator, LevelCriterion, PredikatBand}


@pytest.fixture
def rows(world):
    """One row of every model registered in the admin, all of Sulawesi Barat."""
    period = make_period(world.sulbar, 2024)
    proposal = make_team(world.kominfo, 2024)
    member = add_member(proposal, 1, name="Andi")
    own = Instrument.objects.create(
        kode="milik-sulbar",
        nama="Instrumen Sulbar",
        pemda=world.sulbar,
        status=Instrument.Status.DRAFT,
    )
    domain = Domain.objects.create(instrument=own, nomor=1, nama="Kebijakan", bobot=100)
    aspect = Aspect.objects.create(
        instrument=own, domain=domain, nomor=1, nama="Kebijakan", bobot=100
    )
    indicator = Indicator.objects.create(
        instrument=own, aspect=aspect, nomor=1, nama="Tata kelola", bobot=100, skala="proses"
    )
    by_model = {
        Pemda: world.sulbar,
        OPD: world.kominfo,
        Membership: world.operator_kominfo.membership,
        RegistryEvent: record(world.admin_sulbar, world.sulbar, RegistryEvent.Action.OPD_ADDED),
        TeamSettings: TeamSettings.objects.create(pemda=world.sulbar),
        TeamRole: member.role,
        TeamProposal: proposal,
        TeamMember: member,
        TeamCertificate: TeamCertificate.objects.create(
            member=member, name="Sertifikat", issuer="bnsp", issued_on=datetime.date(2024, 1, 2)
        ),
        TeamEvent: TeamEvent.objects.create(
            pemda=world.sulbar, opd=world.kominfo, proposal=proposal, action="created"
        ),
        Instrument: own,
        Domain: domain,
        Aspect: aspect,
        Indicator: indicator,
        LevelCriterion: LevelCriterion.objects.create(
            indicator=indicator, level=1, nama="Rintisan", kriteria="Ad hoc"
        ),
        PredikatBand: PredikatBand.objects.create(instrument=own, nama="Baik", batas_bawah="2.60"),
        Period: period,
        Assessment: period.assessments.get(opd=world.kominfo),
        Score: Score.objects.filter(assessment__period=period).first(),
        PemdaSummary: PemdaSummary.objects.create(pemda=world.sulbar, period=period),
        OfficialIndex: OfficialIndex.objects.create(
            pemda=world.sulbar, tahun=2024, indeks="3.70", sumber="KemenPANRB"
        ),
        Job: Job.objects.create(kind=Job.Kind.RECOMPUTE_PERIOD, pemda=world.sulbar, period=period),
    }
    project = {m for m, a in admin.site._registry.items() if isinstance(a, TenantAdmin)}
    assert set(by_model) == project, "give every model registered in the admin a row here"
    return by_model


def test_tenant_staff_write_only_their_own_instruments(client, world, rows):
    client.force_login(world.admin_sulbar)
    writable = {model for model in rows if admin.site._registry[model].tenant_writable}
    assert writable == TENANT_WRITABLE

    domain = rows[Domain]
    response = client.post(
        change_url(domain),
        {
            "instrument": domain.instrument_id,
            "nomor": 1,
            "nama": "Kebijakan SPBE",
            "bobot": "100,0",
        },
    )
    assert response.status_code == 302
    domain.refresh_from_db()
    assert (domain.nama, domain.bobot) == ("Kebijakan SPBE", Decimal("100"))
    # A shared instrument stays read-only to it, and so does its own once published
    # (a change is then a new version, on the instrument pages).
    shared = opd_template().domains.first()
    assert client.post(change_url(shared), {"nama": "x"}).status_code == 403
    Instrument.objects.filter(pk=domain.instrument_id).update(status=Instrument.Status.PUBLISHED)
    assert client.post(change_url(domain), {"nama": "y"}).status_code == 403


@pytest.mark.parametrize("username", ["admin_sulbar", "superadmin"])
def test_every_workflow_model_refuses_writes(client, world, rows, username):
    """Tenant staff (a staff Kominfo administrator of the pemda) cannot add, change or
    delete any workflow row; the superuser cannot either where the app has a page for
    it (AppPageAdmin). Every row stays as it was."""
    user = getattr(world, username)
    client.force_login(user)
    problems = []
    for model, obj in rows.items():
        model_admin = admin.site._registry[model]
        if model in TENANT_WRITABLE or (
            user.is_superuser and not isinstance(model_admin, AppPageAdmin)
        ):
            continue
        before = model_to_dict(model.objects.get(pk=obj.pk))
        changelist = client.get(url(model))
        if changelist.status_code != 200 or changelist.context["has_add_permission"]:
            problems.append(f"{model.__name__}: the list offers adding")
        for method, path in (("get", url(model, "add")), ("post", url(model, "add"))):
            if getattr(client, method)(path, {}).status_code != 403:
                problems.append(f"{model.__name__}: {method.upper()} add not refused")
        page = client.get(change_url(obj))
        if page.status_code != 200 or page.context["has_change_permission"]:
            problems.append(f"{model.__name__}: the change page is not read-only")
        if client.post(change_url(obj), {"nama": "x", "status": "final"}).status_code != 403:
            problems.append(f"{model.__name__}: POST change not refused")
        if client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code != 403:
            problems.append(f"{model.__name__}: delete not refused")
        client.post(
            url(model), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        if model_to_dict(model.objects.get(pk=obj.pk)) != before:
            problems.append(f"{model.__name__}: the row changed")
    assert not problems, "\n".join(problems)


def test_no_form_offers_another_pemdas_people(client, world, rf):
    """A kabupaten's administrator picks (or even reads) no account of another pemda, nor
    the superuser: the assessment's submitter, the team's creator..."""
    period = make_period(world.polman, 2024)
    assessment = period.assessments.get(opd=world.polman_dinkes)
    Assessment.objects.filter(pk=assessment.pk).update(diajukan_oleh=world.kepala_polman_dinkes)
    request = rf.get("/")
    request.user = world.admin_polman
    for model, field in ((Assessment, "diajukan_oleh"), (TeamProposal, "created_by")):
        formfield = admin.site._registry[model].formfield_for_foreignkey(
            model._meta.get_field(field), request
        )
        offered = set(formfield.queryset.values_list("username", flat=True))
        assert offered == {
            "evaluator.polman",
            "bupati.polman",
            "admin.polman",
            "kepala.dinkes.polman",
        }

    client.force_login(world.admin_polman)
    page = client.get(change_url(assessment)).content.decode()
    others = ["superadmin", "admin.sulbar", "evaluator.sulbar", "admin.sulsel", "tanpa.peran"]
    assert not [name for name in others if name in page]
    assert "<select" not in page  # read-only: no choice at all


def test_number_fields_read_the_decimal_comma(client, world):
    """The reported bug: "4,00" typed in the admin became 400."""
    client.force_login(world.superadmin)
    own = Instrument.objects.create(kode="uji", nama="Instrumen Uji", pemda=world.sulbar)
    response = client.post(
        url(PredikatBand, "add"), {"instrument": own.pk, "nama": "Memuaskan", "batas_bawah": "4,20"}
    )
    assert response.status_code == 302
    assert PredikatBand.objects.get(instrument=own).batas_bawah == Decimal("4.20")
    response = client.post(
        url(PredikatBand, "add"), {"instrument": own.pk, "nama": "Kurang", "batas_bawah": "1.000,5"}
    )
    assert (
        response.status_code == 200 and "batas_bawah" in response.context["adminform"].form.errors
    )
