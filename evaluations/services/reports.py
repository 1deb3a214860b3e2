"""What the zone dashboard, the kabupaten/kota ranking and the OPD scorecard show, and
the report files (PDF, XLSX) made from them.

Pages and reports read stored figures only (Assessment, PemdaSummary, OfficialIndex);
nothing here recomputes an index. Every function runs a fixed number of queries,
whatever the number of OPDs or periods.

PDFs are made on this machine: the report page is rendered to an HTML file whose
scripts and styles are our own static files (file:// URLs), opened in Debian's chromium
through Playwright, drawn by the same static/js/charts.js as the pages, and printed
with `page.pdf()`. Nothing leaves the machine.
"""

import contextlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from opd.models import Pemda

from .. import charts
from ..models import (
    Aspect,
    Assessment,
    FigureStatus,
    Job,
    OfficialIndex,
    PemdaSummary,
    Period,
    Score,
    Zone,
)
from . import crosswalks
from .disclosure import conceal_scores, sees_review
from .exports import status_label
from .instruments import instrument_weights
from .projections import exit_path
from .scoring import round_index, zone_for
from .summaries import compare_periods, summarise_periods

logger = logging.getLogger(__name__)

MOVERS = 5


# --- Headline figures ----------------------------------------------------------------


@dataclass
class Headline:
    """A period's headline figures, built from the `assessed` OPDs with figures (of
    `opd_count`); `in_progress` OPDs are counted apart, never averaged or zoned."""

    period: Period
    opd_count: int = 0
    assessed: int = 0
    average: Decimal | None = None
    predikat: str = ""
    zones: dict = field(default_factory=dict)
    provisional: int = 0
    stored: bool = True  # from PemdaSummary (False: the live aggregate)

    @property
    def in_progress(self):
        return self.opd_count - self.assessed

    @property
    def status(self):
        """What the headline figures are: final, provisional, or in progress (no OPD has
        figures yet)."""
        if not self.assessed:
            return FigureStatus.IN_PROGRESS
        if self.period.is_final and not self.in_progress:
            return FigureStatus.FINAL
        return FigureStatus.PROVISIONAL

    @property
    def status_label(self):
        return FigureStatus(self.status).label

    @property
    def zone(self):
        if self.average is None:
            return ""
        return zone_for(self.average, self.period.zona_hijau_dari, self.period.zona_kuning_dari)

    @property
    def zone_label(self):
        return Zone(self.zone).label if self.zone else ""

    @property
    def zone_rows(self):
        return [(z.value, z.label, self.zones.get(z.value, 0)) for z in Zone]


def headlines(periods):
    """The headline figures of each period (same order), from PemdaSummary, falling
    back to the live aggregate of the stored assessment figures when a summary row is
    missing. Two queries at most, whatever the number of periods."""
    periods = list(periods)
    stored = {s.period_id: s for s in PemdaSummary.objects.filter(period__in=periods)}
    live = (
        {s.period.id: s for s in summarise_periods([p for p in periods if p.id not in stored])}
        if len(stored) < len(periods)
        else {}
    )
    result = []
    for period in periods:
        s = stored.get(period.id)
        if s is not None:
            result.append(
                Headline(
                    period=period,
                    opd_count=s.opd_count,
                    assessed=s.dinilai,
                    average=None if s.rata_rata is None else round_index(s.rata_rata),
                    predikat=s.predikat,
                    zones={
                        Zone.MERAH: s.zona_merah,
                        Zone.KUNING: s.zona_kuning,
                        Zone.HIJAU: s.zona_hijau,
                    },
                    provisional=s.sementara,
                )
            )
        else:
            s = live[period.id]
            result.append(
                Headline(
                    period=period,
                    opd_count=s.opd_count,
                    assessed=s.assessed,
                    average=s.average,
                    predikat=s.predikat,
                    zones=dict(s.zones),
                    provisional=s.provisional,
                    stored=False,
                )
            )
    return result


def previous_of(periods, period):
    """The period before `period` of the same kind (yearly or the same quarter)."""
    older = [
        p
        for p in periods
        if (p.tahun, p.triwulan or 0) < (period.tahun, period.triwulan or 0)
        and (p.triwulan is None) == (period.triwulan is None)
    ]
    return max(older, key=lambda p: (p.tahun, p.triwulan or 0), default=None)


def _label(opd):
    return opd.singkatan or opd.nama


