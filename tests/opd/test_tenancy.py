"""The tenancy chokepoint: what each user may see (`visible_to`) and change (`editable_by`).

The `world` fixture: Provinsi Sulawesi Barat (76) with Kabupaten Polewali Mandar (76.02)
and Majene (76.01); Provinsi Sulawesi Selatan (73) with Kabupaten Gowa (73.06). Each pemda
gets a 2024 period on the shared OPD template (so an assessment with scores for each of
its OPDs); Sulbar, Polman and Sulsel also own an instrument of their own.

Rows are named by short labels: a pemda by its code ("76.02"), an OPD, assessment or
score by "pemda code/OPD code" ("76/DISKOMINFO"), a period by its pemda's code, a
membership by its username, an instrument (and its domains) by the instrument's code.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from evaluations.models import Assessment, Domain, Instrument, Period, Score
from evaluations.services.periods import ensure_assessments
from opd.models import OPD, Membership, Pemda
from tests.factories import Role, make_user, opd_template

# --- labels ------------------------------------------------------------------------

LABEL_FIELDS = {
    Pemda: ("kode",),
    OPD: ("pemda__kode", "kode"),
    Period: ("pemda__kode",),
    Assessment: ("opd__pemda__kode", "opd__kode"),
    Score: ("assessment__opd__pemda__kode", "assessment__opd__kode"),
    Membership: ("user__username",),
    Instrument: ("kode",),
    Domain: ("instrument__kode",),
}
MODELS = list(LABEL_FIELDS)


def labels(queryset):
    fields = LABEL_FIELDS[queryset.model]
    return {"/".join(row) for row in queryset.values_list(*fields)}


# --- the rows of the world ------------------------------------------------------------

SULBAR, MAJENE, POLMAN = "76", "76.01", "76.02"
SULSEL, GOWA = "73", "73.06"

KOMINFO, BAPPEDA = "76/DISKOMINFO", "76/BAPPEDA"
POLMAN_DINKES, MAJENE_DINKES = "76.02/DINKES", "76.01/DINKES"
SULSEL_KOMINFO, GOWA_DINKES = "73/DISKOMINFO", "73.06/DINKES"

KOMINFO_MEMBERS = {"kepala.kominfo", "operator.kominfo"}
SULBAR_MEMBERS = {"admin.sulbar", "evaluator.sulbar", "sekprov.sulbar", "nonaktif.sulbar"}
SULBAR_MEMBERS |= KOMINFO_MEMBERS
POLMAN_MEMBERS = {"evaluator.polman", "bupati.polman", "admin.polman", "kepala.dinkes.polman"}
SULSEL_MEMBERS = {"admin.sulsel"}
GOWA_MEMBERS = {"evaluator.gowa"}

SHARED = {"opd-25-template", "permenpanrb-59-2020", "permenpanrb-8-2026"}
# Instruments with domains (PermenPANRB 8/2026 has aspects only).
WITH_DOMAINS = {"opd-25-template", "permenpanrb-59-2020"}
OWN_INSTRUMENT = {
    SULBAR: "instrumen-sulbar",
    POLMAN: "instrumen-polman",
    SULSEL: "instrumen-sulsel",
}


def scope(pemdas=(), opds=(), members=(), instruments=(), periods=None, assessments=None):
    """Expected rows per model. Periods default to the pemdas' periods; assessments and
    scores to the OPDs' assessments."""
    periods = set(pemdas) if periods is None else set(periods)
    assessments = set(opds) if assessments is None else set(assessments)
    return {
        Pemda: set(pemdas),
        OPD: set(opds),
        Period: periods,
        Assessment: assessments,
        Score: assessments,
        Membership: set(members),
        Instrument: set(instruments),
        Domain: {code for code in instruments if code not in SHARED or code in WITH_DOMAINS},
    }


NOTHING = scope()
EVERYTHING = scope(
    pemdas={SULBAR, MAJENE, POLMAN, SULSEL, GOWA},
    opds={KOMINFO, BAPPEDA, POLMAN_DINKES, MAJENE_DINKES, SULSEL_KOMINFO, GOWA_DINKES},
    members=SULBAR_MEMBERS | POLMAN_MEMBERS | SULSEL_MEMBERS | GOWA_MEMBERS,
    instruments=SHARED | set(OWN_INSTRUMENT.values()),
)

# --- what each user sees ------------------------------------------------------------

# Province staff: their own pemda and, read-only, its kabupaten.
SULBAR_PROVINCE_SEES = scope(
    pemdas={SULBAR, POLMAN, MAJENE},
    opds={KOMINFO, BAPPEDA, POLMAN_DINKES, MAJENE_DINKES},
    members=SULBAR_MEMBERS | POLMAN_MEMBERS,
    instruments=SHARED | {OWN_INSTRUMENT[SULBAR], OWN_INSTRUMENT[POLMAN]},
)
SULSEL_PROVINCE_SEES = scope(
    pemdas={SULSEL, GOWA},
    opds={SULSEL_KOMINFO, GOWA_DINKES},
    members=SULSEL_MEMBERS | GOWA_MEMBERS,
    instruments=SHARED | {OWN_INSTRUMENT[SULSEL]},
)
# Kabupaten staff: their own pemda only.
POLMAN_SEES = scope(
    pemdas={POLMAN},
    opds={POLMAN_DINKES},
    members=POLMAN_MEMBERS,
    instruments=SHARED | {OWN_INSTRUMENT[POLMAN]},
)
GOWA_SEES = scope(pemdas={GOWA}, opds={GOWA_DINKES}, members=GOWA_MEMBERS, instruments=SHARED)
# OPD roles: their OPD's rows; their pemda, its periods and instruments read-only.
KOMINFO_SEES = scope(
    pemdas={SULBAR},
    opds={KOMINFO},
    members=KOMINFO_MEMBERS,
    instruments=SHARED | {OWN_INSTRUMENT[SULBAR]},
)
POLMAN_DINKES_SEES = scope(
    pemdas={POLMAN},
    opds={POLMAN_DINKES},
    members={"kepala.dinkes.polman"},
    instruments=SHARED | {OWN_INSTRUMENT[POLMAN]},
)

