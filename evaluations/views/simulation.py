"""The what-if page of one OPD and period: change indicator (or item) values and see the
projected index, predikat, zone and rank move, without saving anything. For the OPD's own
users, the pemda's staff and the province's staff; the values start from what the user
may see (the evaluators' values once published to the OPD, else the OPD's own)."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..models import Assessment, Indicator, Score
from ..services.disclosure import sees_review
from ..services.instruments import instrument_weights, predikat_bands
from ..services.projections import Rules, simulate
from ..services.scores import ScoreError, parse_level
from ..services.scoring import item_value, plain_value
from .periods import periods_of, pick_period


class SimulationView(PemdaScopedMixin, TemplateView):
    template_name = "evaluations/simulation.html"

    def setup_objects(self):
        user = self.request.user
        self.opd = visible_or_404(
            OPD.objects.filter(pemda=self.pemda), user, kode=self.kwargs["opd"]
        )
        self.period = pick_period(periods_of(self.pemda, user), self.request)
        self.assessment = None
        if self.period is not None:
            self.assessment = visible_or_404(
                Assessment.objects.filter(period=self.period, opd=self.opd), user
            )

    def rows(self):
        """Every indicator with its current value (the one the user may see), its items."""
        user, period = self.request.user, self.period
        evaluators = sees_review(user, period)
        scores = {
            s.indicator_id: s
            for s in Score.objects.filter(assessment=self.assessment).prefetch_related(
                "item_scores"
            )
        }
        indicators = (
            Indicator.objects.filter(instrument_id=period.instrument_id)
            .select_related("aspect")
            .prefetch_related(Prefetch("items"))
            .order_by("nomor")
        )
        rows = []
        for indicator in indicators:
            score = scores.get(indicator.pk)
            value = None
            if score is not None:
                value = score.level_evaluator if evaluators else score.level_mandiri
            levels = {}
            if score is not None:
                levels = {
                    row.item_id: (row.level_evaluator if evaluators else row.level_mandiri)
                    for row in score.item_scores.all()
                }
            rows.append(
                {
                    "indicator": indicator,
                    "value": value,
                    "typed": ""
                    if value is None
                    else str(plain_value(value, period.instrument.nilai_desimal)).replace(".", ","),
                    "items": [(item, levels.get(item.pk)) for item in indicator.items.all()],
                }
            )
        return rows

    def simulate(self, values):
        period = self.period
        others = None
        if sees_review(self.request.user, period):
            others = list(
                Assessment.objects.filter(period=period, indeks__isnull=False)
                .exclude(pk=self.assessment.pk)
                .values_list("indeks", flat=True)
            )
        rules = Rules(
            tuple(predikat_bands(period.instrument_id)),
            period.zona_hijau_dari,
            period.zona_kuning_dari,
        )
        return simulate(instrument_weights(period.instrument_id), values, rules, others)

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        context = self.get_context_data()
        if self.assessment is not None:
            rows = self.rows()
            current = self.simulate({row["indicator"].pk: row["value"] for row in rows})
            context.update(rows=rows, result=current, current=current)
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        """htmx: the projected figures of the values typed (nothing is saved)."""
        self.setup_objects()
        if self.assessment is None:
            return render(request, "evaluations/_simulation_result.html", {"errors": []})
        rows = self.rows()
        decimal_values = self.period.instrument.nilai_desimal
        values, errors = {}, []
        for row in rows:
            indicator = row["indicator"]
            if row["items"]:
                levels = []
                for item, _level in row["items"]:
                    try:
                        levels.append(
                            (parse_level(request.POST.get(f"item-{item.pk}")), item.bobot)
                        )
                    except ScoreError as error:
                        errors.append(f"{indicator.label}.{item.nomor}: {error}")
                        levels.append((None, item.bobot))
                values[indicator.pk] = item_value(levels)
                continue
            try:
                values[indicator.pk] = parse_level(
                    request.POST.get(f"nilai-{indicator.pk}"), decimal_values=decimal_values
                )
            except ScoreError as error:
                errors.append(f"{indicator.label}: {error}")
                values[indicator.pk] = None
        current = self.simulate({row["indicator"].pk: row["value"] for row in rows})
        return render(
            request,
            "evaluations/_simulation_result.html",
            {
                "result": self.simulate(values),
                "current": current,
                "errors": errors,
                "period": self.period,
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            opd=self.opd,
            period=self.period,
            periods=periods_of(self.pemda, self.request.user),
            assessment=self.assessment,
            evaluators=self.period is not None and sees_review(self.request.user, self.period),
        )
        return context
