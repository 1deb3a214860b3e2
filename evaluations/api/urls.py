"""/api/v1/ (the endpoints), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI from
our static files: drf-spectacular-sidecar; its start script is a separate request, so the
page needs no inline script under our Content-Security-Policy)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

P = "v1/pemda/<str:pemda>/"


class DocsView(SpectacularSwaggerSplitView):
    template_name = "evaluations/api_docs.html"
    url_name = "api_schema"


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", DocsView.as_view(), name="api_docs"),
    path("v1/pemda/", views.PemdaListView.as_view(), name="api_pemda_list"),
    path(P, views.PemdaDetailView.as_view(), name="api_pemda"),
    path(P + "periods/", views.PeriodListView.as_view(), name="api_periods"),
    path(P + "results/", views.ResultListView.as_view(), name="api_results"),
    path(P + "kabupaten/", views.KabupatenListView.as_view(), name="api_kabupaten"),
    path(
        P + "opd/<str:opd>/assessments/",
        views.AssessmentListView.as_view(),
        name="api_assessments",
    ),
    path(P + "external-values/", views.ExternalValueView.as_view(), name="api_external_values"),
    path("v1/instruments/", views.InstrumentListView.as_view(), name="api_instruments"),
    path(
        "v1/instruments/<str:kode>/",
        views.InstrumentDetailView.as_view(),
        name="api_instrument",
    ),
]
