"""factory_boy factories and small builders shared by every test."""

import datetime

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluations.models import Instrument, Notification, Period
from evaluations.services.instruments import install_shipped_instruments
from evaluations.services.periods import open_period
from opd.models import OPD, Membership, Pemda, TeamMember, TeamProposal
from opd.roles import Role

PASSWORD = "sandi-uji-123"
# The current year: a team of an earlier year is read-only (opd.services.teams).
THIS_YEAR = timezone.localdate().year


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pemda
        django_get_or_create = ("kode",)

    kode = factory.Sequence(lambda n: str(11 + n))
    nama = factory.Sequence(lambda n: f"Provinsi Uji {n}")
    jenis = Pemda.Kind.PROVINSI
    parent = None


class KabupatenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pemda
        django_get_or_create = ("kode",)

    parent = factory.SubFactory(ProvinceFactory)
    kode = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.kode}.{n + 1:02d}")
    nama = factory.Sequence(lambda n: f"Kabupaten Uji {n}")
    jenis = Pemda.Kind.KABUPATEN


class OPDFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OPD

    pemda = factory.SubFactory(ProvinceFactory)
    kode = factory.Sequence(lambda n: f"OPD-{n:03d}")
    nama = factory.Sequence(lambda n: f"Dinas Uji {n}")
    singkatan = factory.Sequence(lambda n: f"DU{n}")
    jenis = OPD.Kind.DINAS
    aktif_dari = 2019
    aktif_sampai = None


def make_user(role, pemda, opd=None, username=None, **fields):
    """A user holding `role` in `pemda` (and `opd` for the OPD roles)."""
    user = UserFactory(
        username=username or f"{role}-{pemda.kode}-{opd.kode if opd else ''}", **fields
    )
    Membership.objects.update_or_create(
        user=user, defaults={"pemda": pemda, "role": role, "opd": opd}
    )
    return user


def _shipped(code):
    # Transactional tests (the browser tests) flush the tables after each test, taking
    # the migration-installed instruments with them: install them again when missing.
    if not Instrument.objects.filter(kode=code).exists():
        install_shipped_instruments(django_apps)
    return Instrument.objects.get(kode=code)


def opd_template():
    return _shipped("opd-25-template")


def national_instrument():
    return _shipped("permenpanrb-59-2020")


def instrument_2026():
    """PermenPANRB 8/2026, the shipped Indeks Pemerintah Digital instrument."""
    return _shipped("permenpanrb-8-2026")


def make_period(pemda, tahun=2024, instrument=None, status=Period.Status.EVALUATION, **fields):
    """A period with an assessment (and empty scores) for every active OPD of the pemda."""
    return open_period(pemda, tahun, instrument or opd_template(), status=status, **fields)


def set_levels(assessment, levels, evaluator=True):
    """Fill an assessment's scores: `levels` maps indicator number to level (or a single
    level for every indicator)."""
    field = "level_evaluator" if evaluator else "level_mandiri"
    for score in assessment.scores.select_related("indicator"):
        level = levels if isinstance(levels, int) else levels.get(score.indicator.nomor)
        setattr(score, field, level)
        score.save(update_fields=[field])


# --- SPBE teams (issue 6) ---------------------------------------------------------------


def nip(birth="19850312", appointed="201001", sex="1", serial="003"):
    """A structurally valid NIP (birth date, appointment year+month, sex, serial)."""
    return f"{birth}{appointed}{sex}{serial}"


def make_team(opd, year=THIS_YEAR, state=TeamProposal.State.DRAFT, **fields):
    """The current team version of an OPD for `year` (the pemda's default roles exist)."""
    from opd.services.teams import ensure_default_roles

    ensure_default_roles(opd.pemda)
    if state == TeamProposal.State.APPROVED:
        fields.setdefault("sk_number", f"188.4/1/{year}")
        fields.setdefault("sk_date", datetime.date(year, 2, 1))
    if state == TeamProposal.State.RETURNED:
        fields.setdefault("reason", "Lengkapi")
    return TeamProposal.objects.create(pemda=opd.pemda, opd=opd, year=year, state=state, **fields)


def add_member(proposal, role, name=None, status=TeamMember.Status.PTT, nip="", **fields):
    """A member in `role` (a TeamRole or its order number in the default roles)."""
    if isinstance(role, int):
        role = proposal.pemda.team_roles.get(order=role)
    return TeamMember.objects.create(
        proposal=proposal,
        role=role,
        name=name or f"Anggota {role.order}",
        status=status,
        nip=nip,
        **fields,
    )


__all__ = [
    "PASSWORD",
    "THIS_YEAR",
    "KabupatenFactory",
    "OPDFactory",
    "ProvinceFactory",
    "Role",
    "UserFactory",
    "add_member",
    "make_period",
    "make_team",
    "make_user",
    "instrument_2026",
    "national_instrument",
    "nip",
    "opd_template",
    "set_levels",
]


# --- Notifications (issue 14) -----------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    pemda = factory.LazyAttribute(lambda o: o.recipient.membership.pemda)
    kind = Notification.Kind.STAGE
    title = factory.Sequence(lambda n: f"Pemberitahuan {n}")
    body = "Isi pemberitahuan"
    link = "/"


def give_emails(*users):
    """Every user gets an address: <username>@example.go.id."""
    for user in users:
        user.email = f"{user.username}@example.go.id"
        user.save(update_fields=["email"])
