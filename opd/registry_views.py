"""The pemda's OPD registry (/pemda/<kode>/registri-opd/): its Kominfo administrator adds
OPDs, renames them, deactivates them from a year (or activates them again), and records
restructurings: merges and splits. Each change keeps the OPD's history and its past
assessments, and reaches the open periods (opd/services/registry.py).

Only the administrator of the pemda itself (or a superuser) reaches these pages; anyone
else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import (
    DeactivateOPDForm,
    MergeOPDForm,
    NewOPDForm,
    OPDForm,
    ReactivateOPDForm,
    SplitOPDForm,
)
from .models import OPD, RegistryEvent
from .permissions import administered_pemda_or_404
from .services import registry


def _opd_or_404(pemda, kode):
    return get_object_or_404(OPD.objects.filter(pemda=pemda).select_related("pemda"), kode=kode)


def _refused(form, error):
    form.add_error(None, str(error))


@login_required
def registry_list(request, pemda):
    pemda = administered_pemda_or_404(request.user, pemda)
    year = timezone.localdate().year
    opds = list(
        OPD.objects.filter(pemda=pemda).prefetch_related("pendahulu", "penerus").order_by("kode")
    )
    for opd in opds:
        opd.active_now = opd.is_active_in(year)
    events = [
        registry.describe(event)
        for event in RegistryEvent.objects.filter(pemda=pemda, opd__isnull=False).select_related(
            "user", "opd"
        )[:30]
    ]
    return render(
        request,
        "opd/registry.html",
        {
            "pemda": pemda,
            "active": [opd for opd in opds if opd.active_now],
            "inactive": [opd for opd in opds if not opd.active_now],
            "events": events,
            "year": year,
        },
    )


@login_required
def registry_add(request, pemda):
    pemda = administered_pemda_or_404(request.user, pemda)
    form = NewOPDForm(
        request.POST or None,
        initial={"aktif_dari": timezone.localdate().year, "jenis": OPD.Kind.DINAS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            opd = registry.add_opd(
                request.user, pemda, form.opd_data(), form.cleaned_data["aktif_dari"]
            )
        except registry.RegistryError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(opd)s has been added; the open periods of its years include it.")
                % {"opd": opd.nama},
            )
            return redirect("registry_opd", pemda.kode, opd.kode)
    return render(request, "opd/registry_add.html", {"pemda": pemda, "form": form})


@login_required
def registry_opd(request, pemda, opd):
    """One OPD: change its name (and code, acronym, kind), deactivate it from a year or
    activate it again; its history."""
    pemda = administered_pemda_or_404(request.user, pemda)
    opd = _opd_or_404(pemda, opd)
    forms = {
        "save": OPDForm(initial=OPDForm.initial_for(opd)),
        "deactivate": DeactivateOPDForm(initial={"dari_tahun": timezone.localdate().year + 1}),
        "reactivate": ReactivateOPDForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in forms:
            raise Http404("Unknown action")
        form = forms[action] = type(forms[action])(request.POST)
        if form.is_valid():
            try:
                opd = _apply(request, action, opd, form)
            except OPD.DoesNotExist:
                raise Http404("Not the administrator") from None
            except registry.RegistryError as error:
                _refused(form, error)
            else:
                return redirect("registry_opd", pemda.kode, opd.kode)
    events = [
        registry.describe(event)
        for event in RegistryEvent.objects.filter(opd=opd).select_related("user")[:50]
    ]
    return render(
        request,
        "opd/registry_opd.html",
        {
            "pemda": pemda,
            "opd": opd,
            "forms": forms,
            "events": events,
            "predecessors": list(opd.pendahulu.all()),
            "successors": list(opd.penerus.all()),
        },
    )


def _apply(request, action, opd, form):
    data, user = form.cleaned_data, request.user
    if action == "save":
        opd = registry.change_opd(user, opd, form.opd_data())
        messages.success(request, _("%(opd)s has been saved.") % {"opd": opd.nama})
    elif action == "deactivate":
        opd = registry.deactivate_opd(user, opd, data["dari_tahun"], data["alasan"])
        messages.success(
            request,
            _("%(opd)s is no longer active from %(year)s.")
            % {"opd": opd.nama, "year": data["dari_tahun"]},
        )
    else:
        opd = registry.reactivate_opd(user, opd, data["alasan"])
        messages.success(request, _("%(opd)s is active again.") % {"opd": opd.nama})
    return opd


@login_required
def registry_merge(request, pemda):
    pemda = administered_pemda_or_404(request.user, pemda)
    form = MergeOPDForm(
        request.POST or None,
        pemda=pemda,
        initial={"dari_tahun": timezone.localdate().year + 1, "jenis": OPD.Kind.DINAS},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merged = registry.merge_opds(
                request.user,
                pemda,
                list(data["opds"]),
                data["dari_tahun"],
                form.opd_data(),
                data["alasan"],
            )
        except OPD.DoesNotExist:
            raise Http404("Not the administrator") from None
        except registry.RegistryError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(names)s are merged into %(opd)s from %(year)s.")
                % {
                    "names": ", ".join(opd.nama for opd in data["opds"]),
                    "opd": merged.nama,
                    "year": data["dari_tahun"],
                },
            )
            return redirect("registry_opd", pemda.kode, merged.kode)
    return render(request, "opd/registry_merge.html", {"pemda": pemda, "form": form})


@login_required
def registry_split(request, pemda, opd):
    pemda = administered_pemda_or_404(request.user, pemda)
    opd = _opd_or_404(pemda, opd)
    form = SplitOPDForm(request.POST or None, initial={"dari_tahun": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = registry.split_opd(
                request.user, opd, data["dari_tahun"], form.parts(), data["alasan"]
            )
        except OPD.DoesNotExist:
            raise Http404("Not the administrator") from None
        except registry.RegistryError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(opd)s is split into %(names)s from %(year)s.")
                % {
                    "opd": opd.nama,
                    "names": ", ".join(child.nama for child in new),
                    "year": data["dari_tahun"],
                },
            )
            return redirect("registry_list", pemda.kode)
    return render(request, "opd/registry_split.html", {"pemda": pemda, "opd": opd, "form": form})
