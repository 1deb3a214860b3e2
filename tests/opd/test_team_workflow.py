"""The team workflow: members edited by the OPD, proposed by its head, approved or
returned by the pemda's Kominfo administrator; versions, events and permissions across
tenants (see `world` in tests/conftest.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from opd.models import TeamEvent, TeamMember, TeamProposal, TeamSettings
from opd.services import teams
from tests.factories import THIS_YEAR, add_member, make_team, nip

pytestmark = pytest.mark.django_db

S = TeamProposal.State
YEAR = THIS_YEAR


def member_data(pemda, order, name, status=TeamMember.Status.PTT, nip_value=""):
    return {
        "role": pemda.team_roles.get(order=order),
        "name": name,
        "status": status,
        "nip": nip_value,
        "position": "Staf",
        "phone": "",
        "email": "",
    }


def full_team(world, opd=None):
    opd = opd or world.kominfo
    proposal = make_team(opd, YEAR)
    for order in range(1, 9):
        add_member(proposal, order, name=f"Orang {order}")
    return proposal


def test_every_new_pemda_gets_the_default_roles_once(world):
    roles = list(world.sulbar.team_roles.order_by("order"))
    assert [r.name for r in roles][:2] == ["Koordinator", "Pengelola Arsitektur dan Perencanaan"]
    assert sum(r.is_technical for r in roles) == 6
    assert teams.ensure_default_roles(world.sulbar) == roles
    assert world.polman.team_roles.count() == 8
    world.polman.save()  # saving again adds nothing
    assert world.polman.team_roles.count() == 8
    assert teams.team_size_limit(world.sulbar) == 8


def test_the_opd_adds_members_in_a_first_draft(world):
    teams.ensure_default_roles(world.sulbar)
    member = teams.save_member(
        world.operator_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 1, "Andi")
    )
    proposal = member.proposal
    assert (proposal.version, proposal.state, proposal.is_current) == (1, S.DRAFT, True)
    actions = list(proposal.events.order_by("id").values_list("action", flat=True))
    assert actions == [TeamEvent.Action.CREATED, TeamEvent.Action.MEMBER_ADDED]


def test_no_more_than_one_person_per_role_unless_allowed(world):
    teams.ensure_default_roles(world.sulbar)
    save = teams.save_member
    save(world.kepala_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 3, "Satu"))
    with pytest.raises(ValidationError) as caught:
        save(world.kepala_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 3, "Dua"))
    assert "role" in caught.value.message_dict
    world.sulbar.team_roles.filter(order=3).update(max_members=2)
    save(world.kepala_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 3, "Dua"))
    assert TeamMember.objects.filter(proposal__opd=world.kominfo).count() == 2


def test_a_team_cannot_exceed_eight_unless_the_pemda_raises_the_limit(world):
    full_team(world)
    world.sulbar.team_roles.filter(order=2).update(max_members=2)
    extra = member_data(world.sulbar, 2, "Kesembilan")
    with pytest.raises(ValidationError) as caught:
        teams.save_member(world.kepala_kominfo, world.kominfo, YEAR, extra)
    assert any("8" in message for message in caught.value.message_dict["role"])
    TeamSettings.objects.create(pemda=world.sulbar, max_team_size=9)
    teams.save_member(world.kepala_kominfo, world.kominfo, YEAR, extra)
    assert TeamMember.objects.filter(proposal__opd=world.kominfo).count() == 9


def test_a_person_is_in_one_opd_team_per_year(world):
    teams.ensure_default_roles(world.sulbar)
    data = member_data(world.sulbar, 1, "Budi", TeamMember.Status.PNS, nip())
    teams.save_member(world.kepala_kominfo, world.kominfo, YEAR, data)
    other = make_team(world.bappeda, YEAR)
    with pytest.raises(ValidationError) as caught:
        teams.save_member(world.superadmin, world.bappeda, YEAR, data)
    assert "nip" in caught.value.message_dict
    # Another year is fine, and so is a different person without NIP of the same name
    # in another OPD.
    teams.save_member(world.superadmin, world.bappeda, YEAR + 1, data)
    ptt = member_data(world.sulbar, 2, "Citra")
    teams.save_member(world.kepala_kominfo, world.kominfo, YEAR, ptt)
    with pytest.raises(ValidationError):
        teams.save_member(world.kepala_kominfo, world.kominfo, YEAR, ptt)
    teams.save_member(world.superadmin, world.bappeda, YEAR, ptt)
    assert other.members.count() == 1


def test_propose_approve_and_revise(world):
    proposal = full_team(world)
    teams.propose(world.kepala_kominfo, proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == S.PROPOSED and proposal.proposed_by == world.kepala_kominfo
    # A proposed team is locked for the OPD.
    with pytest.raises(teams.TeamError):
        teams.save_member(
            world.operator_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 1, "X")
        )
    with pytest.raises(teams.TeamError):
        teams.approve(world.admin_sulbar, proposal.pk, "", datetime.date(2024, 3, 1))
    teams.approve(world.admin_sulbar, proposal.pk, "188.4/77/2024", datetime.date(2024, 3, 1))
    proposal.refresh_from_db()
    assert (proposal.state, proposal.sk_number, proposal.sk_date) == (
        S.APPROVED,
        "188.4/77/2024",
        datetime.date(2024, 3, 1),
    )
    first_member = proposal.members.get(role__order=3)
    first_member.certificates.create(
        name="Bimtek", issuer="bpsdm", issued_on=datetime.date(2023, 5, 1)
    )
    # A change after approval makes a new version copying members and certificates.
    with pytest.raises(teams.TeamError):
        teams.save_member(
            world.operator_kominfo, world.kominfo, YEAR, member_data(world.sulbar, 1, "X")
        )
    new = teams.start_revision(world.operator_kominfo, proposal.pk)
    proposal.refresh_from_db()
    assert (new.version, new.state, new.is_current) == (2, S.DRAFT, True)
    assert not proposal.is_current and proposal.state == S.APPROVED
    assert new.members.count() == 8 and proposal.members.count() == 8
    assert new.members.get(role__order=3).certificates.get().name == "Bimtek"
    assert teams.current_proposal(world.kominfo, YEAR) == new
    actions = list(
        TeamEvent.objects.filter(opd=world.kominfo).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["proposed", "approved", "revised"]


def test_return_needs_a_reason_and_reopens_the_team(world):
    proposal = full_team(world)
    teams.propose(world.kepala_kominfo, proposal.pk)
    with pytest.raises(teams.TeamError):
        teams.return_proposal(world.admin_sulbar, proposal.pk, "  ")
    teams.return_proposal(world.admin_sulbar, proposal.pk, "NIP koordinator salah")
    proposal.refresh_from_db()
    assert proposal.state == S.RETURNED and proposal.reason == "NIP koordinator salah"
    member = proposal.members.get(role__order=1)
    data = member_data(world.sulbar, 1, "Koordinator Baru")
    teams.save_member(world.operator_kominfo, world.kominfo, YEAR, data, member.pk)
    teams.propose(world.kepala_kominfo, proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == S.PROPOSED and proposal.version == 1


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("kepala_kominfo", True),
        ("superadmin", True),
        ("operator_kominfo", False),  # the operator drafts, the head proposes
        ("admin_sulbar", False),
        ("evaluator_sulbar", False),
        ("admin_sulsel", False),
        ("kepala_polman_dinkes", False),
    ],
)
def test_who_may_propose(world, username, allowed):
    proposal = full_team(world)
    user = getattr(world, username)
    if allowed:
        teams.propose(user, proposal.pk)
    else:
        with pytest.raises(teams.TeamPermissionError):
            teams.propose(user, proposal.pk)
        proposal.refresh_from_db()
        assert proposal.state == S.DRAFT


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("admin_sulbar", True),
        ("superadmin", True),
        ("evaluator_sulbar", False),
        ("sekprov", False),
        ("kepala_kominfo", False),
        ("admin_polman", False),  # a kabupaten admin never decides for the province
        ("admin_sulsel", False),  # nor another province's
    ],
)
def test_who_may_approve_or_return(world, username, allowed):
    proposal = full_team(world)
    teams.propose(world.kepala_kominfo, proposal.pk)
    user = getattr(world, username)
    if allowed:
        teams.approve(user, proposal.pk, "SK-1", datetime.date(2024, 4, 1))
    else:
        with pytest.raises(teams.TeamPermissionError):
            teams.approve(user, proposal.pk, "SK-1", datetime.date(2024, 4, 1))
        with pytest.raises(teams.TeamPermissionError):
            teams.return_proposal(user, proposal.pk, "tidak")
        proposal.refresh_from_db()
        assert proposal.state == S.PROPOSED


def test_a_province_admin_does_not_approve_its_kabupaten_teams(world):
    proposal = full_team(world, world.polman_dinkes)
    teams.propose(world.kepala_polman_dinkes, proposal.pk)
    with pytest.raises(teams.TeamPermissionError):
        teams.approve(world.admin_sulbar, proposal.pk, "SK", datetime.date(2024, 4, 1))
    teams.approve(world.admin_polman, proposal.pk, "SK", datetime.date(2024, 4, 1))


def test_only_the_opd_edits_its_members(world):
    teams.ensure_default_roles(world.sulbar)
    data = member_data(world.sulbar, 1, "Dedi")
    for user in (world.admin_sulbar, world.evaluator_sulbar, world.kepala_polman_dinkes):
        with pytest.raises(teams.TeamPermissionError):
            teams.save_member(user, world.kominfo, YEAR, data)
    assert not TeamProposal.objects.exists()


def test_team_status_of_an_opd_from_the_database(world):
    proposal = full_team(world)
    today = datetime.date(2024, 6, 1)
    technical = proposal.members.filter(role__is_technical=True).order_by("role__order")
    for member, expiry in zip(
        technical,
        [None, today + datetime.timedelta(10), today - datetime.timedelta(1)],
        strict=False,
    ):
        member.certificates.create(
            name="Bimtek",
            issuer="diskominfo",
            issued_on=datetime.date(2023, 1, 1),
            expires_on=expiry,
        )
    status = teams.opd_team_status(world.kominfo, YEAR, today=today)
    assert (status.roles_filled, status.roles_total, status.state) == (8, 8, S.DRAFT)
    assert (status.technical_certified, status.technical_members) == (2, 6)
    assert (status.expired_certificates, status.expiring_certificates) == (1, 1)
    rows = teams.pemda_team_statuses(world.sulbar, YEAR, world.sekprov, today=today)
    assert [opd.kode for opd, _s in rows] == ["BAPPEDA", "DISKOMINFO"]
    summary = teams.summarise_team_statuses(YEAR, [s for _o, s in rows])
    assert (summary.opds, summary.complete_approved) == (2, 0)
    assert (summary.technical_certified, summary.technical_needed) == (2, 12)
