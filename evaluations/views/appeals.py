"""Sanggahan pages.

- /pemda/<kode>/opd/<opd>/sanggahan/?tahun=: the OPD's provisional levels once document
  review has ended, its appeals, and (for its head and operator, within the window) a
  form per indicator to contest it with an argument, the level asked for and evidence.
- /pemda/<kode>/sanggahan/?tahun=&status=open|decided&opd=KODE: the period's appeals
  for the evaluators, with accept/reject forms; appeals still open after the window are
  flagged (they block finalisation).
- POST /pemda/<kode>/sanggahan/<id>/putuskan/: accept (new level) or reject (reason).

Everything is reached through visible_to / editable_by: other tenants get 404.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, is_pemda_staff, visible_or_404

from ..models import Appeal, Assessment, Score
from ..services import appeals
from ..services.scores import ScoreError, appeal_deadline, is_opd_user
from .periods import periods_of, pick_period, whole_number


def _period_query(period):
    query = {"tahun": period.tahun}
    if period.triwulan:
        query["tw"] = period.triwulan
    return query


class _PeriodMixin(PemdaScopedMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.periods = periods_of(self.pemda, request.user)
        self.period = pick_period(self.periods, request)
        if self.period is None:
            raise Http404("Periode tidak ditemukan")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period
        context.update(
            periods=self.periods,
            period=period,
            deadline=appeal_deadline(period),
            window=appeals.window(period),
        )
        return context


class OPDAppealView(_PeriodMixin, TemplateView):
    template_name = "evaluations/appeal_opd.html"

    def get_opd(self):
        return visible_or_404(
            OPD.objects.filter(pemda=self.pemda), self.request.user, kode=self.kwargs["opd"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        opd = self.get_opd()
        assessment = Assessment.objects.visible_to(user).filter(period=self.period, opd=opd).first()
        can_file = (
            assessment is not None
            and appeals.window_open(self.period)
            and (user.is_superuser or is_opd_user(user))
            and Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
        )
        # The OPD sees the evaluators' levels once document review has ended.
        show_levels = is_pemda_staff(user) or self.period.sanggahan_dibuka is not None
        rows = []
        if assessment is not None:
            scores = list(
                Score.objects.filter(assessment=assessment)
                .select_related("indicator")
                .order_by("indicator__nomor")
            )
            by_score = {}
            for appeal in appeals.appeals_of(user, self.period, opd=opd):
                by_score.setdefault(appeal.score_id, []).append(appeal)
            for score in scores:
                history = by_score.get(score.pk, [])
                has_open = any(a.status == Appeal.State.OPEN for a in history)
                rows.append(
                    {
                        "score": score,
                        "appeals": history,
                        "can_file": can_file and not has_open and score.level_evaluator,
                    }
                )
        context.update(
            opd=opd,
            assessment=assessment,
            rows=rows,
            can_file=can_file,
            show_levels=show_levels,
            failed=kwargs.get("failed"),
        )
        return context

    def post(self, request, *args, **kwargs):
        opd = self.get_opd()
        score_id = whole_number(request.POST.get("score"))
        if score_id is None:
            raise Http404("Indikator tidak ditemukan")
        # The score must be of this OPD in this period (file_appeal checks the rights).
        if not Score.objects.filter(
            pk=score_id, assessment__opd=opd, assessment__period=self.period
        ).exists():
            raise Http404("Indikator tidak ditemukan")
        try:
            appeal = appeals.file_appeal(
                request.user,
                int(score_id),
                request.POST.get("argumen", ""),
                request.POST.get("level", ""),
                files=request.FILES.getlist("berkas"),
                links=[request.POST.get("tautan", "")],
            )
        except ObjectDoesNotExist:
            raise Http404("Indikator tidak ditemukan") from None
        except ScoreError as exc:
            failed = {
                "score_id": int(score_id),
                "error": str(exc),
                "argumen": request.POST.get("argumen", ""),
                "level": request.POST.get("level", ""),
                "tautan": request.POST.get("tautan", ""),
            }
            return self.render_to_response(self.get_context_data(failed=failed), status=400)
        messages.success(
            request,
            _("Appeal on indicator %(number)s submitted.")
            % {"number": appeal.score.indicator.nomor},
        )
        url = reverse("appeal_opd", args=[self.pemda.kode, opd.kode])
        return HttpResponseRedirect(f"{url}?{urlencode(_period_query(self.period))}")


class AppealListView(_PeriodMixin, TemplateView):
    template_name = "evaluations/appeal_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        opds = list(OPD.objects.visible_to(user).filter(pemda=self.pemda).order_by("kode"))
        state = self.request.GET.get("status", "")
        if state not in ("open", "decided"):
            state = ""
        opd_kode = self.request.GET.get("opd", "")
        opd = next((o for o in opds if o.kode == opd_kode), None)
        if opd_kode and opd is None:
            raise Http404("OPD tidak ditemukan")
        items = list(appeals.appeals_of(user, self.period, state=state or None, opd=opd))
        closed = context["window"] == "closed"
        context.update(
            opds=opds,
            state=state,
            selected_opd=opd,
            appeals=items,
            open_count=sum(a.status == Appeal.State.OPEN for a in items),
            overdue=closed and any(a.status == Appeal.State.OPEN for a in items),
            may_decide=appeals.may_decide(user, self.period),
            levels=range(1, 6),
            period_query=urlencode(_period_query(self.period)),
        )
        return context


class AppealDecideView(_PeriodMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        appeal = (
            Appeal.objects.visible_to(request.user)
            .filter(score__assessment__pemda=self.pemda, score__assessment__period=self.period)
            .filter(pk=kwargs["appeal"])
            .first()
        )
        if appeal is None:
            raise Http404("Sanggahan tidak ditemukan")
        decision = request.POST.get("decision")
        try:
            if decision == "accept":
                appeals.accept_appeal(
                    request.user, appeal.pk, request.POST.get("level"), request.POST.get("alasan")
                )
                messages.success(request, _("Appeal accepted; the level is changed."))
            elif decision == "reject":
                appeals.reject_appeal(request.user, appeal.pk, request.POST.get("alasan"))
                messages.success(request, _("Appeal rejected."))
            else:
                messages.error(request, _("Choose to accept or to reject the appeal."))
        except ObjectDoesNotExist:
            raise Http404("Sanggahan tidak ditemukan") from None
        except ScoreError as exc:
            messages.error(request, str(exc))
        url = reverse("appeal_list", args=[self.pemda.kode])
        return HttpResponseRedirect(f"{url}?{urlencode(_period_query(self.period))}")
