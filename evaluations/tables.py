import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Assessment

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


class BoundedPaginator(Paginator):
    """The paginator of the pages' tables, whose ?per_page= comes from the URL: at most
    MAX_PER_PAGE rows a page, and a size below one (?per_page=-1) is the default size
    instead of an error."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        per_page = int(per_page)
        if per_page < 1:
            per_page = DEFAULT_PER_PAGE
        super().__init__(object_list, min(per_page, MAX_PER_PAGE), *args, **kwargs)


# On a phone (< 576 px) a ranking keeps rank, OPD, index and zone in view: the other
# columns are hidden there (the status moves under the OPD's name, see render_nama).
WIDE_ONLY = {"th": {"class": "d-none d-sm-table-cell"}, "td": {"class": "d-none d-sm-table-cell"}}
NUMBER = {"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}}


class RankColumn(tables.Column):
    """The rank, headed "Peringkat" and, on a phone, "#" (the word takes a number's room
    twice over)."""

    @property
    def header(self):
        label = super().header
        return format_html(
            '<span class="d-none d-sm-inline">{}</span><span class="d-sm-none" title="{}">#</span>',
            label,
            label,
        )


def zone_badge(zone_code, zone_label):
    return render_to_string(
        "evaluations/_zone_badge.html", {"zona": zone_code, "label": zone_label}
    )


def status_badge(assessment):
    return render_to_string("evaluations/_status_badge.html", {"a": assessment})


class AssessmentTable(tables.Table):
    """The OPD ranking of one period, from stored figures. OPDs without figures (in
    progress) have no rank and come after every ranked OPD, whatever the database's
    ordering of empty values."""

    peringkat = RankColumn(verbose_name=_("Rank"), attrs=NUMBER, default="—")
    kode = tables.Column(verbose_name=_("Code"), accessor="opd__kode", attrs=WIDE_ONLY)
    nama = tables.Column(verbose_name=_("OPD"), accessor="opd__nama", order_by=("opd__nama",))
    jenis = tables.Column(verbose_name=_("Kind"), accessor="opd__jenis", attrs=WIDE_ONLY)
    indeks = tables.Column(verbose_name=_("Index"), attrs=NUMBER)
    predikat = tables.Column(verbose_name=_("Predikat"), attrs=WIDE_ONLY)
    zona = tables.Column(verbose_name=_("Zone"))
    status = tables.Column(
        verbose_name=_("Status"), accessor="status_nilai", orderable=True, attrs=WIDE_ONLY
    )

    class Meta:
        model = Assessment
        fields = ("peringkat", "kode", "nama", "jenis", "indeks", "predikat", "zona", "status")
        order_by = ("peringkat", "opd__kode")
        attrs = {"class": "table table-sm table-hover align-middle table-ranking"}
        empty_text = _("No OPD matches these filters.")

    def render_nama(self, record):
        url = reverse("opd_detail", args=[record.pemda.kode, record.opd.kode])
        return format_html(
            '<a href="{}?tahun={}">{}</a><div class="d-sm-none small">{}</div>',
            url,
            record.period.tahun,
            record.opd.nama,
            self.render_status(record),
        )

    def render_jenis(self, record):
        return record.opd.get_jenis_display()

    def order_peringkat(self, queryset, is_descending):
        rank = (
            F("peringkat").desc(nulls_last=True)
            if is_descending
            else F("peringkat").asc(nulls_last=True)
        )
        return queryset.order_by(rank, "opd__kode"), True

    def render_indeks(self, record):
        return number_format(record.indeks_bulat, 2) if record.indeks is not None else "—"

    def render_zona(self, record):
        return zone_badge(record.zona, record.get_zona_display())

    def render_status(self, record):
        return status_badge(record)


class ReviewQueueTable(tables.Table):
    """The evaluators' work queue: a pemda's OPDs in one period with review progress.
    Expects the queryset annotations `total`, `validated`, and `stage_reviewed` of
    services.review_progress.with_stage_progress."""

    kode = tables.Column(verbose_name=_("Code"), accessor="opd__kode", attrs=WIDE_ONLY)
    nama = tables.Column(verbose_name=_("OPD"), accessor="opd__nama", order_by=("opd__nama",))
    status_mandiri = tables.Column(verbose_name=_("Self-assessment"), attrs=WIDE_ONLY)
    validated = tables.Column(
        verbose_name=_("Validated"),
        attrs={
            "th": {"class": "text-end d-none d-sm-table-cell"},
            "td": {"class": "text-end d-none d-sm-table-cell"},
        },
        orderable=True,
    )
    stage_reviewed = tables.Column(
        verbose_name=_("Reviewed in this stage"),
        attrs={"td": {"class": "text-end"}},
        orderable=True,
    )
    indeks = tables.Column(verbose_name=_("Index"), attrs={"td": {"class": "text-end"}})
    zona = tables.Column(verbose_name=_("Zone"))

    class Meta:
        model = Assessment
        fields = ("kode", "nama", "status_mandiri", "validated", "stage_reviewed", "indeks", "zona")
        order_by = ("opd__kode",)
        attrs = {
            "class": "table table-sm table-hover align-middle table-ranking",
            "data-testid": "review-queue",
        }
        row_attrs = {"data-opd": lambda record: record.opd.kode}
        empty_text = _("No OPD matches these filters.")

    def render_nama(self, record):
        url = reverse("review", args=[record.pemda.kode, record.opd.kode])
        query = f"?tahun={record.period.tahun}"
        if record.period.triwulan:
            query += f"&tw={record.period.triwulan}"
        if getattr(record, "mine", False):
            return format_html(
                '<a href="{}{}">{}</a> <span class="badge text-bg-info" data-testid="mine">{}</span>',
                url,
                query,
                record.opd.nama,
                _("My queue"),
            )
        return format_html('<a href="{}{}">{}</a>', url, query, record.opd.nama)

    def render_status_mandiri(self, record):
        return record.get_status_mandiri_display()

    def render_validated(self, record):
        return format_html(
            '<span data-testid="validated">{}</span> / {}', record.validated, record.total
        )

    def render_stage_reviewed(self, record):
        return format_html(
            '<span data-testid="stage-reviewed">{}</span> / {}',
            record.stage_reviewed,
            record.stage_total,
        )

    def render_indeks(self, record):
        return number_format(record.indeks_bulat, 2) if record.indeks is not None else "—"

    def render_zona(self, record):
        return zone_badge(record.zona, record.get_zona_display())


class DashboardRankingTable(AssessmentTable):
    """The ranking table under the zone dashboard's charts: the OPD list's columns, with
    the zone badge built inline (one template render per row is the page's main cost).

    Its rows are written in one pass (`rows_html`, in the template
    evaluations/_ranking_table.html): django-tables2 renders every cell through its
    column machinery and a template, half of the dashboard's time for 42 OPDs. Header,
    sorting and pages stay django-tables2's; the cells are the same (a test compares)."""

    class Meta(AssessmentTable.Meta):
        template_name = "evaluations/_ranking_table.html"

    def rows_html(self):
        columns = [(column, column.attrs["td"].as_html()) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            cells = format_html_join(
                "",
                "<td {}>{}</td>",
                ((attrs, self._cell(column, row.record)) for column, attrs in columns),
            )
            rows.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), cells))
        return mark_safe("\n".join(rows))  # noqa: S308 (each row built by format_html)

    def _cell(self, column, record):
        # django-tables2's rule: an empty value shows the column's default, unrendered.
        value = column.accessor.resolve(record, quiet=True)
        if value in column.column.empty_values:
            return column.default
        render = getattr(self, f"render_{column.name}", None)
        return value if render is None else render(record)

    def render_zona(self, record):
        if not record.zona:
            return "—"
        return format_html(
            '<span class="badge zona-{}">{}</span>', record.zona, record.get_zona_display()
        )

    def render_status(self, record):
        # Inline, as the zone badge: one template render per row is the page's main cost.
        if record.is_in_progress:
            return format_html(
                '<span class="badge text-bg-light border figure-in-progress">{} · {}/{}</span>',
                record.get_status_nilai_display(),
                record.tervalidasi,
                record.jumlah_indikator,
            )
        return format_html(
            '<span class="badge {}">{}</span>',
            "text-bg-secondary" if record.is_final else "text-bg-light border",
            record.get_status_nilai_display(),
        )
