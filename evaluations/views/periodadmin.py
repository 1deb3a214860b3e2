"""Running a period: create the next one (its instrument, thresholds and schedule), set
its schedule, and move it through its stages: close self-assessment and start the
evaluation, end document review, next stage, finalise (with the list of what is
missing) and reopen with a reason. Each step first shows what it will do (GET, the
confirmation page), then is one POST to a service, which records it."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, administers, is_admin_kominfo

from ..forms import NewPeriodForm, ReasonForm, ScheduleChangeForm, ThresholdForm
from ..models import ChangeLog, Period
from ..services import periods as period_service
from ..services import schedule, thresholds, transitions
from ..services import scores as svc
from ..services.history import describe
from ..services.scoring import DEFAULT_GREEN_FROM, DEFAULT_YELLOW_FROM
from .periods import periods_of
from .review import StaffOnlyMixin, may_manage_period
from .selfassessment import period_or_404, period_query


class PeriodMixin(StaffOnlyMixin, PemdaScopedMixin):
    @cached_property
    def period(self):
        return period_or_404(self.pemda, self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            period=self.period,
            period_q=period_query(self.period),
            periods=periods_of(self.pemda, self.request.user),
        )
        return context

    def back(self, period=None):
        return HttpResponseRedirect(
            reverse("period_admin", args=[self.pemda.kode]) + period_query(period or self.period)
        )


class AdminOnlyMixin:
    """Pages of the pemda's Kominfo administrator (anyone else: 404, like a page that
    does not exist)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_admin_kominfo(request.user):
            raise Http404("Admin only")
        return super().dispatch(request, *args, **kwargs)

    def check_administers(self):
        if not administers(self.request.user, self.pemda):
            raise Http404("Not the administrator of this pemda")


class PeriodAdminView(PeriodMixin, TemplateView):
    template_name = "evaluations/period_admin.html"

    def get(self, request, *args, **kwargs):
        if not periods_of(self.pemda, request.user):
            # A new pemda: nothing to run yet, only the first period to create.
            context = {"pemda": self.pemda, "period": None}
            context["is_admin"] = administers(request.user, self.pemda)
            return self.render_to_response(context)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = self.period
        context.update(
            missing_context(period),
            is_admin=administers(user, self.pemda),
            can_manage=may_manage_period(user, period),
            appeal_deadline=svc.appeal_deadline(period),
            next_stage=_next_stage(period),
            changes=period_history(user, period),
            next_period=_next_period_label(period, self.pemda),
            deadlines=schedule.deadlines(period),
        )
        return context


def missing_context(period):
    """What keeps the period from being final, for the template `_missing.html`."""
    missing, open_appeals = transitions.missing_by_opd(period)
    return {
        "missing": missing,
        "missing_count": sum(len(group.scores) for group in missing),
        "open_appeals": open_appeals,
    }


def period_history(user, period, limit=50):
    """The period's own changes (status, stage, thresholds, schedule), in words."""
    entries = (
        ChangeLog.objects.visible_to(user)
        .filter(period=period, assessment__isnull=True)
        .select_related("user")[:limit]
    )
    return [describe(entry) for entry in entries]


class PeriodThresholdsView(AdminOnlyMixin, PeriodMixin, TemplateView):
    """The zone thresholds of a period: the form shows the effect first ("3 OPDs move
    from yellow to red"), then saves with a reason."""

    template_name = "evaluations/period_thresholds.html"

    def get_context_data(self, **kwargs):
        self.check_administers()
        context = super().get_context_data(**kwargs)
        period = self.period
        context.setdefault(
            "form",
            ThresholdForm(
                initial={"hijau": period.zona_hijau_dari, "kuning": period.zona_kuning_dari}
            ),
        )
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


class PeriodScheduleView(AdminOnlyMixin, PeriodMixin, TemplateView):
    """The period's schedule: the last day of each stage, shown as deadlines."""

    template_name = "evaluations/period_schedule.html"

    def get_context_data(self, **kwargs):
        self.check_administers()
        context = super().get_context_data(**kwargs)
        period = self.period
        initial = {name: getattr(period, name) for name in schedule.SCHEDULE_FIELDS}
        initial["jendela_sanggahan_hari"] = period.jendela_sanggahan_hari
        context.setdefault("form", ScheduleChangeForm(initial=initial))
        return context

    def post(self, request, *args, **kwargs):
        self.check_administers()
        form = ScheduleChangeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            schedule.set_schedule(
                request.user,
                self.period.pk,
                form.dates,
                form.cleaned_data["jendela_sanggahan_hari"],
                form.cleaned_data["alasan"],
            )
        except Period.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The schedule has been saved."))
        return self.back()


