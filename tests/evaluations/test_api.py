"""The REST API (issue 16): figures equal to the export's, the figure rules and the
disclosure, filters, ordering and pagination, bad input, the schema, throttling, the log
line, and external values posted through the service and the recompute."""

import json
import logging
from decimal import Decimal

import pytest
from django.core.cache import cache
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from evaluations.models import Assessment, ChangeLog, Period
from evaluations.services import exports
from evaluations.services.recompute import recompute_period
from opd.services.api_tokens import create_token
from tests.factories import OPDFactory, instrument_2026, make_period, set_levels

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user)}")
    return client


@pytest.fixture
def period(world):
    """Sulbar 2024 under evaluation, document review ended: Bappeda 4 everywhere (4.00,
    rank 1), Diskominfo 3 everywhere (3.00, rank 2), Biro Hukum half validated (in
    progress)."""
    OPDFactory(pemda=world.sulbar, kode="BIRO-HUKUM", nama="Biro Hukum")
    period = make_period(world.sulbar, 2024)
    set_levels(period.assessments.get(opd=world.bappeda), 4)
    set_levels(period.assessments.get(opd=world.kominfo), 3)
    set_levels(period.assessments.get(opd__kode="BIRO-HUKUM"), dict.fromkeys(range(1, 13), 2))
    recompute_period(period.id)
    return period


