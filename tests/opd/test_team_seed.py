"""Demo teams: deterministic, idempotent, and a realistic mix."""

import datetime

import pytest

from opd.models import TeamCertificate, TeamEvent, TeamMember, TeamProposal
from opd.services.team_demo import seed_teams
from opd.services.teams import EXPIRED, EXPIRING, certificate_flag, parse_nip
from tests.factories import OPDFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 1)


def snapshot():
    return (
        sorted(
            TeamProposal.objects.values_list(
                "opd__kode", "year", "version", "state", "sk_number", "sk_date", "reason"
            )
        ),
        sorted(
            TeamMember.objects.values_list(
                "proposal__opd__kode", "role__name", "name", "nip", "status", "phone"
            )
        ),
        sorted(
            TeamCertificate.objects.values_list(
                "member__name", "number", "issuer", "issued_on", "expires_on", "id"
            )
        ),
        TeamEvent.objects.count(),
    )


def test_seed_teams_twice_leaves_the_same_rows_and_a_realistic_mix(world):
    for n in range(40):
        OPDFactory(pemda=world.sulbar, kode=f"DEMO-{n:02d}")
    kodes = {"76": [f"DEMO-{n:02d}" for n in range(40)], "76.02": ["DINKES"]}
    pemdas = {"76": world.sulbar, "76.02": world.polman}
    first = seed_teams(pemdas, kodes, 2025, today=TODAY)
    before = snapshot()
    second = seed_teams(pemdas, kodes, 2025, today=TODAY)
    assert snapshot() == before
    assert first.created > 0 and (second.created, second.changed) == (0, 0)
    assert first.versions == second.versions == 41

    proposals = TeamProposal.objects.filter(pemda=world.sulbar)
    states = [p.state for p in proposals]
    assert states.count("disetujui") > len(states) / 2
    assert all(p.sk_number and p.sk_date for p in proposals if p.state == "disetujui")
    assert len(set(states)) >= 3  # some proposed, drafts or returned teams too
    incomplete = [p for p in proposals if p.members.count() < 8]
    assert incomplete and all(p.state != "disetujui" for p in incomplete)
    members = TeamMember.objects.filter(proposal__pemda=world.sulbar)
    assert members.filter(status="ptt").exists() and members.filter(status="pppk").exists()
    nips = [m.nip for m in members if m.nip]
    assert len(nips) == len(set(nips))
    for value in nips:
        parse_nip(value)
    assert not members.filter(status="pns", nip="").exists()
    flags = {certificate_flag(c.expires_on, TODAY) for c in TeamCertificate.objects.all()}
    assert {EXPIRED, EXPIRING} <= flags
