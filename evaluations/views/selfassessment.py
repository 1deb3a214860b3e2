"""The OPD's self-assessment page (penilaian mandiri) and the helpers the scoring pages
share: every indicator is one partial, saved through htmx without a page reload."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..forms import EvidenceFileForm, EvidenceLinkForm, SelfAssessmentForm
from ..models import Assessment, ChangeLog, Evidence, Score, StageReview
from ..services import scores as svc
from ..services.disclosure import conceal_review, conceal_scores, sees_review
from ..services.history import describe
from ..services.scoring import LEVEL_MAX, LEVEL_MIN, plain_value
from ..services.submission_checklist import blocks_submission, submission_checklist
from .periods import period_query, periods_of, pick_period, work_period


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def period_or_404(pemda, request):
    """The period a work page (self-assessment, review, period administration) shows:
    named by ?tahun=, else the newest still running."""
    period = pick_period(periods_of(pemda, request.user), request, default=work_period)
    if period is None:
        raise Http404("No period")
    return period


def scores_for(assessment_or_ids, user):
    """The scores of one assessment with everything an indicator partial shows."""
    queryset = Score.objects.visible_to(user)
    if isinstance(assessment_or_ids, Assessment):
        queryset = queryset.filter(assessment=assessment_or_ids)
    else:
        queryset = queryset.filter(pk__in=assessment_or_ids)
    return (
        queryset.select_related(
            "indicator__aspect__domain",
            "indicator__instrument",
            "assessment__period",
            "assessment__opd",
            "updated_by",
            "eksternal_oleh",
        )
        .prefetch_related(
            "indicator__criteria",
            "indicator__items",
            "item_scores",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("diunggah_oleh", "dihapus_oleh"),
            ),
            Prefetch("changes", queryset=ChangeLog.objects.select_related("user")),
            Prefetch("reviews", queryset=StageReview.objects.select_related("dinilai_oleh")),
        )
        .order_by("indicator__nomor")
    )


REVIEW_FIELDS = frozenset({"level_evaluator", "catatan_evaluator"})


def decorate(score, hide_review=False):
    """Attach what the indicator partials show: how the indicator is assessed (`mode`:
    a level, a decimal value, items, or an external value), the level choices with
    their criteria, the item rows, the chosen values and the labelled history."""
    indicator = score.indicator
    criteria = {c.level: c for c in indicator.criteria.all()}
    score.levels = [(n, criteria.get(n)) for n in range(LEVEL_MIN, LEVEL_MAX + 1)]
    score.decimal = indicator.instrument.nilai_desimal
    items = list(indicator.items.all())
    by_item = {row.item_id: row for row in score.item_scores.all()}
    score.item_rows = [(item, by_item.get(item.pk)) for item in items]
    if indicator.is_external:
        score.mode = "external"
    elif items:
        score.mode = "items"
    else:
        score.mode = "decimal" if score.decimal else "level"
    # What a radio button or a number field shows as chosen.
    score.self_choice = typed(score.level_mandiri, score.decimal)
    score.evaluator_choice = typed(score.level_evaluator, score.decimal)
    score.history = [
        entry for entry in score.changes.all() if not (hide_review and entry.field in REVIEW_FIELDS)
    ]
    for entry in score.history:
        describe(entry)
    score.files = list(score.evidence.all())
    return score


def typed(value, decimal_values):
    """A stored value as it is typed back into a form: "3", or "2,50"."""
    value = plain_value(value, decimal_values)
    return "" if value is None else str(value).replace(".", ",")


# An indicator scored from another index counts as filled and validated: it counts its
# entered value or its default (the figure rule, scoring.compute_figures).
COUNTED_FILLED = Q(level_mandiri__isnull=False) | Q(indicator__nilai_bawaan__isnull=False)
COUNTED_VALIDATED = Q(level_evaluator__isnull=False) | Q(indicator__nilai_bawaan__isnull=False)


def progress_of(assessment):
    """How many indicators have a self-assessed value and an evaluator's value."""
    return assessment.scores.aggregate(
        total=Count("pk"),
        filled=Count("pk", filter=COUNTED_FILLED),
        validated=Count("pk", filter=COUNTED_VALIDATED),
    )


