"""The evaluation worksheet (Lembar Kerja Evaluasi, LKE) of one OPD in one period, as
an XLSX for the national portal and for print: one row per indicator with its aspect,
code, name, weight, the five level criteria, the OPD's self-assessed value and
explanation (and, for an indicator assessed through items, a row per item below it), the evaluators' value at each stage, the value that counts, the notes and
recommendations and the evidence; a second sheet lists the evidence with its links.
Every sheet prints landscape, fitted to the page width, with the OPD, the period and the
date in its header and footer.

The figure rules and the disclosure apply as everywhere: an OPD user before document
review ends gets its own self-assessment only, with no evaluator's value or note
(services.disclosure); an external indicator still waiting says so."""

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from spbe_dashboard.spreadsheets import Printing, Sheet, xlsx_bytes

from ..models import Evidence, Score, Stage, StageReview
from .disclosure import sees_review
from .exports import plain

VALUE_FORMAT = "0.00"


def _scores(assessment, user):
    return list(
        Score.objects.visible_to(user)
        .filter(assessment=assessment)
        .select_related("indicator__aspect")
        .prefetch_related(
            "indicator__criteria",
            "indicator__items",
            "item_scores",
            Prefetch("reviews", queryset=StageReview.objects.order_by("dinilai_pada")),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(dihapus_pada__isnull=True).order_by(
                    "diunggah_pada"
                ),
            ),
        )
        .order_by("indicator__nomor")
    )


def _criteria(indicator):
    return "\n".join(f"{c.level}. {c.nama}: {c.kriteria}" for c in indicator.criteria.all())


def _evidence_line(evidence, evidence_url):
    name = evidence.keterangan or evidence.nama_berkas or evidence.tautan
    link = evidence.tautan if evidence.jenis == Evidence.Kind.LINK else evidence_url(evidence)
    return f"{name} ({link})" if link and link != name else name


def _item_rows(score, shows_review, stage_count):
    """Below an indicator assessed through items, one row per item: its code (I1.2),
    name, weight, criteria, the OPD's level and the evaluator's."""
    levels = {s.item_id: s for s in score.item_scores.all()}
    rows = []
    for item in score.indicator.items.all():
        level = levels.get(item.id)
        rows.append(
            [
                None,
                f"{score.indicator.label}.{item.nomor}",
                f"· {item.nama}",
                item.bobot,
                item.kriteria,
                level.level_mandiri if level else None,
                None,
                *([None] * stage_count),
                level.level_evaluator if level and shows_review else None,
                None,
                None,
            ]
        )
    return rows


def worksheet(assessment, user, evidence_url):
    """The LKE of `assessment` as XLSX bytes. `evidence_url(evidence)` gives the link of
    an uploaded file (the permission-checked download page)."""
    period, opd = assessment.period, assessment.opd
    shows_review = sees_review(user, period)
    stages = list(Stage)
    scores = _scores(assessment, user)
    now = formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
    title = _("SPBE evaluation worksheet (LKE)")
    heading = f"{title} · {opd.nama} · {_('Period')} {period.label}"
    printing = Printing(
        header=heading,
        footer=_("%(pemda)s · printed %(when)s") % {"pemda": period.pemda.nama, "when": now},
    )
    notes = [
        title,
        f"{period.pemda.nama} · {opd.kode} {opd.nama}",
        f"{_('Period')} {period.label} · {period.get_status_display()} · {period.instrument.nama}",
        _("Downloaded %(when)s%(by)s")
        % {"when": now, "by": f" · {user.get_full_name() or user.get_username()}"},
    ]
    if not shows_review:
        notes.append(
            _("The evaluators' values and notes are shown once document review has ended.")
        )
    header = [
        _("Aspect"),
        _("Code"),
        _("Indicator"),
        _("Weight (%)"),
        _("Level criteria"),
        _("Self-assessed value"),
        _("Explanation"),
        *(str(stage.label) for stage in stages),
        _("Final value"),
        _("Notes and recommendations"),
        _("Evidence"),
    ]
    rows, evidence_rows = [], []
    for score in scores:
        indicator = score.indicator
        reviews = {r.tahap: r for r in score.reviews.all()} if shows_review else {}
        if indicator.is_external:
            counted = score.level_evaluator if score.level_evaluator is not None else None
        else:
            counted = score.level_evaluator if shows_review else None
        final = plain(counted, period) if counted is not None else None
        if indicator.is_external and score.level_evaluator is None:
            final = _("waiting for the external value (%(value)s counts)") % {
                "value": plain(indicator.nilai_bawaan, period)
            }
        notes_text = []
        if shows_review:
            notes_text += [
                f"{r.get_tahap_display()}: {r.catatan}" for r in score.reviews.all() if r.catatan
            ]
            if score.catatan_evaluator and not any(
                score.catatan_evaluator == r.catatan for r in score.reviews.all()
            ):
                notes_text.append(score.catatan_evaluator)
        if indicator.is_external and score.eksternal_tanggal:
            notes_text.append(
                _("From %(source)s: score %(score)s of %(date)s")
                % {
                    "source": indicator.sumber_eksternal,
                    "score": score.eksternal_skor or "-",
                    "date": formats.date_format(score.eksternal_tanggal, "SHORT_DATE_FORMAT"),
                }
            )
        evidence = list(score.evidence.all())
        rows.append(
            [
                f"{indicator.aspect.nomor}. {indicator.aspect.nama}",
                indicator.label,
                indicator.nama,
                indicator.bobot,
                _criteria(indicator),
                plain(score.level_mandiri, period),
                score.penjelasan,
                *(
                    plain(reviews[stage].level, period) if stage in reviews else None
                    for stage in stages
                ),
                final,
                "\n".join(notes_text),
                "\n".join(_evidence_line(e, evidence_url) for e in evidence),
            ]
        )
        rows += _item_rows(score, shows_review, len(stages))
        for e in evidence:
            evidence_rows.append(
                [
                    indicator.label,
                    indicator.nama,
                    e.get_jenis_display(),
                    e.keterangan or e.nama_berkas,
                    e.tautan if e.jenis == Evidence.Kind.LINK else evidence_url(e),
                    formats.date_format(timezone.localtime(e.diunggah_pada), "SHORT_DATE_FORMAT"),
                ]
            )
    values = {5: VALUE_FORMAT, **{7 + n: VALUE_FORMAT for n in range(len(stages) + 1)}}
    main = Sheet(
        title=_("LKE"),
        header=header,
        rows=rows,
        number_formats=values,
        widths={
            0: 24,
            1: 7,
            2: 40,
            3: 8,
            4: 60,
            5: 10,
            6: 40,
            7: 10,
            8: 10,
            9: 10,
            10: 12,
            11: 40,
            12: 40,
        },
        notes=notes,
        wrap={0, 2, 4, 6, 11, 12},
        printing=printing,
    )
    evidence_sheet = Sheet(
        title=_("Evidence"),
        header=[_("Code"), _("Indicator"), _("Kind"), _("Description"), _("Link"), _("Date")],
        rows=evidence_rows,
        widths={0: 7, 1: 40, 2: 8, 3: 40, 4: 60, 5: 12},
        notes=notes[:3],
        wrap={1, 3, 4},
        printing=printing,
    )
    return xlsx_bytes([main, evidence_sheet])


def filename(assessment):
    period = assessment.period
    return f"lke-{period.pemda.kode}-{assessment.opd.kode}-{period.label.replace(' ', '-')}.xlsx"
