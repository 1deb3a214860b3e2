"""Demo SPBE teams for `seed_demo` (evaluations/services/demo.py calls `seed_teams`).

Every demo OPD active in the team year gets version 1 of its team: most complete and
approved (with an SK), some proposed, a few drafts or returned teams with missing
members; some members are PTT or PPPK; most technical members hold a certificate, some
expired or expiring within 90 days.

Everything comes from `random.Random` generators seeded with stable strings such as
"team:76.02:DINKES:2025", so two runs give the same rows; rows are found by natural keys
(OPD + year + version, role + name, certificate number) and only differing fields are
written, so a second run changes nothing. Certificate expiry dates are placed relative
to `today` (the day of seeding) so that the demo always shows some expired and expiring
certificates: on the same day a rerun changes nothing, on a later day only those dates
move. A team the user has revised (its current version is no longer version 1) is left
alone.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from ..models import TeamCertificate, TeamEvent, TeamMember, TeamProposal
from .teams import ensure_default_roles

FIRST_NAMES = (
    "Andi", "Muhammad", "Nurhayati", "Rahmat", "Sitti", "Fadli", "Ahmad", "Hasnah",
    "Irwan", "Wahyuni", "Syamsul", "Rosmini", "Arifin", "Nurul", "Agus", "Dewi",
    "Ismail", "Hadijah", "Rizal", "Fitriani", "Yusuf", "Marwah", "Ilham", "Suryani",
)  # fmt: skip
LAST_NAMES = (
    "Hamzah", "Rahman", "Syamsuddin", "Basri", "Latif", "Mustari", "Anwar", "Saleh",
    "Jafar", "Ramli", "Halim", "Kadir", "Nasir", "Tahir", "Amir", "Rauf",
)  # fmt: skip
POSITIONS = ("Kepala Bidang", "Kepala Subbagian", "Analis Sistem Informasi", "Pranata Komputer",
             "Statistisi", "Pengelola Data", "Staf Pelaksana", "Operator Komputer")  # fmt: skip
CERTIFICATES = (
    ("Bimtek Pengelolaan Aplikasi SPBE", TeamCertificate.Issuer.DINAS_KOMINFO),
    ("Pelatihan Keamanan Informasi", TeamCertificate.Issuer.BPSDM),
    ("Digital Talent Scholarship", TeamCertificate.Issuer.KEMENTERIAN),
    ("Sertifikasi Kompetensi Junior Web Developer", TeamCertificate.Issuer.BNSP),
    ("Sertifikasi Kompetensi Network Administrator", TeamCertificate.Issuer.BNSP),
    ("Bimtek Manajemen Data dan Satu Data", TeamCertificate.Issuer.DINAS_KOMINFO),
)
S = TeamProposal.State
M = TeamMember.Status
# The demo logins' own OPD: a complete team waiting for the Kominfo admin's decision, so
# the approval can be tried at once (kepala.kominfo / admin.sulbar).
STATE_OVERRIDES = {("76", "DISKOMINFO"): S.PROPOSED}


@dataclass
class TeamTally:
    versions: int = 0
    members: int = 0
    created: int = 0
    changed: int = 0


def _nip(rng, year, used):
    """A structurally valid NIP, unique among `used`."""
    birth = datetime.date(rng.randint(1968, 1997), rng.randint(1, 12), rng.randint(1, 28))
    appointed = min(birth.year + rng.randint(22, 32), year - 1)
    sex = rng.choice("12")
    serial = rng.randint(1, 40)
    while True:
        value = f"{birth:%Y%m%d}{appointed}{rng.randint(1, 12):02d}{sex}{serial:03d}"
        if value not in used:
            used.add(value)
            return value
        serial += 1


def _state(rng):
    draw = rng.random()
    if draw < 0.70:
        return S.APPROVED
    if draw < 0.82:
        return S.PROPOSED
    if draw < 0.92:
        return S.DRAFT
    return S.RETURNED


def _team(pemda_kode, opd_kode, year, roles, today, used_nips):
    """(proposal values, [(role, member values, [certificate values])]) of one OPD."""
    rng = random.Random(f"team:{pemda_kode}:{opd_kode}:{year}")
    state = _state(rng)
    override = STATE_OVERRIDES.get((pemda_kode, opd_kode))
    missing = set()
    if override:
        state = override
    elif state != S.APPROVED and rng.random() < 0.6:
        missing = set(rng.sample([r.id for r in roles[1:]], rng.choice((1, 1, 2, 3))))
    names, members = set(), []
    for role in roles:
        if role.id in missing:
            continue
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        while name in names:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        names.add(name)
        draw = rng.random()
        if role.order == 1 or draw < 0.6:
            status = M.PNS
        elif draw < 0.75:
            status = M.PPPK
        elif draw < 0.95:
            status = M.PTT
        else:
            status = M.NON_ASN
        nip = ""
        if status == M.PNS or (status == M.PPPK and rng.random() < 0.5):
            nip = _nip(rng, year, used_nips)
        values = {
            "status": status,
            "nip": nip,
            "position": "Sekretaris" if role.order == 1 else rng.choice(POSITIONS),
            "phone": f"08{rng.randint(11, 59)}{rng.randint(10000000, 99999999)}",
            "email": "",
        }
        certificates = []
        if role.is_technical and rng.random() < 0.85:
            title, issuer = rng.choice(CERTIFICATES)
            issued = datetime.date(year - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
            expires = None
            if issuer == TeamCertificate.Issuer.BNSP or rng.random() < 0.4:
                draw = rng.random()
                if draw < 0.15:
                    offset = -rng.randint(1, 200)  # expired
                elif draw < 0.30:
                    offset = rng.randint(0, 90)  # expiring
                else:
                    offset = rng.randint(120, 1000)
                expires = max(issued, today + datetime.timedelta(days=offset))
            certificates.append(
                {
                    "number": f"{issuer.upper()}/{year}/{rng.randint(1000, 9999)}",
                    "name": title,
                    "issuer": issuer,
                    "issued_on": issued,
                    "expires_on": expires,
                }
            )
        members.append((role, name, values, certificates))
    proposal = {"state": state, "reason": "", "sk_number": "", "sk_date": None}
    if state == S.RETURNED:
        proposal["reason"] = "Lengkapi anggota tim dan sertifikat anggota teknis."
    if state == S.APPROVED:
        day = datetime.date(year, 1, 15) + datetime.timedelta(days=rng.randint(0, 60))
        proposal["sk_number"] = f"188.4/{rng.randint(10, 400)}/{opd_kode}/{year}"
        proposal["sk_date"] = day
    moment = timezone.make_aware(datetime.datetime(year, 1, 10, 9, 0))
    proposal["proposed_at"] = moment if state in (S.PROPOSED, S.APPROVED) else None
    proposal["decided_at"] = (
        moment + datetime.timedelta(days=5) if state in (S.APPROVED, S.RETURNED) else None
    )
    return proposal, members


def _sync(obj, values):
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def seed_teams(pemdas, opd_kodes, year, today=None):
    """Demo teams for `year`: `pemdas` maps pemda kode → Pemda, `opd_kodes` pemda kode →
    the demo OPD codes. Returns a TeamTally."""
    today = today or timezone.localdate()
    tally = TeamTally()
    for pemda_kode, kodes in opd_kodes.items():
        pemda = pemdas[pemda_kode]
        roles = ensure_default_roles(pemda)
        opds = {opd.kode: opd for opd in pemda.opds.filter(kode__in=kodes).active_in(year)}
        used = set()  # NIPs drawn in this run: never from the database, so reruns agree
        existing = {
            p.opd_id: p for p in TeamProposal.objects.filter(pemda=pemda, year=year, version=1)
        }
        revised = set(
            TeamProposal.objects.filter(pemda=pemda, year=year, version__gt=1).values_list(
                "opd_id", flat=True
            )
        )
        for kode in sorted(opds):
            opd = opds[kode]
            if opd.id in revised:
                continue
            values, members = _team(pemda_kode, kode, year, roles, today, used)
            tally.versions += 1
            proposal = existing.get(opd.id)
            if proposal is None:
                proposal = TeamProposal.objects.create(
                    pemda=pemda, opd=opd, year=year, version=1, **values
                )
                tally.created += 1
                _events(proposal)
            elif changed := _sync(proposal, values):
                proposal.save(update_fields=changed)
                tally.changed += 1
            _sync_members(proposal, members, tally)
    return tally


def _events(proposal):
    actions = [TeamEvent.Action.CREATED]
    if proposal.proposed_at:
        actions.append(TeamEvent.Action.PROPOSED)
    if proposal.state == S.APPROVED:
        actions.append(TeamEvent.Action.APPROVED)
    if proposal.state == S.RETURNED:
        actions += [TeamEvent.Action.PROPOSED, TeamEvent.Action.RETURNED]
    TeamEvent.objects.bulk_create(
        TeamEvent(
            pemda_id=proposal.pemda_id,
            opd_id=proposal.opd_id,
            proposal=proposal,
            action=action,
            detail=proposal.reason if action == TeamEvent.Action.RETURNED else "",
        )
        for action in actions
    )


def _sync_members(proposal, members, tally):
    existing = {(m.role_id, m.name): m for m in proposal.members.prefetch_related("certificates")}
    wanted = set()
    for role, name, values, certificates in members:
        key = (role.id, name)
        wanted.add(key)
        tally.members += 1
        member = existing.get(key)
        if member is None:
            member = TeamMember.objects.create(proposal=proposal, role=role, name=name, **values)
            tally.created += 1
            current = {}
        else:
            if changed := _sync(member, values):
                member.save(update_fields=changed)
                tally.changed += 1
            current = {c.number: c for c in member.certificates.all()}
        numbers = set()
        for cert in certificates:
            numbers.add(cert["number"])
            row = current.get(cert["number"])
            if row is None:
                TeamCertificate.objects.create(member=member, **cert)
                tally.created += 1
            elif changed := _sync(row, cert):
                row.save(update_fields=changed)
                tally.changed += 1
        stale = [c.pk for number, c in current.items() if number not in numbers]
        if stale:
            TeamCertificate.objects.filter(pk__in=stale).delete()
            tally.changed += 1
    extra = [m.pk for key, m in existing.items() if key not in wanted]
    if extra:
        TeamMember.objects.filter(pk__in=extra).delete()
        tally.changed += 1
