"""The SPBE component of the TPP per OPD and period (README, "TPP").

A pemda's Kominfo administrator sets the rule as data (models.TppMapping): either index
bands (from an index, rounded as shown, a percentage of the SPBE component) or linear
(0% at one index, 100% from another, straight in between). The export (XLSX for people,
CSV for machines) has one row per OPD with its index, status and percentage, and prints
the rule. The figure rules apply: only an OPD with a provisional or final index gets a
percentage; one in progress gets none, and the row says so (never 0%). The rows are the
results export's (exports.result_records: same figures, tenancy and disclosure)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from opd.permissions import administers
from spbe_dashboard.numbers import parse_decimal
from spbe_dashboard.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Printing,
    Sheet,
    csv_bytes,
    neutralise,
    xlsx_bytes,
)

from ..models import FigureStatus, TppMapping
from . import exports
from .scores import log_change

PLACES = Decimal("0.01")
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


class TppError(ValueError):
    """A rule that cannot be used: the messages say why (Indonesian in the interface)."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def _number(value):
    return format(Decimal(value), "f").replace(".", ",")


def parse_bands(text):
    """The bands typed one per line ("3,50 100" or "3.50; 100": lower bound of the index,
    percentage), highest bound first, as [[bound, percent], ...] strings; TppError with
    every problem otherwise."""
    bands, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace(";", " ").replace("\t", " ").split()
        values = [parse_decimal(p) for p in parts]
        if len(parts) != 2 or None in values:
            problems.append(
                _('Line %(n)s: write the lower bound and the percentage, e.g. "3,50 100".')
                % {"n": number}
            )
            continue
        bound, percent = values
        fits = True
        if not Decimal("1") <= bound <= Decimal("5"):
            problems.append(_("Line %(n)s: the index bound must be 1,00–5,00.") % {"n": number})
            fits = False
        if not Decimal("0") <= percent <= Decimal("100"):
            problems.append(_("Line %(n)s: the percentage must be 0–100.") % {"n": number})
            fits = False
        if fits:
            bands.append((bound.quantize(PLACES), percent.quantize(PLACES)))
    if problems:
        raise TppError(problems)
    if not bands:
        raise TppError([_("Give at least one band.")])
    bands.sort(reverse=True)
    bounds = [b for b, _p in bands]
    if len(set(bounds)) != len(bounds):
        problems.append(_("Two bands start at the same index."))
    if bounds[-1] != Decimal("1.00"):
        problems.append(_("The lowest band must start at 1,00, so that every index has a share."))
    if any(high[1] < low[1] for high, low in zip(bands, bands[1:], strict=False)):
        problems.append(_("A higher index may not get a smaller percentage."))
    if problems:
        raise TppError(problems)
    return [[str(b), str(p)] for b, p in bands]


def check(cara, pita, linier_dari, linier_sampai, bagian_spbe):
    """The rule's problems (empty list when usable)."""
    problems = []
    if cara not in TppMapping.Method.values:
        problems.append(_("Choose index bands or linear."))
    if bagian_spbe is None or not Decimal("0") < bagian_spbe <= Decimal("100"):
        problems.append(_("The SPBE share of the component must be more than 0 and at most 100%."))
    if cara == TppMapping.Method.LINEAR and (
        linier_dari is None
        or linier_sampai is None
        or not Decimal("1") <= linier_dari < linier_sampai <= Decimal("5")
    ):
        problems.append(
            _("Linear: the index of 0% must be below the index of 100%, both within 1,00–5,00.")
        )
    if cara == TppMapping.Method.BANDS and not pita:
        problems.append(_("Give at least one band."))
    return problems


@transaction.atomic
def save_mapping(user, pemda, cara, pita_text, linier_dari, linier_sampai, bagian_spbe):
    """Set the pemda's rule (its own Kominfo administrator only); recorded in the change
    log with the rule in words. TppError when unusable; nothing is saved then."""
    if not administers(user, pemda):
        raise PermissionError("Not the administrator of this pemda")
    pita = []
    if cara == TppMapping.Method.BANDS:
        pita = parse_bands(pita_text)
    problems = check(cara, pita, linier_dari, linier_sampai, bagian_spbe)
    if problems:
        raise TppError(problems)
    mapping = TppMapping.objects.select_for_update().filter(pemda=pemda).first()
    old = rule_text(mapping) if mapping else ""
    mapping = mapping or TppMapping(pemda=pemda)
    mapping.cara, mapping.pita, mapping.bagian_spbe = cara, pita, bagian_spbe
    if cara == TppMapping.Method.LINEAR:
        mapping.linier_dari, mapping.linier_sampai = linier_dari, linier_sampai
    mapping.diubah_oleh = user
    mapping.save()
    new = rule_text(mapping)
    if new != old:
        log_change(user, None, "tpp_mapping", old, new, pemda=pemda)
    return mapping


def bands_text(mapping):
    """The bands as the form shows them, one per line ("3,50 100")."""
    return "\n".join(f"{_number(b)} {_number(p)}" for b, p in (mapping.pita if mapping else []))


