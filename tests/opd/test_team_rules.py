"""The pure team rules: role and team size limits, certificate expiry flags around the
90-day edge, and the team panel figures on a known dataset."""

import datetime
from types import SimpleNamespace

import pytest

from opd.services.teams import (
    DEFAULT_ROLES,
    EXPIRED,
    EXPIRING,
    VALID,
    CertificateFacts,
    MemberFacts,
    certificate_flag,
    limit_problems,
    summarise_team_statuses,
    team_status,
)

TODAY = datetime.date(2025, 6, 30)


def roles():
    """The default eight roles as plain objects with ids 1–8."""
    return [
        SimpleNamespace(id=i, name=name, is_technical=technical, max_members=1)
        for i, (name, technical) in enumerate(DEFAULT_ROLES, start=1)
    ]


def test_the_default_template_has_eight_roles_six_technical():
    assert len(DEFAULT_ROLES) == 8
    assert sum(technical for _name, technical in DEFAULT_ROLES) == 6
    technical = {name for name, technical in DEFAULT_ROLES if technical}
    assert "Koordinator" not in technical and "Pengelola Aplikasi" in technical


def test_one_person_per_role_unless_the_role_allows_more():
    template = roles()
    assert limit_problems(template, [1, 2, 3], 8) == []
    assert len(limit_problems(template, [1, 2, 2], 8)) == 1
    template[1].max_members = 2
    assert limit_problems(template, [1, 2, 2], 8) == []
    assert len(limit_problems(template, [2, 2, 2], 8)) == 1


def test_a_team_cannot_exceed_the_pemda_limit():
    template = roles()
    for role in template:
        role.max_members = 3
    nine = [1, 1, 2, 3, 4, 5, 6, 7, 8]
    assert len(limit_problems(template, nine[:8], 8)) == 0
    assert len(limit_problems(template, nine, 8)) == 1
    assert limit_problems(template, nine, 9) == []


@pytest.mark.parametrize(
    "days, flag",
    [
        (-30, EXPIRED),
        (-1, EXPIRED),
        (0, EXPIRING),  # valid through its last day
        (1, EXPIRING),
        (89, EXPIRING),
        (90, EXPIRING),
        (91, VALID),
        (400, VALID),
    ],
)
def test_expiry_flags_around_the_90_day_edge(days, flag):
    assert certificate_flag(TODAY + datetime.timedelta(days=days), TODAY) == flag


def test_a_certificate_without_expiry_stays_valid():
    assert certificate_flag(None, TODAY) == VALID


def cert(days, name="Bimtek"):
    expiry = None if days is None else TODAY + datetime.timedelta(days=days)
    return CertificateFacts(name, expiry)


def known_team():
    """Roles 1–7 filled, 8 (helpdesk) missing. Technical roles 2–7: role 2 certified
    (no expiry), role 3 expiring in 30 days (still counts), role 4 expired only,
    role 5 expired plus a valid one, role 6 no certificate, role 7 valid in 200 days.
    The coordinator (1) has an expired certificate too."""
    return [
        MemberFacts("Koordinator", 1, (cert(-10, "Lama"),)),
        MemberFacts("Arsitek", 2, (cert(None),)),
        MemberFacts("Aplikasi", 3, (cert(30, "Sertifikat Web"),)),
        MemberFacts("Data", 4, (cert(-1),)),
        MemberFacts("Infra", 5, (cert(-100), cert(91))),
        MemberFacts("Keamanan", 6, ()),
        MemberFacts("Laman", 7, (cert(200),)),
    ]


def test_team_status_figures_on_a_known_team():
    status = team_status(2025, roles(), known_team(), state="disetujui", today=TODAY)
    assert (status.roles_filled, status.roles_total, status.members) == (7, 8, 7)
    assert status.missing_roles == ["Pengelola Layanan dan Helpdesk"]
    assert not status.is_complete and status.is_approved and not status.complete_approved
    assert status.technical_needed == 6
    assert status.technical_members == 6
    assert status.technical_certified == 4  # roles 2, 3, 5, 7
    assert status.technical_uncertified == 2
    assert status.expired_certificates == 3  # coordinator, data, infra's old one
    assert status.expiring_certificates == 1
    assert status.expiring == [("Aplikasi", "Sertifikat Web", TODAY + datetime.timedelta(30))]


def test_complete_approved_needs_every_role_and_approval():
    members = [*known_team(), MemberFacts("Helpdesk", 8, ())]
    approved = team_status(2025, roles(), members, state="disetujui", today=TODAY)
    proposed = team_status(2025, roles(), members, state="diajukan", today=TODAY)
    nothing = team_status(2025, roles(), [], today=TODAY)
    assert approved.complete_approved
    assert proposed.is_complete and not proposed.complete_approved
    assert nothing.state is None and nothing.roles_filled == 0 and not nothing.is_complete
    summary = summarise_team_statuses(2025, [approved, proposed, nothing])
    assert (summary.opds, summary.complete_approved, summary.approved) == (3, 1, 1)
    assert (summary.technical_certified, summary.technical_needed) == (8, 18)
    assert (summary.expired_certificates, summary.expiring_certificates) == (6, 2)
