"""The evaluators' pages: the work queue of a pemda's OPDs and the per-OPD review, where
each indicator's level for the current stage is set from the keyboard (static/js/review.js)
and saved through htmx."""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from opd.permissions import PemdaScopedMixin, administers, is_pemda_staff
from opd.services.teams import opd_team_status

from ..filters import ReviewQueueFilter
from ..forms import ExternalValueForm, ReasonForm, ReviewForm
from ..models import Assessment, ReviewAssignment, Score
from ..services import scores as svc
from ..services.adopt_levels import adopt_self_levels, adoptable
from ..services.assignments import assigned_opd_ids
from ..services.previous_levels import last_year_levels
from ..services.review_progress import (
    count_reviewed,
    next_opd,
    reviewed_in,
    stage_progress,
    stage_review,
    with_stage_progress,
)
from ..tables import BoundedPaginator, ReviewQueueTable
from .periods import periods_of
from .selfassessment import (
    AssessmentMixin,
    IndicatorSaveView,
    decorate,
    item_levels,
    period_or_404,
    period_query,
    progress_from,
    scores_for,
    typed,
)

TEMPLATE = "evaluations/_indicator_review.html"


def may_review(user, assessment):
    """Evaluators and the administrator of the assessment's own pemda, while the period is
    under evaluation."""
    return (
        svc.is_evaluator(user)
        and svc.review_open(assessment.period)
        and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
    )


def may_enter_external(user, assessment):
    """Evaluators and the administrator of the assessment's own pemda enter the values of
    indicators scored from other indices, at any stage until the period is final."""
    return (
        svc.is_evaluator(user)
        and not assessment.period.is_final
        and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
    )


def may_manage_period(user, period):
    return svc.evaluator_periods(user).filter(pk=period.pk).exists()


class StaffOnlyMixin:
    """The review pages are for the pemda's staff (and, read-only, a province's staff
    for its kabupaten); OPD users answer 404 like any page they may not see."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_pemda_staff(request.user):
            raise Http404("Staff only")
        return super().dispatch(request, *args, **kwargs)


class ReviewQueueView(StaffOnlyMixin, PemdaScopedMixin, SingleTableMixin, FilterView):
    table_class = ReviewQueueTable
    filterset_class = ReviewQueueFilter
    template_name = "evaluations/review_queue.html"
    paginate_by = 50
    paginator_class = BoundedPaginator

    @cached_property
    def period(self):
        return period_or_404(self.pemda, self.request)

    def get_queryset(self):
        queryset = (
            Assessment.objects.visible_to(self.request.user)
            .filter(period=self.period)
            .select_related("opd", "pemda", "period")
            .order_by("opd__kode")
            .annotate(
                total=Count("scores", distinct=True),
                validated=Count(
                    "scores", filter=Q(scores__level_evaluator__isnull=False), distinct=True
                ),
            )
        )
        mine = ReviewAssignment.objects.filter(
            period=OuterRef("period"), opd=OuterRef("opd"), evaluator=self.request.user
        )
        return with_stage_progress(queryset.annotate(mine=Exists(mine)), self.period.tahap)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            period=self.period,
            periods=periods_of(self.pemda, self.request.user),
            can_manage=may_manage_period(self.request.user, self.period),
            can_assign=administers(self.request.user, self.pemda),
        )
        return context


class ReviewView(StaffOnlyMixin, AssessmentMixin, TemplateView):
    template_name = "evaluations/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assessment = self.assessment
        stage = self.period.tahap
        last_year = last_year_levels(assessment)
        scores = [
            decorate_review(decorate(s), stage, last_year) for s in scores_for(assessment, user)
        ]
        mine = assigned_opd_ids(user, self.period)
        following = next_opd(
            user, self.period, self.opd, among=mine if self.opd.pk in mine else None
        )
        context.update(
            stage_progress=stage_progress(scores, stage),
            in_my_queue=self.opd.pk in mine,
            next_opd=following,
            next_opd_url=(
                reverse("review", args=[self.pemda.kode, following.kode])
                + period_query(self.period)
                if following
                else ""
            ),
            adoptable_count=sum(1 for s in scores if s.adoptable),
            opd=self.opd,
            period=self.period,
            periods=periods_of(self.pemda, user),
            assessment=assessment,
            scores=scores,
            can_edit=may_review(user, assessment),
            can_enter_external=may_enter_external(user, assessment),
            can_return=(
                svc.is_evaluator(user)
                and not self.period.is_final
                and assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED
                and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
            ),
            progress=progress_from(scores),
            reason_form=ReasonForm(),
            **team_context(self.pemda, self.opd, self.period),
        )
        return context


def decorate_review(score, stage, last_year):
    """What the review partial shows of the current stage: whether this stage has
    reviewed the indicator (review_progress), this stage's own level and note (never an
    earlier stage's: those are shown beside it), last year's level, and whether the OPD's
    level can be taken."""
    review = stage_review(score, stage)
    score.reviewed_here = reviewed_in(score, stage)
    score.stage_review = review
    score.earlier_reviews = [r for r in score.reviews.all() if r.tahap != stage]
    if score.mode != "external":
        score.evaluator_choice = typed(review.level, score.decimal) if review else ""
    score.note_here = review.catatan if review else ""
    score.last_year = last_year.get(score.indicator.label)
    score.adoptable = adoptable(score)
    return score


def team_context(pemda, opd, period):
    """The OPD's SPBE team facts, shown beside the indicators about the team and about ICT
    competence (Indicator.terkait_tim)."""
    return {
        "team_status": opd_team_status(opd, period.tahun),
        "team_url": reverse("opd_team", args=[pemda.kode, opd.kode]) + f"?tahun={period.tahun}",
    }


class ReviewSaveView(StaffOnlyMixin, IndicatorSaveView):
    """POST the evaluator's level and note of one indicator for the current stage."""

    form_class = ReviewForm
    page = "review"
    template = TEMPLATE
    echoed = (("chosen_level", "level"), ("catatan_value", "catatan"))

    def save(self, score, data):
        user, items = self.request.user, item_levels(self.request.POST)
        if self.request.POST.get("ambil") == "opd":
            taken, _skipped = adopt_self_levels(
                user, score.assessment, [score.pk], {score.pk: data["version"]}
            )
            if not taken:
                raise svc.ScoreError(_("The OPD has given no level to take."))
        elif items:
            svc.save_review_items(user, score.pk, data["version"], items, data["catatan"])
        else:
            svc.save_review(user, score.pk, data["version"], data["level"], data["catatan"])

    def refine(self, score):
        period = score.assessment.period
        return decorate_review(score, period.tahap, last_year_levels(score.assessment))

    def partial_context(self, score):
        assessment = score.assessment
        context = {
            "can_edit": may_review(self.request.user, assessment),
            "can_enter_external": may_enter_external(self.request.user, assessment),
            "stage_progress": {
                "reviewed": count_reviewed(assessment, assessment.period.tahap),
                "total": assessment.scores.count(),
            },
        }
        if score.indicator.terkait_tim:
            context.update(team_context(self.pemda, self.opd, self.period))
        return context