def progress_from(scores):
    """The same counts as `progress_of`, from scores already read."""
    external = [s.indicator.nilai_bawaan is not None for s in scores]
    return {
        "total": len(scores),
        "filled": sum(
            1 for s, e in zip(scores, external, strict=True) if e or s.level_mandiri is not None
        ),
        "validated": sum(
            1 for s, e in zip(scores, external, strict=True) if e or s.level_evaluator is not None
        ),
    }


def may_edit_self(user, assessment):
    return (
        (user.is_superuser or svc.is_opd_user(user))
        and svc.self_assessment_open(assessment)
        and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
    )


def render_indicator(request, template, score, status=200, refine=None, **context):
    """One indicator partial, re-read from the database (with the OPD's stored figures,
    swapped out of band into the page's figures panel); `refine` adds what one page's
    partial shows beyond `decorate`."""
    score = scores_for([score.pk], request.user).get()
    assessment = Assessment.objects.select_related("period", "opd", "pemda").get(
        pk=score.assessment_id
    )
    visible = sees_review(request.user, assessment.period)
    conceal_review(request.user, [assessment])
    conceal_scores(request.user, [score], assessment.period)
    decorate(score, hide_review=not visible)
    if refine is not None:
        refine(score)
    context.setdefault("chosen_level", None)
    context.update(
        s=score,
        assessment=assessment,
        review_visible=visible,
        period=assessment.period,
        progress=progress_of(assessment),
        oob=True,
    )
    return render(request, template, context, status=status)


class AssessmentMixin(PemdaScopedMixin):
    """Resolves the OPD (by code, within the pemda) and its assessment for the period
    named by ?tahun=, all through visible_to: anything else is a 404."""

    @cached_property
    def opd(self):
        return visible_or_404(
            OPD.objects.filter(pemda=self.pemda), self.request.user, kode=self.kwargs["opd"]
        )

    @cached_property
    def period(self):
        return period_or_404(self.pemda, self.request)

    @cached_property
    def assessment(self):
        """The assessment, its figures concealed as the user may see them (only for
        display: services read it again from the database)."""
        assessment = visible_or_404(
            Assessment.objects.filter(period=self.period, opd=self.opd).select_related(
                "period", "opd", "pemda", "diajukan_oleh"
            ),
            self.request.user,
        )
        return conceal_review(self.request.user, [assessment])[0]

    def score_or_404(self):
        return visible_or_404(
            Score.objects.filter(assessment=self.assessment),
            self.request.user,
            pk=self.kwargs["score"],
        )


class SelfAssessmentView(AssessmentMixin, TemplateView):
    template_name = "evaluations/selfassessment.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assessment = self.assessment
        visible = sees_review(user, self.period)
        scores = conceal_scores(user, list(scores_for(assessment, user)), self.period)
        scores = [decorate(s, hide_review=not visible) for s in scores]
        context.update(
            review_visible=visible,
            opd=self.opd,
            period=self.period,
            periods=periods_of(self.pemda, user),
            assessment=assessment,
            scores=scores,
            can_edit=may_edit_self(user, assessment),
            can_submit=may_submit(user, assessment),
            progress=progress_from(scores),
            return_reason=(
                assessment.changes.filter(field="status_mandiri", new_value="dikembalikan")
                .values_list("reason", flat=True)
                .first()
            ),
            file_form=EvidenceFileForm(),
            link_form=EvidenceLinkForm(),
        )
        return context


ITEM_FIELD = "item-"


def item_levels(post):
    """{item id: level as typed} from the item radio buttons (item-<id>) of a form."""
    levels = {}
    for key in post:
        if key.startswith(ITEM_FIELD):
            item_id = key[len(ITEM_FIELD) :]
            if item_id.isascii() and item_id.isdigit():
                levels[int(item_id)] = post.get(key)
    return levels