def results(user, query="?tahun=2024"):
    response = api(user).get(f"/api/v1/pemda/76/results/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_results_equal_the_export_rows(world, period):
    body = results(world.sekprov)
    assert body["count"] == 3
    rows = body["results"]
    _columns, exported = exports.result_table(period)
    assert [r["kode_opd"] for r in rows] == [e["kode_opd"] for e in exported]
    for row, e in zip(rows, exported, strict=True):
        assert row["indeks"] == (None if e["indeks"] is None else str(e["indeks"]))
        assert (row["predikat"], row["zona"], row["peringkat"], row["status"]) == (
            e["predikat"],
            e["zona"],
            e["peringkat"],
            e["status"],
        )
        for n in range(1, 5):
            domain = e[f"domain_{n}"]
            assert row["domain"].get(str(n)) == (None if domain is None else str(domain))
        for n in range(1, 26):
            level = e[f"indikator_{n}"]
            assert row["indikator"][str(n)] == (None if level is None else str(level))
    first, _second, last = rows
    assert first == {
        **first,
        "kode_opd": "BAPPEDA",
        "indeks": "4.00",
        "predikat": "Sangat Baik",
        "zona": "hijau",
        "peringkat": 1,
        "status": "sementara",
    }
    assert set(first["aspek"]) and first["aspek"]["1"] == "4.00"
    # In progress: no figures, never zero.
    assert (last["indeks"], last["zona"], last["peringkat"], last["status"]) == (
        None,
        None,
        None,
        "proses",
    )


def test_filters_ordering_and_pages(world, period):
    assert [
        r["kode_opd"] for r in results(world.sekprov, "?tahun=2024&zona=kuning")["results"]
    ] == ["DISKOMINFO"]
    assert [
        r["kode_opd"] for r in results(world.sekprov, "?tahun=2024&status=proses")["results"]
    ] == ["BIRO-HUKUM"]
    ordered = results(world.sekprov, "?tahun=2024&ordering=-peringkat")["results"]
    assert [r["peringkat"] for r in ordered] == [2, 1, None]  # empty figures last
    page = results(world.sekprov, "?tahun=2024&page_size=2&page=2")
    assert page["count"] == 3 and len(page["results"]) == 1 and page["previous"]
    # Without ?tahun= the period the dashboard shows (the one under evaluation).
    assert results(world.sekprov, "")["count"] == 3


@pytest.mark.parametrize(
    "query",
    ["?tahun=abc", "?tahun=2024&triwulan=9", "?tahun=2024&zona=ungu", "?ordering=gaji"],
)
def test_bad_query_is_a_clear_400(world, period, query):
    response = api(world.sekprov).get(f"/api/v1/pemda/76/results/{query}")
    assert response.status_code == 400
    message = json.dumps(response.json(), ensure_ascii=False)
    assert "Pilih" in message or "bilangan" in message


def test_unknown_period_is_a_404(world, period):
    assert api(world.sekprov).get("/api/v1/pemda/76/results/?tahun=2019").status_code == 404


def test_an_opd_user_sees_its_own_row_and_nothing_before_review_ends(world, period):
    rows = results(world.kepala_kominfo)["results"]
    assert [r["kode_opd"] for r in rows] == ["DISKOMINFO"]
    # Document review has not ended: no evaluator's figure, no level.
    assert rows[0]["indeks"] is None and rows[0]["status"] == "proses"
    assert rows[0]["indikator"]["1"] is None
    history = api(world.kepala_kominfo).get("/api/v1/pemda/76/opd/DISKOMINFO/assessments/")
    assert history.json()["results"][0]["indeks"] is None
    # Once it has ended the same figures as everyone's.
    from django.utils import timezone

    Period.objects.filter(pk=period.pk).update(sanggahan_dibuka=timezone.now())
    rows = results(world.kepala_kominfo)["results"]
    assert (rows[0]["indeks"], rows[0]["peringkat"], rows[0]["status"]) == ("3.00", 2, "sementara")


def test_periods_assessments_and_pemda(world, period):
    client = api(world.admin_sulbar)
    pemda = client.get("/api/v1/pemda/").json()["results"]
    # The province and, read-only, its kabupaten/kota; nothing of Sulawesi Selatan.
    assert [p["kode"] for p in pemda] == ["76", "76.01", "76.02"]
    periods = client.get("/api/v1/pemda/76/periods/").json()["results"]
    assert periods == [
        {
            "tahun": 2024,
            "triwulan": None,
            "label": "2024",
            "status": "evaluasi",
            "tahap": "dokumen",
            "instrumen": "opd-25-template",
            "zona_hijau_dari": "3.50",
            "zona_kuning_dari": "2.60",
            "hasil_diumumkan": False,
        }
    ]
    assert client.get("/api/v1/pemda/76/periods/?tahun=2023").json()["count"] == 0
    history = client.get("/api/v1/pemda/76/opd/BAPPEDA/assessments/?tahun=2024").json()
    (row,) = history["results"]
    assert (row["periode"], row["indeks"], row["peringkat"], row["peringkat_dari"]) == (
        "2024",
        "4.00",
        1,
        2,
    )
    assert (row["tervalidasi"], row["jumlah_indikator"]) == (25, 25)


def test_instruments_with_their_structure(world):
    body = api(world.evaluator_sulbar).get("/api/v1/instruments/?page_size=10").json()
    codes = [i["kode"] for i in body["results"]]
    assert {"opd-25-template", "permenpanrb-59-2020", "permenpanrb-8-2026"} <= set(codes)
    ipd = api(world.evaluator_sulbar).get("/api/v1/instruments/permenpanrb-8-2026/").json()
    assert ipd["nilai_desimal"] is True and ipd["domain"] == []
    assert len(ipd["aspek"]) == 7 and len(ipd["indikator"]) == 20
    assert sum(Decimal(i["bobot"]) for i in ipd["indikator"]) == 100
    i5 = next(i for i in ipd["indikator"] if i["kode"] == "I5")
    assert i5["sumber_eksternal"] and i5["nilai_bawaan"] == "1.0000"
    assert [b["nama"] for b in ipd["predikat"]][0] == "Memuaskan"


def test_kabupaten_ranking_for_province_staff_only(world):
    polman = make_period(world.polman, 2024)
    set_levels(polman.assessments.get(opd=world.polman_dinkes), 4)
    recompute_period(polman.id)
    rows = api(world.sekprov).get("/api/v1/pemda/76/kabupaten/?tahun=2024").json()["results"]
    assert [(r["kode"], r["rata_rata"], r["peringkat"]) for r in rows] == [
        ("76.02", "4.00", 1),
        ("76.01", None, None),
    ]
    # An OPD user, and the kabupaten itself (not a province): 404, like the page.
    assert api(world.kepala_kominfo).get("/api/v1/pemda/76/kabupaten/").status_code == 404
    assert api(world.admin_polman).get("/api/v1/pemda/76.02/kabupaten/").status_code == 404


def test_reading_only(world, period):
    client = api(world.admin_sulbar)
    assert client.post("/api/v1/pemda/76/results/?tahun=2024", {}).status_code == 403
    assert client.delete("/api/v1/pemda/76/").status_code == 403


def test_schema_validates_and_docs_need_no_cdn(world, client):
    client.force_login(world.sekprov)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert "/api/v1/pemda/{pemda}/results/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/pemda/{pemda}/external-values/"]
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "http" not in html.split("<body>")[1] and "<style" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_throttled_per_token(world, period, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/hour"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        cache.clear()
        first, second = api(world.sekprov), api(world.evaluator_sulbar)
        statuses = [first.get("/api/v1/pemda/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = first.get("/api/v1/pemda/")
        assert refused.status_code == 429 and "Retry-After" in refused
        # Another token has its own budget.
        assert second.get("/api/v1/pemda/").status_code == 200
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_every_request_is_logged(world, period, caplog):
    with caplog.at_level(logging.INFO, logger="evaluations.api"):
        api(world.sekprov).get("/api/v1/pemda/76/results/?tahun=2024")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "evaluations.api"]
    assert line.startswith("api GET /api/v1/pemda/76/results/?tahun=2024 200 user=sekprov.sulbar")
    assert "auth=token" in line


# --- External values in -------------------------------------------------------------------


@pytest.fixture
def period_2026(world):
    """Sulbar 2026 on PermenPANRB 8/2026, every OPD's indicators validated at 3.00 except
    the external ones, which wait (their default 1.00 counts)."""
    period = make_period(world.sulbar, 2026, instrument=instrument_2026())
    for assessment in period.assessments.all():
        for score in assessment.scores.select_related("indicator"):
            if not score.indicator.is_external:
                score.level_evaluator = Decimal("3.00")
                score.save(update_fields=["level_evaluator"])
    recompute_period(period.id)
    return period


def post_value(user, **data):
    body = {
        "kode_opd": "DISKOMINFO",
        "tahun": 2026,
        "kode_indikator": "I5",
        "nilai": "4,50",
        "skor_sumber": "87,5",
        "tanggal": "2026-09-30",
        **data,
    }
    return api(user).post("/api/v1/pemda/76/external-values/", body, format="json")


def test_external_value_posted_changes_the_index_through_the_recompute(
    world, period_2026, django_capture_on_commit_callbacks
):
    assessment = Assessment.objects.get(period=period_2026, opd=world.kominfo)
    before = assessment.indeks
    assert assessment.menunggu_eksternal == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = post_value(world.evaluator_sulbar)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "kode_opd": "DISKOMINFO",
        "periode": "2026",
        "kode_indikator": "I5",
        "nilai": "4.50",
        "skor_sumber": "87,5",
        "tanggal": "2026-09-30",
        "dicatat_oleh": "evaluator.sulbar",
    }
    assessment.refresh_from_db()
    assert assessment.menunggu_eksternal == 3 and not assessment.is_stale
    assert assessment.indeks > before
    change = ChangeLog.objects.filter(score__assessment=assessment, field="level_evaluator").get()
    assert (change.new_value, change.user) == ("4.5", world.evaluator_sulbar)
    # The API shows the new figure like the pages.
    (row,) = [
        r for r in results(world.sekprov, "?tahun=2026")["results"] if r["kode_opd"] == "DISKOMINFO"
    ]
    assert row["indeks"] == str(exports.two_places(assessment.indeks))
    assert row["indikator"]["I5"] == "4.50"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nilai": "7"}, "nilai"),
        ({"kode_indikator": "I1"}, "nilai"),  # not scored from another index
        ({"kode_indikator": "I99"}, "kode_indikator"),
        ({"tanggal": "kemarin"}, "tanggal"),
    ],
)
def test_bad_external_values_change_nothing(world, period_2026, data, field):
    changes = ChangeLog.objects.count()
    response = post_value(world.evaluator_sulbar, **data)
    assert response.status_code == 400 and field in response.json()
    assert ChangeLog.objects.count() == changes


