from .assignments import AssignmentView
from .dashboard import DashboardView
from .evidence import (
    EvidenceAddView,
    EvidenceDownloadView,
    EvidencePreviewView,
    EvidenceRemoveView,
)
from .home import home
from .jobs import JobListView
from .kabupaten import KabupatenRankingView
from .opd import OPDDetailView, OPDListView
from .periodadmin import (
    PeriodActionView,
    PeriodAdminView,
    PeriodCreateView,
    PeriodScheduleView,
    PeriodThresholdsView,
)
from .reports import ReportCreateView, ReportDownloadView, ReportStatusView
from .review import (
    ExternalValueView,
    ReturnSelfAssessmentView,
    ReviewAdoptView,
    ReviewQueueView,
    ReviewSaveView,
    ReviewView,
)
from .scorecard import ScorecardView
from .selfassessment import SelfAssessmentView, SelfScoreSaveView, SelfSubmitView

__all__ = [
    "AssignmentView",
    "EvidenceAddView",
    "EvidenceDownloadView",
    "EvidencePreviewView",
    "EvidenceRemoveView",
    "ExternalValueView",
    "PeriodActionView",
    "PeriodAdminView",
    "PeriodCreateView",
    "PeriodScheduleView",
    "PeriodThresholdsView",
    "ReturnSelfAssessmentView",
    "ReviewAdoptView",
    "ReviewQueueView",
    "ReviewSaveView",
    "ReviewView",
    "SelfAssessmentView",
    "SelfScoreSaveView",
    "SelfSubmitView",
    "DashboardView",
    "JobListView",
    "KabupatenRankingView",
    "OPDDetailView",
    "OPDListView",
    "ReportCreateView",
    "ReportDownloadView",
    "ReportStatusView",
    "ScorecardView",
    "home",
]