class IndicatorSaveView(AssessmentMixin, View):
    """POST one indicator; answers its re-rendered partial (htmx: 200 saved, 409 someone
    else saved first, 422 refused) or, without htmx, redirects back to the page with a
    message. Subclasses name the form, the save, the page and the partial."""

    form_class = None
    page = ""  # URL name of the page the indicator is on
    template = ""
    # (context name, POST field): what the user typed, kept in the form after a refusal.
    echoed = ()

    def save(self, score, data):
        raise NotImplementedError

    def partial_context(self, score):
        return {}

    refine = None  # a page's extra decoration of the re-read score (render_indicator)

    def post(self, request, *args, **kwargs):
        score = self.score_or_404()
        form = self.form_class(request.POST)
        submitted = {name: request.POST.get(field) for name, field in self.echoed}
        if not form.is_valid():
            return self.answer(score, error=form.first_error(), status=422, **submitted)
        try:
            self.save(score, form.cleaned_data)
        except Score.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.VersionConflict as conflict:
            return self.answer(score, conflict=conflict, status=409, **submitted)
        except svc.ScoreError as error:
            return self.answer(score, error=str(error), status=422, **submitted)
        return self.answer(score, saved_at=timezone.localtime())

    def answer(self, score, status=200, error=None, **context):
        request = self.request
        if not is_htmx(request):
            if error or context.get("conflict"):
                messages.error(request, error or str(context["conflict"]))
            else:
                messages.success(request, _("Saved."))
            return HttpResponseRedirect(
                reverse(self.page, args=[self.pemda.kode, self.opd.kode])
                + period_query(self.period)
                + f"#score-{score.pk}"
            )
        return render_indicator(
            request,
            self.template,
            score,
            status=status,
            error=error,
            refine=self.refine,
            **self.partial_context(score),
            **context,
        )


class SelfScoreSaveView(IndicatorSaveView):
    """POST one indicator's level and explanation."""

    form_class = SelfAssessmentForm
    page = "self_assessment"
    template = "evaluations/_indicator_self.html"
    echoed = (("chosen_level", "level"), ("penjelasan_value", "penjelasan"))

    def save(self, score, data):
        user, items = self.request.user, item_levels(self.request.POST)
        if items:
            svc.save_self_items(user, score.pk, data["version"], items, data["penjelasan"])
        else:
            svc.save_self_assessment(
                user, score.pk, data["version"], data["level"], data["penjelasan"]
            )

    def partial_context(self, score):
        return {
            "can_edit": may_edit_self(self.request.user, score.assessment),
            "file_form": EvidenceFileForm(),
            "link_form": EvidenceLinkForm(),
        }


def may_submit(user, assessment):
    return (
        (user.is_superuser or svc._role(user) == svc.Role.KEPALA_OPD)
        and svc.self_assessment_open(assessment)
        and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
    )


class SelfSubmitView(AssessmentMixin, TemplateView):
    """The head of the OPD submits the whole self-assessment: GET shows the checklist of
    indicators without a value, an explanation or evidence (each linked to its place
    on the page) and asks for confirmation; POST submits through the score service."""

    template_name = "evaluations/selfassessment_submit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gaps = submission_checklist(self.assessment)
        context.update(
            opd=self.opd,
            period=self.period,
            assessment=self.assessment,
            gaps=gaps,
            blocked=blocks_submission(gaps),
            can_submit=may_submit(self.request.user, self.assessment),
            page_url=reverse("self_assessment", args=[self.pemda.kode, self.opd.kode])
            + period_query(self.period),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            svc.submit_self_assessment(request.user, self.assessment.pk)
        except Assessment.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The self-assessment has been submitted."))
        return HttpResponseRedirect(
            reverse("self_assessment", args=[self.pemda.kode, self.opd.kode])
            + period_query(self.period)
        )