def _aspects(instrument_id):
    """(number, short label, full name) of the instrument's aspects."""
    return [
        (nomor, f"A{nomor}", nama)
        for nomor, nama in Aspect.objects.filter(instrument_id=instrument_id)
        .order_by("nomor")
        .values_list("nomor", "nama")
    ]


def _dec(value):
    return None if value in (None, "") else Decimal(value)


# --- Zone dashboard --------------------------------------------------------------------


def dashboard_data(pemda, period, periods, user):
    """Everything the zone dashboard of one pemda and period shows.

    Rankings, zone counts, charts and movers are built from the OPDs with figures
    (provisional or final); the OPDs still in progress are listed apart, never ranked."""
    periods = list(periods)
    chronological = sorted(
        [p for p in periods if (p.triwulan is None) == (period.triwulan is None)],
        key=lambda p: (p.tahun, p.triwulan or 0),
    )
    previous = previous_of(periods, period)
    heads = {h.period.id: h for h in headlines(chronological)}
    current = heads[period.id]

    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(period=period)
        .select_related("opd")
        .order_by(F("peringkat").asc(nulls_last=True), "opd__kode")
    )
    rows = [
        {
            "label": _label(a.opd),
            "name": a.opd.nama,
            "kode": a.opd.kode,
            "index": a.indeks_bulat,
            "zone": a.zona,
            "zone_label": a.get_zona_display() if a.zona else "",
            "rank": a.peringkat,
            "predikat": a.predikat,
            "status": a.status_nilai,
            "status_label": status_label(a),
            "validated": a.tervalidasi,
            "total": a.jumlah_indikator,
        }
        for a in assessments
    ]
    # Two OPDs may share an acronym: the chart needs distinct category labels.
    seen = {}
    for row in rows:
        seen[row["label"]] = seen.get(row["label"], 0) + 1
    for row in rows:
        if seen[row["label"]] > 1:
            row["label"] = f"{row['label']} ({row['kode']})"
    pairs = list(zip(assessments, rows, strict=True))
    ranked = [row for a, row in pairs if a.has_figures]
    in_progress = [row for a, row in pairs if not a.has_figures]

    movers_up, movers_down = [], []
    comparison = compare_periods(period, previous)
    if comparison is not None:
        earlier = dict(
            Assessment.objects.filter(period=previous, indeks__isnull=False).values_list(
                "opd_id", "indeks"
            )
        )
        changes = []
        for a, row in pairs:
            if a.has_figures and earlier.get(a.opd_id) is not None:
                before_index = round_index(earlier[a.opd_id])
                changes.append(
                    {**row, "before": before_index, "change": a.indeks_bulat - before_index}
                )
        movers_up = sorted(
            (c for c in changes if c["change"] > 0), key=lambda c: (-c["change"], c["label"])
        )[:MOVERS]
        movers_down = sorted(
            (c for c in changes if c["change"] < 0), key=lambda c: (c["change"], c["label"])
        )[:MOVERS]

    aspects = _aspects(period.instrument_id)
    matrix = [
        [_dec(a.indeks_aspek.get(str(nomor))) for nomor, _s, _n in aspects]
        for a in assessments
        if a.has_figures
    ]
    green, yellow = period.zona_hijau_dari, period.zona_kuning_dari
    # The heatmap as a list, for screens too narrow for its cells.
    aspect_rows = [
        {
            "label": row["label"],
            "cells": [
                (short, name, value, zone_for(value, green, yellow) if value is not None else "")
                for (_n, short, name), value in zip(aspects, values, strict=True)
            ],
        }
        for row, values in zip(ranked, matrix, strict=False)
    ]
    return {
        "headline": current,
        "aspect_rows": aspect_rows,
        "comparison": comparison,
        "previous_period": previous,
        "official": official_index_of(pemda, period.tahun),
        "rows": rows,
        "ranked": ranked,
        "in_progress": in_progress,
        "movers_up": movers_up,
        "movers_down": movers_down,
        "aspects": aspects,
        "charts": {
            "ranking": charts.ranking_bars(ranked, green, yellow),
            "zones": charts.zone_donut(current.zones),
            "distribution": charts.index_histogram(ranked, green, yellow),
            "trend": charts.pemda_trend(
                [
                    {
                        "label": p.label,
                        "average": heads[p.id].average,
                        "zones": heads[p.id].zones,
                        "status": heads[p.id].status,
                    }
                    for p in chronological
                ],
                instrument_changes([p.instrument_id for p in chronological], user),
            ),
            "heatmap": charts.aspect_heatmap(
                [row["label"] for row in ranked],
                [(short, name) for _n, short, name in aspects],
                matrix,
                green,
                yellow,
            ),
        },
    }