def percentage(mapping, index):
    """The share (0–100, 2 decimals) of the SPBE component for an index shown with 2
    decimals; None without an index."""
    if index is None:
        return None
    index = exports.two_places(index)
    if mapping.cara == TppMapping.Method.LINEAR:
        low, high = mapping.linier_dari, mapping.linier_sampai
        share = (index - low) / (high - low) * 100
        share = min(max(share, Decimal("0")), Decimal("100"))
    else:
        share = next((Decimal(p) for b, p in mapping.pita if index >= Decimal(b)), Decimal("0"))
    return share.quantize(PLACES, rounding=ROUND_HALF_UP)


def rule_text(mapping):
    """The rule in words, as the files print it."""
    share = _("The SPBE component is %(share)s%% of the work-achievement component.") % {
        "share": _number(mapping.bagian_spbe.normalize())
    }
    if mapping.cara == TppMapping.Method.LINEAR:
        rule = _(
            "Linear: 0%% of the SPBE component at index %(low)s, 100%% from index %(high)s, "
            "in proportion in between."
        ) % {"low": _number(mapping.linier_dari), "high": _number(mapping.linier_sampai)}
    else:
        rule = _("Index bands: %(bands)s.") % {
            "bands": "; ".join(
                _("from %(bound)s: %(percent)s%%")
                % {"bound": _number(b), "percent": _number(Decimal(p).normalize())}
                for b, p in mapping.pita
            )
        }
    return f"{rule} {share}"


def rows(period, mapping, assessments=None, user=None):
    """One row per OPD: code, name, index, predikat, status, percentage of the SPBE
    component, share of the work-achievement component, and a remark."""
    _parts, _indicators, records = exports.result_records(period, assessments, user)
    result = []
    for record in records:
        has_figures = record["status"] in (FigureStatus.PROVISIONAL, FigureStatus.FINAL)
        share = percentage(mapping, record["indeks"]) if has_figures else None
        if not has_figures:
            remark = _("No provisional or final index: no SPBE component.")
        elif record["status"] == FigureStatus.PROVISIONAL:
            remark = _("Provisional: may still change.")
        else:
            remark = ""
        result.append(
            {
                "kode_opd": record["kode_opd"],
                "nama": record["nama"],
                "indeks": record["indeks"],
                "predikat": record["predikat"],
                "status": record["status"],
                "persen_komponen_spbe": share,
                "persen_capaian_kinerja": None
                if share is None
                else (share * mapping.bagian_spbe / 100).quantize(PLACES, rounding=ROUND_HALF_UP),
                "keterangan": remark,
            }
        )
    return result


COLUMNS = [
    "kode_opd",
    "nama",
    "indeks",
    "predikat",
    "status",
    "persen_komponen_spbe",
    "persen_capaian_kinerja",
    "keterangan",
]


def export(period, mapping, fmt, assessments=None, user=None):
    """(content, content type, file name): XLSX for people, CSV for machines; both print
    the rule (the CSV in comment lines starting with "#" above the header)."""
    table = rows(period, mapping, assessments, user)
    rule = rule_text(mapping)
    name = exports.filename(period, "tpp-spbe", fmt)
    if fmt == "csv":
        comments = [
            f"# {neutralise(line)}"
            for line in (
                _("SPBE component of the TPP"),
                f"{period.pemda.nama} {period.label}",
                rule,
            )
        ]
        body = csv_bytes(COLUMNS, ([row[c] for c in COLUMNS] for row in table))
        content = ("\ufeff" + "\r\n".join(comments) + "\r\n").encode() + body.removeprefix(
            "\ufeff".encode()
        )
        return content, FORMATS["csv"], name
    labels = {s.value: str(s.label) for s in FigureStatus}
    notes = exports.period_notes(period, _("SPBE component of the TPP"), user)
    notes.insert(1, _("Rule: %(rule)s") % {"rule": rule})
    sheet = Sheet(
        title=_("TPP"),
        header=[
            _("OPD code"),
            _("OPD"),
            _("Index"),
            _("Predikat"),
            _("Status"),
            _("SPBE component (%)"),
            _("Of the work-achievement component (%)"),
            _("Remark"),
        ],
        rows=[
            [
                row["kode_opd"],
                row["nama"],
                row["indeks"],
                row["predikat"],
                labels[row["status"]],
                row["persen_komponen_spbe"],
                row["persen_capaian_kinerja"],
                row["keterangan"],
            ]
            for row in table
        ],
        number_formats={2: exports.INDEX_FORMAT, 5: "0.00", 6: "0.00"},
        widths={0: 16, 1: 48, 2: 8, 3: 14, 4: 14, 5: 14, 6: 16, 7: 44},
        notes=notes,
        printing=Printing(
            header=f"{_('SPBE component of the TPP')} · {period.pemda.nama} · {period.label}",
            footer=formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        ),
    )
    return xlsx_bytes([sheet]), FORMATS["xlsx"], name
