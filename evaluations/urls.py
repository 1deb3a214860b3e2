from django.urls import path

from . import views
from .views import appeals as appeal_views
from .views import exports as export_views
from .views import imports as import_views
from .views import instruments as instrument_views
from .views import lke as lke_views
from .views import notifications as notification_views
from .views import official as official_views
from .views import simulation as simulation_views
from .views import tpp as tpp_views

urlpatterns = [
    path("", views.home, name="home"),
    # The person's own notifications and account settings (issue 14).
    path("notifikasi/", notification_views.notification_list, name="notifications"),
    path(
        "notifikasi/<int:pk>/baca/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifikasi/baca-semua/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    path("akun/profil/", notification_views.profile, name="profile"),
    path("pekerjaan/", views.JobListView.as_view(), name="jobs"),
    path("pemda/<str:pemda>/pekerjaan/", views.JobListView.as_view(), name="pemda_jobs"),
    path("pemda/<str:pemda>/opd/", views.OPDListView.as_view(), name="opd_list"),
    path("pemda/<str:pemda>/opd/<str:opd>/", views.OPDDetailView.as_view(), name="opd_detail"),
    # Scoring (issue 3): self-assessment, evidence, review, period administration.
    path(
        "pemda/<str:pemda>/opd/<str:opd>/mandiri/",
        views.SelfAssessmentView.as_view(),
        name="self_assessment",
    ),
    path(
        "pemda/<str:pemda>/opd/<str:opd>/mandiri/skor/<int:score>/",
        views.SelfScoreSaveView.as_view(),
        name="self_assessment_save",
    ),
    path(
        "pemda/<str:pemda>/opd/<str:opd>/mandiri/ajukan/",
        views.SelfSubmitView.as_view(),
        name="self_assessment_submit",
    ),
    path(
        "pemda/<str:pemda>/bukti/skor/<int:score>/",
        views.EvidenceAddView.as_view(),
        name="evidence_add",
    ),
    path(
        "pemda/<str:pemda>/bukti/<int:pk>/hapus/",
        views.EvidenceRemoveView.as_view(),
        name="evidence_remove",
    ),
    path(
        "pemda/<str:pemda>/bukti/<int:pk>/unduh/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path(
        "pemda/<str:pemda>/bukti/<int:pk>/lihat/",
        views.EvidencePreviewView.as_view(),
        name="evidence_preview",
    ),
    path("pemda/<str:pemda>/evaluasi/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("pemda/<str:pemda>/evaluasi/<str:opd>/", views.ReviewView.as_view(), name="review"),
    path(
        "pemda/<str:pemda>/evaluasi/<str:opd>/ambil-level-opd/",
        views.ReviewAdoptView.as_view(),
        name="review_adopt",
    ),
    path(
        "pemda/<str:pemda>/evaluasi/<str:opd>/skor/<int:score>/",
        views.ReviewSaveView.as_view(),
        name="review_save",
    ),
    path(
        "pemda/<str:pemda>/evaluasi/<str:opd>/eksternal/<int:score>/",
        views.ExternalValueView.as_view(),
        name="external_value",
    ),
    path(
        "pemda/<str:pemda>/evaluasi/<str:opd>/kembalikan/",
        views.ReturnSelfAssessmentView.as_view(),
        name="self_assessment_return",
    ),
    path("pemda/<str:pemda>/periode/", views.PeriodAdminView.as_view(), name="period_admin"),
    path(
        "pemda/<str:pemda>/periode/penugasan/",
        views.AssignmentView.as_view(),
        name="review_assignments",
    ),
    path(
        "pemda/<str:pemda>/periode/aksi/",
        views.PeriodActionView.as_view(),
        name="period_action",
    ),
    path("pemda/<str:pemda>/periode/baru/", views.PeriodCreateView.as_view(), name="period_new"),
    path(
        "pemda/<str:pemda>/periode/jadwal/",
        views.PeriodScheduleView.as_view(),
        name="period_schedule",
    ),
    path(
        "pemda/<str:pemda>/periode/ambang-zona/",
        views.PeriodThresholdsView.as_view(),
        name="period_thresholds",
    ),
    path("pemda/<str:pemda>/dasbor/", views.DashboardView.as_view(), name="dashboard"),
    path("pemda/<str:pemda>/kabupaten/", views.KabupatenRankingView.as_view(), name="kabupaten"),
    path(
        "pemda/<str:pemda>/indeks-resmi/",
        official_views.OfficialIndexView.as_view(),
        name="official_index",
    ),
    path("pemda/<str:pemda>/opd/<str:opd>/rapor/", views.ScorecardView.as_view(), name="scorecard"),
    path("pemda/<str:pemda>/opd/<str:opd>/lke/", lke_views.LKEDownloadView.as_view(), name="lke"),
    path(
        "pemda/<str:pemda>/opd/<str:opd>/simulasi/",
        simulation_views.SimulationView.as_view(),
        name="simulation",
    ),
    # The SPBE component of the TPP (issue 16).
    path("pemda/<str:pemda>/tpp/", tpp_views.TppView.as_view(), name="tpp"),
    path("pemda/<str:pemda>/tpp/unduh/", tpp_views.TppExportView.as_view(), name="tpp_export"),
    path("pemda/<str:pemda>/laporan/", views.ReportCreateView.as_view(), name="report_create"),
    path(
        "pemda/<str:pemda>/laporan/<int:job>/",
        views.ReportStatusView.as_view(),
        name="report_status",
    ),
    path(
        "pemda/<str:pemda>/laporan/<int:job>/unduh/",
        views.ReportDownloadView.as_view(),
        name="report_download",
    ),
    # Instrument versions (issue "2026 instrument").
    path("instrumen/", instrument_views.InstrumentListView.as_view(), name="instrument_list"),
    path(
        "instrumen/<str:kode>/",
        instrument_views.InstrumentDetailView.as_view(),
        name="instrument_detail",
    ),
    path(
        "instrumen/<str:kode>/aksi/",
        instrument_views.InstrumentActionView.as_view(),
        name="instrument_action",
    ),
    path(
        "instrumen/<str:kode>/struktur/",
        instrument_views.StructureView.as_view(),
        name="instrument_structure",
    ),
    path(
        "instrumen/<str:kode>/indikator/<int:nomor>/",
        instrument_views.IndicatorEditView.as_view(),
        name="instrument_indicator",
    ),
    path(
        "instrumen/<str:kode>/tingkat/",
        instrument_views.LevelNamesView.as_view(),
        name="instrument_levels",
    ),
    path(
        "instrumen/<str:kode>/predikat/",
        instrument_views.BandsView.as_view(),
        name="instrument_bands",
    ),
    path(
        "instrumen/<str:kode>/crosswalk/",
        instrument_views.CrosswalkView.as_view(),
        name="instrument_crosswalk",
    ),
    # Spreadsheet import/export and appeals (issue 3).
    path("impor/", import_views.ImportView.as_view(), name="import_scores"),
    path(
        "pemda/<str:pemda>/ekspor/", export_views.ResultsExportView.as_view(), name="results_export"
    ),
    path("pemda/<str:pemda>/sanggahan/", appeal_views.AppealListView.as_view(), name="appeal_list"),
    path(
        "pemda/<str:pemda>/sanggahan/<int:appeal>/putuskan/",
        appeal_views.AppealDecideView.as_view(),
        name="appeal_decide",
    ),
    path(
        "pemda/<str:pemda>/opd/<str:opd>/sanggahan/",
        appeal_views.OPDAppealView.as_view(),
        name="appeal_opd",
    ),
]