def instrument_changes(instrument_ids, user):
    """[(position, "crosswalk" | "break")] where a chronological series of periods moves
    to another instrument: joined on the trend with a declared crosswalk, broken without
    (services.crosswalks)."""
    declared = crosswalks.pairs(user, instrument_ids)
    changes = []
    for position in range(1, len(instrument_ids)):
        kind = crosswalks.continuity(
            instrument_ids[position - 1], instrument_ids[position], declared
        )
        if kind != crosswalks.SAME:
            changes.append((position, kind))
    return changes


def official_index_of(pemda, year):
    """The official national index recorded for the pemda and year, or None."""
    return OfficialIndex.objects.filter(pemda=pemda, tahun=year).first()


# --- Kabupaten/kota ranking ------------------------------------------------------------


def kabupaten_years(province):
    """(every year of the province's kabupaten/kota periods newest first, the default
    year): the newest in which some kabupaten/kota is under evaluation or has figures."""
    periods = Period.objects.filter(pemda__parent=province, triwulan__isnull=True)
    years = sorted(set(periods.values_list("tahun", flat=True)), reverse=True)
    meaningful = set(
        periods.filter(Q(status=Period.Status.EVALUATION) | Q(summary__dinilai__gt=0)).values_list(
            "tahun", flat=True
        )
    )
    default = next((y for y in years if y in meaningful), None)
    return years, default


def kabupaten_data(province, year, user):
    """The kabupaten/kota of a province for one year, ranked by the average index of
    their OPDs (PemdaSummary.peringkat_provinsi), beside their official index."""
    children = list(Pemda.objects.visible_to(user).filter(parent=province).order_by("kode"))
    periods = {
        p.pemda_id: p
        for p in Period.objects.filter(
            pemda__in=children, tahun=year, triwulan__isnull=True
        ).select_related("instrument", "summary")
    }
    heads = {h.period.pemda_id: h for h in headlines(periods.values())}
    summaries = {}
    for pemda_id, period in periods.items():
        with contextlib.suppress(PemdaSummary.DoesNotExist):
            summaries[pemda_id] = period.summary
    official = {o.pemda_id: o for o in OfficialIndex.objects.filter(pemda__in=children, tahun=year)}
    rows = []
    for pemda in children:
        period = periods.get(pemda.id)
        head = heads.get(pemda.id)
        summary = summaries.get(pemda.id)
        off = official.get(pemda.id)
        rows.append(
            {
                "pemda": pemda,
                "label": pemda.nama,
                "period": period,
                "average": head.average if head else None,
                "predikat": head.predikat if head else "",
                "zone": head.zone if head else "",
                "zone_label": head.zone_label if head else "",
                "zones": head.zones if head else {},
                "opd_count": head.opd_count if head else 0,
                "assessed": head.assessed if head else 0,
                "status": head.status if head else FigureStatus.IN_PROGRESS,
                "status_label": head.status_label if head else "",
                "provisional": head.provisional if head else 0,
                "rank": summary.peringkat_provinsi if summary else None,
                "official": off.indeks if off else None,
                "official_record": off,
                "official_predikat": off.predikat if off else "",
                "official_rank": summary.peringkat_resmi if summary else None,
            }
        )
    rows.sort(
        key=lambda r: (
            r["rank"] is None,
            r["rank"] or 0,
            r["average"] is None,
            -(r["average"] or 0),
            r["pemda"].kode,
        )
    )
    any_period = next(iter(periods.values()), None)
    green = any_period.zona_hijau_dari if any_period else Decimal("3.50")
    yellow = any_period.zona_kuning_dari if any_period else Decimal("2.60")
    return {"rows": rows, "chart": charts.kabupaten_bars(rows, green, yellow)}


# --- OPD scorecard -----------------------------------------------------------------------