class ExternalValueView(ReviewSaveView):
    """POST the value of an indicator scored from another index: the value, its score in
    that index and its date (services.scores.set_external_value)."""

    form_class = ExternalValueForm
    echoed = ()

    def save(self, score, data):
        svc.set_external_value(
            self.request.user, score.pk, data["nilai"], data["skor"], data["tanggal"]
        )


class ReturnSelfAssessmentView(StaffOnlyMixin, AssessmentMixin, View):
    """An evaluator returns a submitted self-assessment to the OPD with a reason."""

    def post(self, request, *args, **kwargs):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for returning the self-assessment."))
        else:
            try:
                svc.return_self_assessment(
                    request.user, self.assessment.pk, form.cleaned_data["alasan"]
                )
            except Assessment.DoesNotExist:
                raise Http404("Not editable") from None
            except svc.ScoreError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The self-assessment has been returned to the OPD."))
        return HttpResponseRedirect(
            reverse("review", args=[self.pemda.kode, self.opd.kode]) + period_query(self.period)
        )


def picked_ids(values):
    """The score ids of a selection (?score=…), ignoring anything not a number."""
    return {int(v) for v in values if v.isascii() and v.isdigit()}


class ReviewAdoptView(StaffOnlyMixin, AssessmentMixin, TemplateView):
    """Take the OPD's level for a selection of indicators at the current stage: GET
    lists the selection (how many, which) for confirmation, POST takes them through
    services.adopt_levels and goes back to the review page with what was done."""

    template_name = "evaluations/review_adopt.html"

    def picked(self, values):
        if not may_review(self.request.user, self.assessment):
            raise Http404("Not editable")
        scores = (
            scores_for(self.assessment, self.request.user)
            .filter(pk__in=picked_ids(values))
            .select_related("indicator")
        )
        return [s for s in scores if adoptable(s)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scores = [decorate(s) for s in self.picked(self.request.GET.getlist("score"))]
        context.update(
            opd=self.opd,
            period=self.period,
            assessment=self.assessment,
            scores=scores,
            back_url=reverse("review", args=[self.pemda.kode, self.opd.kode])
            + period_query(self.period),
        )
        return context

    def post(self, request, *args, **kwargs):
        scores = self.picked(request.POST.getlist("score"))
        back = reverse("review", args=[self.pemda.kode, self.opd.kode]) + period_query(self.period)
        if not scores:
            messages.error(request, _("Select at least one indicator with a level from the OPD."))
            return HttpResponseRedirect(back)
        try:
            taken, _skipped = adopt_self_levels(
                request.user, self.assessment, [s.pk for s in scores]
            )
        except Score.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The OPD's level was taken for %(count)d indicator.",
                    "The OPD's level was taken for %(count)d indicators.",
                    len(taken),
                )
                % {"count": len(taken)},
            )
        return HttpResponseRedirect(back)
