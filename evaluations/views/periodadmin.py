"""Running a period: start the evaluation, move the review stage, finalise (with the list
of what is missing) and reopen with a reason. Every action is a POST to a service."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opd.permissions import PemdaScopedMixin, is_admin_kominfo

from ..forms import ReasonForm, ThresholdForm
from ..models import ChangeLog, Period
from ..services import scores as svc
from ..services import thresholds
from ..services.history import describe
from ..services.periods import next_label, open_next_period
from .periods import periods_of
from .review import StaffOnlyMixin, may_manage_period
from .selfassessment import period_or_404, period_query


class PeriodMixin(StaffOnlyMixin, PemdaScopedMixin):
    @cached_property
    def period(self):
        return period_or_404(self.pemda, self.request)

    def back(self):
        return HttpResponseRedirect(
            reverse("period_admin", args=[self.pemda.kode]) + period_query(self.period)
        )


class PeriodAdminView(PeriodMixin, TemplateView):
    template_name = "evaluations/period_admin.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = self.period
        is_admin = is_admin_kominfo(user) and (
            Period.objects.editable_by(user).filter(pk=period.pk).exists()
        )
        problems = self.request.session.pop(f"finalise-problems-{period.pk}", None)
        missing, open_appeals = svc.finalisation_problems(period)
        context.update(
            period=period,
            periods=periods_of(self.pemda, user),
            is_admin=is_admin,
            can_manage=may_manage_period(user, period),
            missing=missing,
            open_appeals=open_appeals,
            tried=problems is not None,
            appeal_deadline=svc.appeal_deadline(period),
            next_stage=_next_stage(period),
            reason_form=ReasonForm(),
            changes=period_history(user, period),
            next_period=_next_period_label(period, self.pemda, user),
            threshold_form=ThresholdForm(
                initial={"hijau": period.zona_hijau_dari, "kuning": period.zona_kuning_dari}
            ),
        )
        return context


def period_history(user, period, limit=50):
    """The period's own changes (status, stage, thresholds, appeal window), in words."""
    entries = (
        ChangeLog.objects.visible_to(user)
        .filter(period=period, assessment__isnull=True)
        .select_related("user")[:limit]
    )
    return [describe(entry) for entry in entries]


class PeriodThresholdsView(PeriodMixin, TemplateView):
    """The zone thresholds of a period: the form shows the effect first ("3 OPDs move
    from yellow to red"), then saves with a reason. Kominfo administrators only."""

    template_name = "evaluations/period_thresholds.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_admin_kominfo(request.user):
            raise Http404("Admin only")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period
        context.setdefault(
            "form",
            ThresholdForm(
                initial={"hijau": period.zona_hijau_dari, "kuning": period.zona_kuning_dari}
            ),
        )
        context.update(period=period, periods=periods_of(self.pemda, self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        period = self.period
        if not Period.objects.editable_by(request.user).filter(pk=period.pk).exists():
            raise Http404("Not editable")
        form = ThresholdForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        green, yellow = form.cleaned_data["hijau"], form.cleaned_data["kuning"]
        if "confirm" not in request.POST:
            # Step one: the effect, nothing saved.
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    preview=True,
                    moves=thresholds.threshold_effect(period, green, yellow),
                )
            )
        try:
            thresholds.change_thresholds(
                request.user, period.pk, green, yellow, form.cleaned_data["alasan"]
            )
        except Period.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The zone thresholds have been changed."))
        return self.back()


def _next_period_label(period, pemda, user):
    """The label of the period that would follow `period`, when it is the newest of its
    kind and the next one does not exist yet (offered to open); else None."""
    tahun, triwulan = next_label(period)
    if Period.objects.filter(pemda=pemda, tahun=tahun, triwulan=triwulan).exists():
        return None
    newer = Period.objects.filter(pemda=pemda, triwulan__isnull=period.triwulan is None).filter(
        tahun__gt=period.tahun
    )
    if newer.exists():
        return None
    return f"{tahun} TW{triwulan}" if triwulan else str(tahun)


def _next_stage(period):
    position = svc.STAGE_ORDER.index(period.tahap)
    return svc.STAGE_ORDER[position + 1] if position + 1 < len(svc.STAGE_ORDER) else None


class PeriodActionView(PeriodMixin, View):
    """POST action=start|stage|finalise|reopen|open_next."""

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        user, period = request.user, self.period
        try:
            if action == "start":
                svc.start_evaluation(user, period.pk)
                messages.success(request, _("The evaluation has started."))
            elif action == "stage":
                expected = request.POST.get("tahap") or None
                if period.tahap == svc.Stage.DOKUMEN and expected in (None, svc.Stage.DOKUMEN):
                    svc.end_document_review(user, period.pk)
                    messages.success(
                        request, _("Document review has ended; the appeal window is open.")
                    )
                else:
                    svc.advance_stage(user, period.pk, expected)
                    messages.success(request, _("The stage has been moved."))
            elif action == "finalise":
                _period, missing, open_appeals = svc.finalise_period(user, period.pk)
                if missing or open_appeals:
                    request.session[f"finalise-problems-{period.pk}"] = True
                    messages.error(
                        request,
                        _("The period cannot be finalised yet: see the list of what is missing."),
                    )
                else:
                    messages.success(request, _("The period is final."))
            elif action == "open_next":
                opened = open_next_period(user, period.pk)
                messages.success(
                    request,
                    _("The period %(label)s is open for self-assessment.")
                    % {"label": opened.label},
                )
                return HttpResponseRedirect(
                    reverse("period_admin", args=[self.pemda.kode]) + period_query(opened)
                )
            elif action == "reopen":
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Give the reason for reopening the period."))
                else:
                    svc.reopen_period(user, period.pk, form.cleaned_data["alasan"])
                    messages.success(request, _("The period has been reopened."))
            else:
                messages.error(request, _("Unknown action."))
        except Period.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            messages.error(request, str(error))
        return self.back()