def scorecard_data(opd, history, selected, user):
    """Everything the scorecard of one OPD shows for the selected assessment.

    history: the OPD's assessments newest first (views.periods.opd_history)."""
    period = selected.period
    previous = None
    for a in history:
        p = a.period
        if (p.triwulan is None) == (period.triwulan is None) and (p.tahun, p.triwulan or 0) < (
            period.tahun,
            period.triwulan or 0,
        ):
            previous = a
            break
    change = None
    if (
        previous is not None
        and previous.indeks is not None
        and selected.indeks is not None
        and previous.period.instrument_id == period.instrument_id
    ):
        change = selected.indeks_bulat - previous.indeks_bulat

    scores = conceal_scores(
        user,
        list(
            Score.objects.filter(assessment=selected)
            .select_related("indicator__aspect__domain", "indicator__instrument")
            .order_by("indicator__nomor")
        ),
        period,
    )
    aspects = _aspects(period.instrument_id)
    # The pemda's average per aspect, over the OPDs with figures (the evaluators' work:
    # none for an OPD user before document review ends).
    all_aspect_indices = (
        list(
            Assessment.objects.filter(period=period, indeks__isnull=False).values_list(
                "indeks_aspek", flat=True
            )
        )
        if sees_review(user, period)
        else []
    )
    pemda_avg = []
    for nomor, _short, _name in aspects:
        values = [_dec(d.get(str(nomor))) for d in all_aspect_indices]
        values = [v for v in values if v is not None]
        pemda_avg.append(sum(values) / len(values) if values else None)
    opd_values = [_dec(selected.indeks_aspek.get(str(nomor))) for nomor, _s, _n in aspects]
    summary = headlines([period])[0]

    # The way into the next zone starts from the figures; without figures there is no
    # zone to leave.
    projection, path = None, []
    if selected.has_figures:
        weights = instrument_weights(period.instrument_id)
        values = {s.indicator_id: s.level_evaluator for s in scores}
        projection = exit_path(weights, values, period.zona_hijau_dari, period.zona_kuning_dari)
        by_id = {s.indicator_id: s for s in scores}
        path = [
            {
                "step": step,
                "score": by_id.get(step.indicator),
                "zone_label": Zone(step.projected_zone).label,
            }
            for step in projection.steps
        ]

    chronological = [
        a for a in reversed(history) if (a.period.triwulan is None) == (period.triwulan is None)
    ]
    team = team_panel(opd, period.tahun)
    green, yellow = period.zona_hijau_dari, period.zona_kuning_dari
    return {
        "selected": selected,
        "previous": previous,
        "change": change,
        "scores": scores,
        "pemda_summary": summary,
        "aspect_rows": [
            {"nomor": n, "short": s, "name": name, "opd": o, "pemda": p}
            for (n, s, name), o, p in zip(aspects, opd_values, pemda_avg, strict=True)
        ],
        "team_status": team,
        "team_url": team_url(opd, period.tahun) if team else "",
        "projection": projection,
        "target_label": (
            Zone(projection.target_zone).label if projection and projection.target_zone else ""
        ),
        "path": path,
        "charts": {
            "aspects": charts.aspect_comparison(
                [(s, name) for _n, s, name in aspects], opd_values, pemda_avg, _label(opd)
            ),
            "trend": charts.opd_trend(
                [
                    {
                        "label": a.period.label,
                        "index": a.indeks_bulat,
                        "zone": a.zona,
                        "status": a.status_nilai,
                    }
                    for a in chronological
                ],
                green,
                yellow,
                instrument_changes([a.period.instrument_id for a in chronological], user),
            ),
        },
        "instrument_changes": instrument_changes(
            [a.period.instrument_id for a in chronological], user
        ),
    }


def team_url(opd, year):
    try:
        return reverse("opd_team", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"
    except NoReverseMatch:  # pragma: no cover
        return ""


def team_panel(opd, year):
    """The OPD's SPBE team status for the year (opd.services.teams), or None when the
    team feature is not available."""
    try:
        from opd.services.teams import opd_team_status
    except ImportError:  # pragma: no cover - the team feature ships separately
        return None
    try:
        return opd_team_status(opd, year)
    except Exception:  # a broken team record must not take the scorecard down
        logger.exception("team status of %s %s", opd.pk, year)
        return None


# --- Report files ------------------------------------------------------------------------


def report_dir(pemda):
    return Path(settings.MEDIA_ROOT) / "reports" / pemda.kode


def _asset_urls():
    """file:// URLs of the static files the report page needs (no server involved)."""
    names = {
        "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
        "app_css": "css/app.css",
        "report_css": "css/report.css",
        "plotly_js": "vendor/plotly/plotly.min.js",
        "charts_js": "js/charts.js",
    }
    urls = {}
    for key, name in names.items():
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(f"static file {name} not found")
        urls[key] = Path(found).resolve().as_uri()
    return urls


def chromium_path():
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or "/usr/bin/chromium"
    )


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
]


