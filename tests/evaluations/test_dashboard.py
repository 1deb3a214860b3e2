"""The zone dashboard and the kabupaten/kota ranking: who sees them, the stored figures
they show, the chart JSON, the ranking table's exports, and the same queries at any
size."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.charts import ZONE_COLOURS
from evaluations.models import OfficialIndex, PemdaSummary, Period
from evaluations.services.periods import ensure_assessments
from evaluations.services.recompute import recompute_period
from tests.factories import KabupatenFactory, OPDFactory, make_period, set_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world):
    """Sulbar 2024 (final): Diskominfo level 4 (4,00 green), Bappeda level 2 (2,00 red);
    Sulbar 2023: Diskominfo 3 (3,00), Bappeda 1 (1,00). Polman 2024: Dinkes 3;
    Majene 2024: Dinkes 2; Sulsel 2024 empty (in progress)."""
    periods = {
        "sulbar": make_period(world.sulbar, 2024, status=Period.Status.FINAL),
        "sulbar_2023": make_period(world.sulbar, 2023, status=Period.Status.FINAL),
        "polman": make_period(world.polman, 2024),
        "majene": make_period(world.majene, 2024),
        "sulsel": make_period(world.sulsel, 2024),
    }
    set_levels(periods["sulbar"].assessments.get(opd=world.kominfo), 4)
    set_levels(periods["sulbar"].assessments.get(opd=world.bappeda), 2)
    set_levels(periods["sulbar_2023"].assessments.get(opd=world.kominfo), 3)
    set_levels(periods["sulbar_2023"].assessments.get(opd=world.bappeda), 1)
    set_levels(periods["polman"].assessments.get(opd=world.polman_dinkes), 3)
    set_levels(periods["majene"].assessments.get(opd=world.majene_dinkes), 2)
    OfficialIndex.objects.create(
        pemda=world.majene, tahun=2024, indeks="2.91", predikat="Baik", sumber="KemenPANRB"
    )
    for period in periods.values():
        recompute_period(period.id)
    return periods


def dashboard(pemda, query=""):
    return reverse("dashboard", args=[pemda.kode]) + query


def kabupaten(pemda, query=""):
    return reverse("kabupaten", args=[pemda.kode]) + query


def chart(page, name):
    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no chart {name}"
    return json.loads(match.group(1))


def shown(page, name):
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', page)
    assert match, f"no {name}"
    return match.group(1).strip()


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in [dashboard(world.sulbar), kabupaten(world.sulbar)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(
    "username, pemda, status",
    [
        ("sekprov", "sulbar", 200),
        ("admin_sulbar", "sulbar", 200),
        ("evaluator_sulbar", "sulbar", 200),
        ("sekprov", "polman", 200),  # province staff read their kabupaten
        ("evaluator_sulbar", "majene", 200),
        ("bupati_polman", "polman", 200),
        ("evaluator_polman", "polman", 200),
        ("admin_polman", "polman", 200),
        ("superadmin", "sulsel", 200),
        ("kepala_kominfo", "sulbar", 404),  # OPD roles have no pemda-wide dashboard
        ("operator_kominfo", "sulbar", 404),
        ("kepala_polman_dinkes", "polman", 404),
        ("bupati_polman", "sulbar", 404),  # a kabupaten never sees the province
        ("evaluator_polman", "majene", 404),  # nor a sibling kabupaten
        ("admin_sulsel", "sulbar", 404),  # nor another province
        ("sekprov", "sulsel", 404),
        ("evaluator_gowa", "polman", 404),
        ("no_role", "sulbar", 404),
    ],
)
def test_dashboard_is_tenant_scoped(client, world, scored, username, pemda, status):
    client.force_login(getattr(world, username))
    assert client.get(dashboard(getattr(world, pemda))).status_code == status


def test_dashboard_shows_the_stored_headline_figures(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get(dashboard(world.sulbar, "?tahun=2024")).content.decode()
    assert shown(page, "dashboard-average") == "3,00"
    assert shown(page, "dashboard-zone-hijau") == "1"
    assert shown(page, "dashboard-zone-kuning") == "0"
    assert shown(page, "dashboard-zone-merah") == "1"
    assert shown(page, "dashboard-assessed") == "2"
    assert shown(page, "dashboard-status") == "Final"
    # Like with like: the same two OPDs in 2023, (3,00 + 1,00) / 2 = 2,00.
    assert shown(page, "comparison").startswith("+1,00")
    assert "2,00 → 3,00" in shown(page, "comparison")
    earlier = client.get(dashboard(world.sulbar, "?tahun=2023")).content.decode()
    assert shown(earlier, "dashboard-average") == "2,00"
    assert client.get(dashboard(world.sulbar, "?tahun=1999")).status_code == 404


def test_dashboard_falls_back_to_the_live_aggregate_without_a_summary(client, world, scored):
    PemdaSummary.objects.filter(period=scored["sulbar"]).delete()
    client.force_login(world.sekprov)
    page = client.get(dashboard(world.sulbar, "?tahun=2024")).content.decode()
    assert shown(page, "dashboard-average") == "3,00"
    assert shown(page, "dashboard-zone-merah") == "1"


def test_ranking_chart_lists_the_opds_in_rank_order_with_zone_colours(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get(dashboard(world.sulbar, "?tahun=2024")).content.decode()
    ranking = chart(page, "chart-ranking-data")
    assert ranking["layout"]["yaxis"]["categoryarray"] == ["Diskominfo", "Bappeda"]
    colour_of = {}
    for trace in ranking["data"]:
        for label, text in zip(trace["y"], trace["text"], strict=True):
            colour_of[label] = trace["marker"]["color"]
            assert text.startswith("4,00" if label == "Diskominfo" else "2,00")
    assert colour_of == {"Diskominfo": ZONE_COLOURS["hijau"], "Bappeda": ZONE_COLOURS["merah"]}
    assert ranking["layout"]["separators"] == ",."  # Indonesian decimal comma in hover
    thresholds = sorted(shape["x0"] for shape in ranking["layout"]["shapes"])
    assert thresholds == [2.6, 3.5]

    donut = chart(page, "chart-zones-data")["data"][0]
    assert donut["values"] == [1, 0, 1]  # red, yellow, green
    assert donut["marker"]["colors"] == [ZONE_COLOURS[z] for z in ("merah", "kuning", "hijau")]
    heatmap = chart(page, "chart-heatmap-data")["data"][0]
    assert heatmap["y"] == ["Diskominfo", "Bappeda"]
    assert heatmap["z"][0] == [4.0] * 7 and heatmap["z"][1] == [2.0] * 7
    trend = chart(page, "chart-trend-data")["data"]
    average = next(t for t in trend if t["type"] == "scatter")
    assert average["x"] == ["2023", "2024"] and average["y"] == [2.0, 3.0]
    assert chart(page, "chart-distribution-data")["data"]


def test_dashboard_lists_the_biggest_movers(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get(dashboard(world.sulbar, "?tahun=2024")).content.decode()
    movers_up = page[page.index('data-testid="movers-up"') :]
    movers_up = movers_up[: movers_up.index("</ol>")]
    # Bappeda 1,00 → 2,00 and Diskominfo 3,00 → 4,00: both +1,00, by label.
    assert movers_up.index("Badan Perencanaan") < movers_up.index("Dinas Komunikasi")
    assert movers_up.count("+1,00") == 2
    assert 'data-testid="movers-down"' not in page


def ranking_table(page):
    table = page[page.index('data-testid="ranking-table"') :]
    return table[: table.index("</table>")]


def test_dashboard_table_filters_and_exports(client, world, scored):
    client.force_login(world.evaluator_sulbar)
    url = dashboard(world.sulbar, "?tahun=2024")
    red = client.get(url + "&zona=merah").content.decode()
    table = ranking_table(red)
    assert "Badan Perencanaan" in table and "Dinas Komunikasi" not in table
    searched = client.get(url + "&q=kominfo").content.decode()
    table = ranking_table(searched)
    assert "Dinas Komunikasi" in table and "Badan Perencanaan" not in table

    # CSV: the machine format of export_results, the table's rows.
    response = client.get(url + "&_export=csv")
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["kode_opd", "nama", "indeks", "predikat", "zona", "peringkat"]
    assert [row[0] for row in rows[1:]] == ["DISKOMINFO", "BAPPEDA"]
    assert rows[1][2] == "4.00" and rows[2][4] == "merah" and rows[1][-1] == "final"
    filtered = client.get(url + "&zona=merah&_export=csv").content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(filtered))][1:] == ["BAPPEDA"]

    # XLSX: for people, Indonesian headers, numbers as numbers, labels not codes.
    response = client.get(url + "&_export=xlsx")
    assert response.status_code == 200
    assert "peringkat-76-2024.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Peringkat")
    assert values[header][:8] == [
        "Peringkat",
        "Kode OPD",
        "OPD",
        "Jenis",
        "Indeks",
        "Predikat",
        "Zona",
        "Status",
    ]
    data = values[header + 1 :]
    assert [row[1] for row in data] == ["DISKOMINFO", "BAPPEDA"]
    assert data[0][2] == "Dinas Komunikasi dan Informatika"  # plain text, no markup
    assert data[0][4] == 4.0 and data[1][6] == "Merah" and data[0][7] == "Final"
    assert sheet.cell(row=header + 2, column=5).number_format == "0.00"


@pytest.mark.parametrize(
    "username, pemda, status",
    [
        ("sekprov", "sulbar", 200),
        ("admin_sulbar", "sulbar", 200),
        ("evaluator_sulbar", "sulbar", 200),
        ("superadmin", "sulbar", 200),
        ("bupati_polman", "sulbar", 404),  # a kabupaten user on the province's page
        ("bupati_polman", "polman", 404),  # a kabupaten has no kabupaten
        ("sekprov", "polman", 404),
        ("kepala_kominfo", "sulbar", 404),
        ("operator_kominfo", "sulbar", 404),
        ("admin_sulsel", "sulbar", 404),
        ("evaluator_gowa", "sulbar", 404),
        ("no_role", "sulbar", 404),
    ],
)
def test_kabupaten_ranking_is_for_province_staff(client, world, scored, username, pemda, status):
    client.force_login(getattr(world, username))
    assert client.get(kabupaten(getattr(world, pemda))).status_code == status


def test_kabupaten_ranking_ranks_by_average_beside_the_official_index(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get(kabupaten(world.sulbar, "?tahun=2024")).content.decode()
    table = page[page.index('data-testid="kabupaten-table"') :]
    table = table[: table.index("</table>")]
    assert table.index("Kabupaten Polewali Mandar") < table.index("Kabupaten Majene")
    assert "3,00" in table and "2,00" in table and "2,91" in table
    assert "Gowa" not in page and "Sulawesi Selatan" not in table
    assert dashboard(world.polman, "?tahun=2024") in table  # each row opens that dashboard
    figure = chart(page, "chart-kabupaten-data")
    average, official = figure["data"]
    assert average["y"] == ["Kabupaten Polewali Mandar", "Kabupaten Majene"]
    assert average["x"] == [3.0, 2.0]
    assert average["marker"]["color"] == [ZONE_COLOURS["kuning"], ZONE_COLOURS["merah"]]
    assert official["x"] == [None, 2.91]
    assert client.get(kabupaten(world.sulbar, "?tahun=1999")).status_code == 404


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(world, opds, years):
    for _ in range(opds):
        OPDFactory(pemda=world.sulbar)
        OPDFactory(pemda=world.polman)
    for year in years:
        make_period(world.sulbar, year, status=Period.Status.FINAL)
        make_period(world.polman, year)
    extra = KabupatenFactory(parent=world.sulbar)
    OPDFactory(pemda=extra)
    make_period(extra, 2024)
    for period in Period.objects.filter(pemda__in=[world.sulbar, world.polman, extra]):
        ensure_assessments(period)
        recompute_period(period.id)


def test_page_queries_do_not_grow_with_opds_or_periods(client, world, scored):
    client.force_login(world.sekprov)
    urls = [
        dashboard(world.sulbar, "?tahun=2024"),
        dashboard(world.sulbar, "?tahun=2024&zona=merah&q=dinas"),
        dashboard(world.polman, "?tahun=2024"),
        kabupaten(world.sulbar, "?tahun=2024"),
    ]
    _grow(world, 4, [2022])
    small = [_count_queries(client, url) for url in urls]
    _grow(world, 30, [2019, 2020, 2021])
    large = [_count_queries(client, url) for url in urls]
    assert large == small
    assert small[0] <= 25  # incl. the team panel, the official index, the comparison, the bell


def test_every_figure_is_valid_plotly(client, world, scored):
    """charts.py builds traces with plotly.py and the layout as a dict: plotly.py checks
    the whole figure here (an unknown property raises)."""
    import plotly.graph_objects as go

    client.force_login(world.sekprov)
    pages = [
        client.get(dashboard(world.sulbar, "?tahun=2024")).content.decode(),
        client.get(kabupaten(world.sulbar, "?tahun=2024")).content.decode(),
        client.get(reverse("scorecard", args=["76", "BAPPEDA"])).content.decode(),
    ]
    names = [name for page in pages for name in re.findall(r'<script id="(chart-[\w-]+)"', page)]
    assert len(names) == 8
    for page in pages:
        for name in re.findall(r'<script id="(chart-[\w-]+)"', page):
            go.Figure(chart(page, name))


def test_the_ranking_rows_are_the_cells_django_tables2_renders(client, world, scored):
    """The dashboard writes its ranking rows in one pass (DashboardRankingTable.rows_html):
    row for row, cell for cell the HTML django-tables2's own template gives, for ranked,
    unranked and in-progress OPDs, sorted by any column."""
    OPDFactory(pemda=world.sulbar, kode="BARU", nama="Badan <Baru> & Co")
    ensure_assessments(scored["sulbar"])  # in progress: no rank, index or zone
    client.force_login(world.sekprov)

    def rows(html):
        body = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
        return [
            re.sub(r">\s+<", "><", row).strip() for row in re.findall(r"<tr.*?</tr>", body, re.S)
        ]

    for sort in ("", "&sort=-indeks", "&sort=nama", "&sort=status"):
        response = client.get(dashboard(world.sulbar, f"?tahun=2024{sort}"))
        table = response.context["table"]
        fast = rows(table.as_html(response.wsgi_request))
        table.template_name = "django_tables2/bootstrap5.html"
        assert fast == rows(table.as_html(response.wsgi_request))
        assert len(fast) == 3 and "Badan &lt;Baru&gt; &amp; Co" in "".join(fast)
    assert "figure-in-progress" in "".join(fast)
