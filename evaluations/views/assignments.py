"""The Kominfo administrator shares out the period's OPDs among the pemda's evaluators
(services.assignments); each evaluator then has "my queue" in the work queue."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..models import Period
from ..services import assignments
from ..services import scores as svc
from .periodadmin import AdminOnlyMixin, PeriodMixin
from .selfassessment import period_query


def parse_pairs(values):
    """{(opd id, evaluator id)} from checkbox values "opd:evaluator"; anything else is
    ignored (the service checks the ids belong to the period and the pemda)."""
    pairs = set()
    for value in values:
        opd, _sep, evaluator = value.partition(":")
        if opd.isascii() and opd.isdigit() and evaluator.isascii() and evaluator.isdigit():
            pairs.add((int(opd), int(evaluator)))
    return pairs


class AssignmentView(AdminOnlyMixin, PeriodMixin, TemplateView):
    template_name = "evaluations/review_assignments.html"

    def get_context_data(self, **kwargs):
        self.check_administers()
        context = super().get_context_data(**kwargs)
        evaluators = list(assignments.evaluators_of(self.pemda))
        pairs = assignments.pairs_of(self.period)
        rows = [
            (a.opd, [(e, (a.opd_id, e.pk) in pairs) for e in evaluators])
            for a in self.period.assessments.select_related("opd").order_by("opd__kode")
        ]
        context.update(evaluators=evaluators, rows=rows, can_change=not self.period.is_final)
        return context

    def post(self, request, *args, **kwargs):
        self.check_administers()
        try:
            added, removed = assignments.set_assignments(
                request.user, self.period.pk, parse_pairs(request.POST.getlist("pair"))
            )
        except Period.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Assignments saved: %(added)d added, %(removed)d removed.")
                % {"added": added, "removed": removed},
            )
        return HttpResponseRedirect(
            reverse("review_assignments", args=[self.pemda.kode]) + period_query(self.period)
        )