PDF_SCALE = 0.7


def html_to_pdf(html, landscape=False, timeout_ms=30_000):
    """Print an HTML page (with its file:// scripts) to PDF bytes in Debian's chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="spbe-report-") as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            try:
                # As wide as the printed page (A4 minus margins, ÷ scale): charts fit it.
                page = browser.new_page(viewport={"width": 1026, "height": 1400})
                page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_ms)
                page.wait_for_function(
                    "document.documentElement.dataset.chartsReady === 'yes'", timeout=timeout_ms
                )
                page.emulate_media(media="print")
                return page.pdf(
                    format="A4",
                    landscape=landscape,
                    print_background=True,
                    # Lay the page out ~1000 px wide (the desktop grid), then shrink to A4.
                    scale=PDF_SCALE,
                    margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
                )
            finally:
                browser.close()


def dashboard_pdf(pemda, period, user):
    from ..views.periods import periods_of

    periods = periods_of(pemda, user)
    context = {
        "pemda": pemda,
        "period": period,
        "assets": _asset_urls(),
        "generated_at": timezone.now(),
        "report": True,
    }
    context.update(dashboard_data(pemda, period, periods, user))
    html = render_to_string("evaluations/reports/dashboard_pdf.html", context)
    return html_to_pdf(html)


def scorecard_pdf(opd, period, user):
    from ..views.periods import opd_history

    history = opd_history(opd, user)
    selected = next((a for a in history if a.period_id == period.id), None)
    if selected is None:
        raise Assessment.DoesNotExist(f"{opd} has no assessment in {period}")
    context = {
        "pemda": opd.pemda,
        "opd": opd,
        "period": period,
        "history": history,
        "assets": _asset_urls(),
        "generated_at": timezone.now(),
        "report": True,
    }
    context.update(scorecard_data(opd, history, selected, user))
    html = render_to_string("evaluations/reports/scorecard_pdf.html", context)
    return html_to_pdf(html)


def report_filename(job):
    period = job.period
    if job.detail.startswith("scorecard:"):
        opd_kode = job.detail.split(":", 1)[1]
        return f"rapor-{opd_kode}-{period.label.replace(' ', '-')}-{job.id}.pdf"
    return f"dasbor-{job.pemda.kode}-{period.label.replace(' ', '-')}-{job.id}.pdf"


def run_report_job(job_id, language=None):
    """Make the PDF a Job asks for and record where it is. Idempotent: a job that is
    already done keeps its file."""
    job = Job.objects.select_related("pemda", "period__instrument", "requested_by").get(pk=job_id)
    if job.state == Job.State.DONE and job.result_file:
        return job.result_file
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, started_at=timezone.now(), progress=10
    )
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            if job.detail.startswith("scorecard:"):
                from opd.models import OPD

                opd = OPD.objects.select_related("pemda").get(
                    pemda=job.pemda, kode=job.detail.split(":", 1)[1]
                )
                pdf = scorecard_pdf(opd, job.period, job.requested_by)
            else:
                pdf = dashboard_pdf(job.pemda, job.period, job.requested_by)
        folder = report_dir(job.pemda)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / report_filename(job)
        target.write_bytes(pdf)
        relative = target.relative_to(Path(settings.MEDIA_ROOT)).as_posix()
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            progress=100,
            result_file=relative,
            finished_at=timezone.now(),
            error="",
        )
        return relative
    except Exception as error:
        logger.exception("report job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise


def may_make_reports(user, pemda):
    """Asking for a PDF writes a job and a file: only in the user's own pemda (a
    province's staff see its kabupaten/kota read-only, reports included)."""
    from opd.models import Pemda

    return Pemda.objects.home_of(user).filter(pk=pemda.pk).exists()


def jobs_visible_to(user, pemda):
    """Report jobs of the pemda the user may open: the pemda's staff (and the province
    above) see every report of the pemda; an OPD user only the reports they asked for."""
    from opd.permissions import is_pemda_staff

    jobs = Job.objects.visible_to(user).filter(pemda=pemda, kind=Job.Kind.REPORT)
    if not is_pemda_staff(user):
        jobs = jobs.filter(Q(requested_by=user))
    return jobs
