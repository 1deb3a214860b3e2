"""Instrument versions in the app (services.instrument_versions): the list of the
instruments a pemda may use, one instrument's structure, cloning into a draft, editing a
draft (structure and weights, an indicator with its criteria and items, level names,
predikat bands, the crosswalk from an earlier instrument) and publishing it.

The pemda's staff read them; its Kominfo administrator edits its own drafts; the
superuser the shared ones. Anything else answers 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opd.permissions import is_pemda_staff
from spbe_dashboard.numbers import parse_decimal

from ..models import Aspect, Crosswalk, Indicator, Instrument, LevelCriterion
from ..services import crosswalks
from ..services import instrument_versions as versions
from ..services.scores import ScoreError
from ..services.scoring import LEVEL_MAX, LEVEL_MIN


class StaffMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_pemda_staff(request.user):
            raise Http404("Staff only")
        return super().dispatch(request, *args, **kwargs)


class InstrumentMixin(StaffMixin):
    """Resolves /instrumen/<kode>/ through visible_to (404 otherwise)."""

    @cached_property
    def instrument(self):
        return get_object_or_404(
            Instrument.objects.visible_to(self.request.user).select_related("pemda", "dasar"),
            kode=self.kwargs["kode"],
        )

    @cached_property
    def can_edit(self):
        """A draft the user may edit (its pemda's administrator, the superuser)."""
        return (
            not self.instrument.is_published
            and versions.may_edit_instruments(self.request.user)
            and Instrument.objects.editable_by(self.request.user)
            .filter(pk=self.instrument.pk)
            .exists()
        )

    def detail_url(self):
        return reverse("instrument_detail", args=[self.instrument.kode])

    def back(self):
        return HttpResponseRedirect(self.detail_url())

    def refuse(self, error):
        messages.error(self.request, str(error))
        return self.back()

    def require_edit(self):
        if not self.can_edit:
            raise Http404("Not editable")


class InstrumentListView(StaffMixin, TemplateView):
    template_name = "evaluations/instrument_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["instruments"] = (
            Instrument.objects.visible_to(user)
            .select_related("pemda", "dasar")
            .annotate(indicator_count=Count("indicators", distinct=True))
            .annotate(period_count=Count("periods", distinct=True))
            .order_by("pemda__kode", "-status", "nama")
        )
        context["can_clone"] = versions.may_edit_instruments(user)
        return context


class InstrumentDetailView(InstrumentMixin, TemplateView):
    template_name = "evaluations/instrument_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instrument = self.instrument
        aspects = (
            instrument.aspects.select_related("domain")
            .prefetch_related(
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.annotate(item_count=Count("items")).order_by(
                        "nomor"
                    ),
                )
            )
            .order_by("nomor")
        )
        editable_owner = (
            versions.may_edit_instruments(self.request.user)
            and Instrument.objects.editable_by(self.request.user).filter(pk=instrument.pk).exists()
        )
        context.update(
            instrument=instrument,
            aspects=aspects,
            domains=instrument.domains.order_by("nomor"),
            bands=instrument.bands.order_by("-batas_bawah"),
            problems=versions.problems(instrument),
            can_edit=self.can_edit,
            can_unpublish=editable_owner
            and instrument.is_published
            and not versions.is_used(instrument),
            can_clone=versions.may_edit_instruments(self.request.user),
            used=instrument.periods.select_related("pemda").order_by("-tahun")[:20],
            crosswalks_in=Crosswalk.objects.visible_to(self.request.user)
            .filter(ke=instrument)
            .select_related("dari")
            .prefetch_related("links__aspek_lama", "links__aspek_baru"),
        )
        return context


class InstrumentActionView(InstrumentMixin, View):
    """POST action=clone|publish|unpublish|add_indicator|remove_indicator."""

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        user, instrument = request.user, self.instrument
        try:
            if action == "clone":
                draft = versions.clone(user, instrument.pk, request.POST.get("nama"))
                messages.success(
                    request, _("A draft copy has been made: edit it, then publish it.")
                )
                return HttpResponseRedirect(reverse("instrument_detail", args=[draft.kode]))
            if action == "publish":
                versions.publish(user, instrument.pk)
                messages.success(request, _("The instrument is published: periods may use it."))
            elif action == "unpublish":
                versions.unpublish(user, instrument.pk)
                messages.success(request, _("The instrument is a draft again."))
            elif action == "add_indicator":
                self.require_edit()
                aspect = get_object_or_404(
                    Aspect, instrument=instrument, pk=_id(request.POST.get("aspek"))
                )
                versions.add_indicator(
                    user,
                    aspect.pk,
                    request.POST.get("nama"),
                    parse_decimal(request.POST.get("bobot")),
                )
                messages.success(
                    request,
                    _("The indicator has been added: balance the weights before publishing."),
                )
            elif action == "remove_indicator":
                self.require_edit()
                indicator = get_object_or_404(
                    Indicator, instrument=instrument, pk=_id(request.POST.get("indikator"))
                )
                versions.remove_indicator(user, indicator.pk)
                messages.success(request, _("The indicator has been removed."))
            else:
                messages.error(request, _("Unknown action."))
        except Instrument.DoesNotExist:
            raise Http404("Not editable") from None
        except ScoreError as error:
            return self.refuse(error)
        return self.back()