class PeriodCreateView(AdminOnlyMixin, StaffOnlyMixin, PemdaScopedMixin, TemplateView):
    """A new period from the previous one (?tahun= names it; else the newest): the form
    proposes the next year or quarter with the same instrument, thresholds and appeal
    window and the schedule moved on; every OPD active that year gets its assessment."""

    template_name = "evaluations/period_new.html"

    @cached_property
    def previous(self):
        periods = periods_of(self.pemda, self.request.user)
        if not periods:
            return None
        if self.request.GET.get("tahun"):
            return period_or_404(self.pemda, self.request)
        return max(periods, key=lambda p: (p.tahun, p.triwulan or 0))

    def instruments(self):
        return period_service.instrument_choices(self.request.user, self.pemda)

    def proposal(self):
        if self.previous is not None:
            return period_service.carried_over(self.previous)
        return period_service.NewPeriod(
            tahun=timezone.localdate().year,
            triwulan=None,
            instrument=self.instruments().first(),
            zona_hijau_dari=DEFAULT_GREEN_FROM,
            zona_kuning_dari=DEFAULT_YELLOW_FROM,
        )

    def get_context_data(self, **kwargs):
        self.check_administers()
        context = super().get_context_data(**kwargs)
        choice = self.proposal()
        context.setdefault(
            "form",
            NewPeriodForm(
                initial=NewPeriodForm.initial_from(choice), instruments=self.instruments()
            ),
        )
        context.update(
            previous=self.previous,
            proposal=choice,
            opd_count=OPD.objects.filter(pemda=self.pemda).active_in(choice.tahun).count(),
            team_roles=self.pemda.team_roles.count(),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.check_administers()
        form = NewPeriodForm(request.POST, instruments=self.instruments())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        choice = period_service.NewPeriod(
            tahun=data["tahun"],
            triwulan=data["triwulan"],
            instrument=data["instrument"],
            zona_hijau_dari=data["hijau"],
            zona_kuning_dari=data["kuning"],
            jendela_sanggahan_hari=data["jendela_sanggahan_hari"],
            schedule={name: value for name, value in form.dates.items() if value},
        )
        try:
            period = period_service.create_period(
                request.user, self.pemda, choice, previous=self.previous
            )
        except svc.ScoreError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("The period %(label)s is open for self-assessment.") % {"label": period.label},
        )
        return HttpResponseRedirect(
            reverse("period_admin", args=[self.pemda.kode]) + period_query(period)
        )


def _next_period_label(period, pemda):
    """The label of the period that would follow `period`, when it is the newest of its
    kind and the next one does not exist yet (offered to create); else None."""
    tahun, triwulan = period_service.next_label(period)
    if Period.objects.filter(pemda=pemda, tahun=tahun, triwulan=triwulan).exists():
        return None
    newer = Period.objects.filter(pemda=pemda, triwulan__isnull=period.triwulan is None).filter(
        tahun__gt=period.tahun
    )
    if newer.exists():
        return None
    return period_service.period_label(tahun, triwulan)


def _next_stage(period):
    position = svc.STAGE_ORDER.index(period.tahap)
    return svc.STAGE_ORDER[position + 1] if position + 1 < len(svc.STAGE_ORDER) else None


ACTIONS = ("start", "stage", "finalise", "reopen")


class PeriodActionView(PeriodMixin, TemplateView):
    """GET ?action=start|stage|finalise|reopen: what the step will do, to confirm.
    POST action=...: the step itself, through its service."""

    template_name = "evaluations/period_confirm.html"

    def get_context_data(self, **kwargs):
        action = self.request.GET.get("action")
        if action not in ACTIONS:
            raise Http404("Unknown action")
        context = super().get_context_data(**kwargs)
        user, period = self.request.user, self.period
        is_admin = administers(user, self.pemda)
        next_stage = _next_stage(period)
        under_evaluation = period.status == Period.Status.EVALUATION
        context.update(action=action, next_stage=next_stage)
        if action == "start":
            context["not_submitted"] = transitions.not_submitted(period)
            context["total_assessments"] = period.assessments.count()
            context["deadline"] = schedule.deadlines(period)[0]
            possible = is_admin and period.status == Period.Status.SELF_ASSESSMENT
        elif action == "stage":
            context["appeal_until"] = transitions.appeal_window_if_ended_now(period)
            possible = may_manage_period(user, period) and under_evaluation and bool(next_stage)
        elif action == "finalise":
            context.update(missing_context(period))
            blocked = context["missing"] or context["open_appeals"]
            possible = is_admin and under_evaluation and not blocked
        else:
            possible = is_admin and period.is_final
        context["possible"] = possible
        return context

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
                    messages.error(
                        request,
                        _("The period cannot be finalised yet: see the list of what is missing."),
                    )
                else:
                    messages.success(request, _("The period is final."))
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