def test_external_values_only_by_whom_the_page_allows(world, period_2026):
    # An OPD user, the province's evaluator on a kabupaten, another province: 404.
    assert post_value(world.kepala_kominfo).status_code == 404
    assert post_value(world.evaluator_gowa).status_code == 404
    polman = make_period(world.polman, 2026, instrument=instrument_2026())
    assert polman.assessments.exists()
    response = api(world.evaluator_sulbar).post(
        "/api/v1/pemda/76.02/external-values/",
        {
            "kode_opd": "DINKES",
            "tahun": 2026,
            "kode_indikator": "I5",
            "nilai": "2",
            "tanggal": "2026-09-30",
        },
        format="json",
    )
    assert response.status_code == 404
    # Anonymous: 401; and a final period refuses with a message.
    assert APIClient().post("/api/v1/pemda/76/external-values/", {}).status_code == 401
    Period.objects.filter(pk=period_2026.pk).update(status=Period.Status.FINAL)
    response = post_value(world.evaluator_sulbar)
    assert response.status_code == 400 and "final" in json.dumps(response.json())


# --- No input produces a server error ------------------------------------------------------

GET_ENDPOINTS = [
    "/api/v1/pemda/",
    "/api/v1/pemda/76/",
    "/api/v1/pemda/76/periods/",
    "/api/v1/pemda/76/results/",
    "/api/v1/pemda/76/kabupaten/",
    "/api/v1/pemda/76/opd/DISKOMINFO/assessments/",
    "/api/v1/instruments/",
]


def test_no_query_or_body_produces_a_server_error(world, period):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = api(world.admin_sulbar)
    values = st.one_of(
        st.text(max_size=12),
        st.sampled_from(["2024", "-1", "0", "99999999999999999999", "1e9", "²", "merah"]),
    )
    params = st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["tahun", "triwulan", "zona", "status", "ordering", "page", "page_size"], values
        ),
    )

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(url=st.sampled_from(GET_ENDPOINTS), query=params, body=params)
    def attempt(url, query, body):
        query = {k: v.replace("\x00", "") for k, v in query.items()}
        assert client.get(url, query).status_code < 500, (url, query)
        response = client.post("/api/v1/pemda/76/external-values/", body, format="json")
        assert response.status_code < 500, body

    attempt()


def test_results_take_a_fixed_number_of_queries(world, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world.sekprov)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/pemda/76/results/?tahun=2024").status_code == 200
        return len(queries)

    few = count()
    from evaluations.services.periods import sync_opd_assessments

    for n in range(5):
        sync_opd_assessments(OPDFactory(pemda=world.sulbar, kode=f"OPD-{n}", nama=f"OPD {n}"))
    for assessment in period.assessments.filter(opd__kode__startswith="OPD-"):
        set_levels(assessment, 3)
    recompute_period(period.id)
    assert client.get("/api/v1/pemda/76/results/?tahun=2024").json()["count"] == 8
    assert count() == few