VISIBLE = {
    "admin_sulbar": SULBAR_PROVINCE_SEES,
    "evaluator_sulbar": SULBAR_PROVINCE_SEES,
    "sekprov": SULBAR_PROVINCE_SEES,
    "kepala_kominfo": KOMINFO_SEES,
    "operator_kominfo": KOMINFO_SEES,
    "admin_polman": POLMAN_SEES,
    "evaluator_polman": POLMAN_SEES,
    "bupati_polman": POLMAN_SEES,
    "kepala_polman_dinkes": POLMAN_DINKES_SEES,
    "admin_sulsel": SULSEL_PROVINCE_SEES,
    "evaluator_gowa": GOWA_SEES,
    "superadmin": EVERYTHING,
    "no_role": NOTHING,
    "anonymous": NOTHING,
    "inactive": NOTHING,
}

# --- what each user changes -------------------------------------------------------------


def admin_edits(pemda, opds, members):
    """An admin changes their own pemda's rows (never a kabupaten's, never the shared
    templates, never the pemda record itself: that is the superuser's)."""
    return scope(
        pemdas=(), periods={pemda}, opds=opds, members=members, instruments={OWN_INSTRUMENT[pemda]}
    )


def scores_only(*opds):
    """Evaluators and OPD roles change assessments and scores, nothing else."""
    return scope(periods=(), assessments=opds)


EDITABLE = {
    "admin_sulbar": admin_edits(SULBAR, {KOMINFO, BAPPEDA}, SULBAR_MEMBERS),
    "evaluator_sulbar": scores_only(KOMINFO, BAPPEDA),
    "sekprov": NOTHING,
    "kepala_kominfo": scores_only(KOMINFO),
    "operator_kominfo": scores_only(KOMINFO),
    "admin_polman": admin_edits(POLMAN, {POLMAN_DINKES}, POLMAN_MEMBERS),
    "evaluator_polman": scores_only(POLMAN_DINKES),
    "bupati_polman": NOTHING,
    "kepala_polman_dinkes": scores_only(POLMAN_DINKES),
    "admin_sulsel": admin_edits(SULSEL, {SULSEL_KOMINFO}, SULSEL_MEMBERS),
    "evaluator_gowa": scores_only(GOWA_DINKES),
    "superadmin": EVERYTHING,
    "no_role": NOTHING,
    "anonymous": NOTHING,
    "inactive": NOTHING,
}


def table():
    """One case per (user, model): the rows the user sees and the rows they change."""
    return [
        pytest.param(
            user, model, VISIBLE[user][model], EDITABLE[user][model], id=f"{user}-{model.__name__}"
        )
        for user in VISIBLE
        for model in MODELS
    ]


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture
def tenants(world):
    for pemda in (world.sulbar, world.polman, world.majene, world.sulsel, world.gowa):
        # What open_period does, without its weight checks (tested elsewhere).
        period = Period.objects.create(pemda=pemda, tahun=2024, instrument=opd_template())
        ensure_assessments(period)
    for pemda in (world.sulbar, world.polman, world.sulsel):
        instrument = Instrument.objects.create(
            kode=OWN_INSTRUMENT[pemda.kode], nama=f"Instrumen {pemda.nama}", pemda=pemda
        )
        Domain.objects.create(instrument=instrument, nomor=1, nama="Domain", bobot=100)
    world.anonymous = AnonymousUser()
    world.inactive = make_user(
        Role.ADMIN_KOMINFO, world.sulbar, username="nonaktif.sulbar", is_active=False
    )
    return world


# --- tests ----------------------------------------------------------------------------


def test_the_tables_cover_every_user_of_the_world(tenants):
    users = {
        name
        for name, value in vars(tenants).items()
        if isinstance(value, get_user_model() | AnonymousUser)
    }
    assert users == VISIBLE.keys() == EDITABLE.keys()


@pytest.mark.parametrize(("user", "model", "sees", "changes"), table())
def test_visible_to_and_editable_by(tenants, user, model, sees, changes):
    who = getattr(tenants, user)
    visible = model.objects.visible_to(who)
    editable = model.objects.editable_by(who)
    assert labels(visible) == sees, "visible_to"
    assert labels(editable) == changes, "editable_by"
    # Row by row, not only by label: whatever a user may change, they may also see.
    assert set(editable.values_list("pk", flat=True)) <= set(visible.values_list("pk", flat=True))


def test_scores_are_scoped_row_by_row(tenants):
    # Every score of an assessment the operator sees, and none of the OPD next door.
    operator = tenants.operator_kominfo
    visible = Score.objects.visible_to(operator)
    assert visible.count() == 25
    assert not visible.exclude(assessment__opd=tenants.kominfo).exists()
    bappeda_score = Score.objects.filter(assessment__opd=tenants.bappeda).first()
    assert not Score.objects.editable_by(operator).filter(pk=bappeda_score.pk).exists()


def test_losing_the_membership_closes_everything(tenants):
    user = tenants.operator_kominfo
    assert Assessment.objects.visible_to(user).exists()
    Membership.objects.filter(user=user).delete()
    user.refresh_from_db()
    for model in MODELS:
        assert not model.objects.visible_to(user).exists(), model.__name__
        assert not model.objects.editable_by(user).exists(), model.__name__