def _id(value):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _decimal_field(post, name):
    return parse_decimal(post.get(name))


class StructureView(InstrumentMixin, TemplateView):
    """Names and weights of the domains, aspects and indicators, saved together and
    refused unless they add up at every level."""

    template_name = "evaluations/instrument_structure.html"

    def get_context_data(self, **kwargs):
        self.require_edit()
        context = super().get_context_data(**kwargs)
        instrument = self.instrument
        typed = kwargs.get("typed", {})
        domains = list(instrument.domains.order_by("nomor"))
        aspects = list(
            instrument.aspects.select_related("domain")
            .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("nomor")))
            .order_by("nomor")
        )
        # After a refusal the form shows what was typed, not the stored values.
        for prefix, parts in (("domain", domains), ("aspek", aspects)):
            for part in parts:
                part.shown_nama = typed.get(f"{prefix}-{part.pk}-nama", part.nama)
                part.shown_bobot = typed.get(f"{prefix}-{part.pk}-bobot")
        for aspect in aspects:
            for indicator in aspect.indicators.all():
                indicator.shown_bobot = typed.get(f"indikator-{indicator.pk}-bobot")
        context.update(instrument=instrument, domains=domains, aspects=aspects)
        return context

    def post(self, request, *args, **kwargs):
        self.require_edit()
        instrument, post = self.instrument, request.POST
        domains = {
            d.pk: (
                post.get(f"domain-{d.pk}-nama", d.nama),
                _decimal_field(post, f"domain-{d.pk}-bobot"),
            )
            for d in instrument.domains.all()
        }
        aspects = {
            a.pk: (
                post.get(f"aspek-{a.pk}-nama", a.nama),
                _decimal_field(post, f"aspek-{a.pk}-bobot"),
            )
            for a in instrument.aspects.all()
        }
        indicators = {
            i.pk: _decimal_field(post, f"indikator-{i.pk}-bobot")
            for i in instrument.indicators.all()
        }
        blank = [
            v
            for v in (
                *indicators.values(),
                *(w for _n, w in (*domains.values(), *aspects.values())),
            )
            if v is None
        ]
        try:
            if blank:
                raise ScoreError(_("Every weight is a number such as 2,5 (a comma or a point)."))
            versions.set_structure(request.user, instrument.pk, domains, aspects, indicators)
        except ScoreError as error:
            context = self.get_context_data(typed=dict(post.items()))
            context["error"] = str(error)
            return self.render_to_response(context)
        messages.success(request, _("The structure and weights have been saved."))
        return self.back()


class IndicatorEditView(InstrumentMixin, TemplateView):
    """One indicator: code, name, scale, evidence guidance, external source, the criteria
    of its five levels and its items."""

    template_name = "evaluations/instrument_indicator.html"

    @cached_property
    def indicator(self):
        return get_object_or_404(
            Indicator.objects.filter(instrument=self.instrument), nomor=self.kwargs["nomor"]
        )

    def get_context_data(self, **kwargs):
        self.require_edit()
        context = super().get_context_data(**kwargs)
        indicator = self.indicator
        criteria = {c.level: c for c in indicator.criteria.all()}
        items = list(indicator.items.order_by("nomor"))
        context.update(
            instrument=self.instrument,
            indicator=indicator,
            levels=[(n, criteria.get(n)) for n in range(LEVEL_MIN, LEVEL_MAX + 1)],
            items=items,
            empty_items=range(len(items) + 1, len(items) + 4),
            scales=Indicator.Scale.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_edit()
        post, indicator = request.POST, self.indicator
        fields = {
            name: post.get(name, "")
            for name in ("kode", "nama", "skala", "panduan_bukti", "sumber_eksternal")
        }
        fields["terkait_tim"] = post.get("terkait_tim") == "on"
        if fields["skala"] not in Indicator.Scale.values:
            fields["skala"] = indicator.skala
        criteria = {
            n: (post.get(f"level-{n}-nama", ""), post.get(f"level-{n}-kriteria", ""))
            for n in range(LEVEL_MIN, LEVEL_MAX + 1)
        }
        items = []
        for n in range(1, 41):
            name = post.get(f"butir-{n}-nama")
            if name is None:
                continue
            weight_text = (post.get(f"butir-{n}-bobot") or "").strip()
            weight = parse_decimal(weight_text) if weight_text else None
            if weight_text and weight is None:
                messages.error(request, _("An item's weight is a number such as 2 or 1,5."))
                return self.render_to_response(self.get_context_data())
            items.append(
                (
                    name,
                    weight,
                    post.get(f"butir-{n}-kriteria", ""),
                    post.get(f"butir-{n}-bukti", ""),
                )
            )
        try:
            versions.update_indicator(request.user, indicator.pk, fields, criteria)
            versions.save_items(request.user, indicator.pk, items)
        except ScoreError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("The indicator has been saved."))
        return self.back()


class LevelNamesView(InstrumentMixin, TemplateView):
    template_name = "evaluations/instrument_levels.html"

    def get_context_data(self, **kwargs):
        self.require_edit()
        context = super().get_context_data(**kwargs)
        current = {}
        for scale, level, name in (
            LevelCriterion.objects.filter(indicator__instrument=self.instrument)
            .order_by("indicator__nomor")
            .values_list("indicator__skala", "level", "nama")
        ):
            current.setdefault(scale, {}).setdefault(level, name)
        context.update(
            instrument=self.instrument,
            scales=[
                (code, label, [current.get(code, {}).get(n, "") for n in range(1, 6)])
                for code, label in Indicator.Scale.choices
                if code in current
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_edit()
        try:
            for scale in Indicator.Scale.values:
                names = [request.POST.get(f"{scale}-{n}") for n in range(1, 6)]
                if any(name is not None for name in names):
                    versions.set_level_names(request.user, self.instrument.pk, scale, names)
        except ScoreError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("The level names have been saved."))
        return self.back()


class BandsView(InstrumentMixin, TemplateView):
    template_name = "evaluations/instrument_bands.html"

    def get_context_data(self, **kwargs):
        self.require_edit()
        context = super().get_context_data(**kwargs)
        bands = list(self.instrument.bands.order_by("-batas_bawah"))
        context.update(
            instrument=self.instrument,
            rows=[(b.nama, b.batas_bawah) for b in bands] + [("", None)] * 2,
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_edit()
        bands = []
        for n in range(20):
            name = request.POST.get(f"band-{n}-nama")
            if name is None:
                continue
            bound_text = request.POST.get(f"band-{n}-batas", "")
            bound = parse_decimal(bound_text)
            if (name or "").strip() and bound is None:
                messages.error(request, _("A lower bound is a number from 0,00 to 5,00."))
                return self.render_to_response(self.get_context_data())
            bands.append((name, bound))
        try:
            versions.set_bands(request.user, self.instrument.pk, bands)
        except ScoreError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("The predikat bands have been saved."))
        return self.back()


class CrosswalkView(InstrumentMixin, TemplateView):
    """Declare which aspects of an earlier instrument feed which aspects of this one."""

    template_name = "evaluations/instrument_crosswalk.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not versions.may_edit_instruments(request.user):
            raise Http404("Admin only")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def earlier(self):
        kode = self.request.GET.get("dari") or self.request.POST.get("dari")
        if not kode:
            return None
        return get_object_or_404(
            Instrument.objects.visible_to(self.request.user).exclude(pk=self.instrument.pk),
            kode=kode,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            instrument=self.instrument,
            candidates=Instrument.objects.visible_to(user)
            .exclude(pk=self.instrument.pk)
            .order_by("nama"),
            earlier=self.earlier,
        )
        if self.earlier is not None:
            existing = crosswalks.links_of(user, self.earlier, self.instrument)
            context["rows"] = [
                (aspect, existing.get(aspect.pk))
                for aspect in self.earlier.aspects.order_by("nomor")
            ]
            context["targets"] = self.instrument.aspects.order_by("nomor")
        return context

    def post(self, request, *args, **kwargs):
        if self.earlier is None:
            raise Http404("No earlier instrument")
        links = {}
        for aspect in self.earlier.aspects.all():
            links[aspect.pk] = _id(request.POST.get(f"aspek-{aspect.pk}"))
        try:
            crosswalks.declare(
                request.user,
                self.earlier.pk,
                self.instrument.pk,
                links,
                request.POST.get("keterangan", ""),
            )
        except ScoreError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("The crosswalk has been saved."))
        return self.back()
