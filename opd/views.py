"""The SPBE team pages: one OPD's team per year (view, edit, propose, decide, import,
certificate files) and the pemda's team overview.

Every row is reached through `visible_or_404` (another tenant's row is a 404); changes
go through opd.services.teams, which checks `editable_by` and the role. A page or change
the user's role may not use answers 404 like a row that does not exist (the rule of every
page: a province's staff see a kabupaten's team read-only, and a change they attempt is
a 404 as anywhere else); a refused step of the workflow is a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .forms import (
    ApproveForm,
    CertificateForm,
    ImportForm,
    MemberForm,
    ReturnForm,
    TeamRoleForm,
    TeamSizeForm,
)
from .models import (
    OPD,
    Pemda,
    RegistryEvent,
    TeamCertificate,
    TeamEvent,
    TeamMember,
    TeamProposal,
)
from .permissions import administered_pemda_or_404, is_pemda_staff, visible_or_404
from .services import team_import, teams
from .services import team_rules as team_rule_service
from .services.registry import describe as describe_event

MIN_YEAR, MAX_YEAR = 2000, 2100


def _opd(request, pemda, opd):
    pemda = visible_or_404(Pemda, request.user, kode=pemda)
    opd = visible_or_404(
        OPD.objects.filter(pemda=pemda).select_related("pemda"), request.user, kode=opd
    )
    return pemda, opd


def _year(request, opd=None, pemda=None):
    """The year named by ?tahun= (or the form's tahun); else the latest year with a team
    version (of the OPD, or of any OPD of the pemda), else the current year."""
    value = request.POST.get("tahun") or request.GET.get("tahun")
    if value:
        try:
            year = int(value)
        except ValueError:
            raise Http404 from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        return year
    if opd is not None or pemda is not None:
        scope = {"opd": opd} if opd is not None else {"pemda": pemda}
        latest = (
            TeamProposal.objects.filter(**scope)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        if latest:
            return latest
    return timezone.localdate().year


def team_url(opd, year):
    return f"{reverse('opd_team', args=[opd.pemda.kode, opd.kode])}?tahun={year}"


def _back(opd, year):
    return redirect(team_url(opd, year))


def _annotated_members(proposal, today):
    members = list(
        proposal.members.select_related("role").prefetch_related("certificates") if proposal else []
    )
    for member in members:
        member.certs = list(member.certificates.all())
        for certificate in member.certs:
            certificate.flag = teams.certificate_flag(certificate.expires_on, today)
    return members


@login_required
def team_detail(request, pemda, opd):
    pemda, opd = _opd(request, pemda, opd)
    user = request.user
    year = _year(request, opd)
    today = timezone.localdate()
    roles = teams.ensure_default_roles(pemda)
    versions = list(
        TeamProposal.objects.visible_to(user)
        .filter(opd=opd, year=year)
        .select_related("proposed_by", "decided_by")
        .order_by("-version")
    )
    proposal = next((v for v in versions if v.is_current), None)
    members = _annotated_members(proposal, today)
    by_role = {role.id: [] for role in roles}
    for member in members:
        by_role.setdefault(member.role_id, []).append(member)
    status = teams.opd_team_status(opd, year, today=today, proposal=proposal)
    events = (
        TeamEvent.objects.visible_to(user)
        .filter(proposal__in=versions)
        .select_related("user", "proposal")[:100]
    )
    open_state = proposal is None or proposal.is_editable_state
    past = teams.is_past_year(year, today)
    may_edit = teams.can_edit_members(user, opd) and not past
    copy_from = (
        teams.copy_source(user, opd, year)
        if may_edit and open_state and not members and opd.is_active_in(year)
        else None
    )
    years = sorted(
        set(TeamProposal.objects.filter(opd=opd).values_list("year", flat=True))
        | {today.year, year},
        reverse=True,
    )
    context = {
        "pemda": pemda,
        "opd": opd,
        "year": year,
        "years": years,
        "proposal": proposal,
        "versions": versions,
        "roles": [(role, by_role.get(role.id, [])) for role in roles],
        "team_status": status,
        "events": events,
        "is_past": past,
        "copy_from": copy_from,
        "can_edit": may_edit and open_state and opd.is_active_in(year),
        "can_propose": teams.can_propose(user, opd)
        and not past
        and proposal is not None
        and proposal.is_editable_state
        and bool(members),
        "can_decide": teams.can_decide(user, opd)
        and not past
        and proposal is not None
        and proposal.state == TeamProposal.State.PROPOSED,
        "can_revise": may_edit
        and proposal is not None
        and proposal.state == TeamProposal.State.APPROVED,
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
    }
    return render(request, "opd/team_detail.html", context)


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _refuse_past(request, opd, year):
    """A past year's team is read-only: its form pages answer with the reason and go
    back to the team (None when the year is open)."""
    try:
        teams.check_open_year(year)
    except teams.TeamError as error:
        messages.error(request, str(error))
        return _back(opd, year)
    return None


def _member_or_404(request, opd, member_id):
    return visible_or_404(
        TeamMember.objects.filter(proposal__opd=opd).select_related("proposal", "role"),
        request.user,
        pk=member_id,
    )


@login_required
def member_edit(request, pemda, opd, member_id=None):
    pemda, opd = _opd(request, pemda, opd)
    member = _member_or_404(request, opd, member_id) if member_id else None
    year = member.proposal.year if member else _year(request, opd)
    if not teams.can_edit_members(request.user, opd):
        raise Http404
    if refused := _refuse_past(request, opd, year):
        return refused
    teams.ensure_default_roles(pemda)
    if request.method == "POST":
        form = MemberForm(request.POST, pemda=pemda)
        if form.is_valid():
            try:
                teams.save_member(
                    request.user, opd, year, form.cleaned_data, member.pk if member else None
                )
            except teams.TeamPermissionError:
                raise Http404 from None
            except teams.TeamError as error:
                messages.error(request, str(error))
                return _back(opd, year)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The member is saved."))
                return _back(opd, year)
    else:
        initial = MemberForm.initial_for(member) if member else {}
        form = MemberForm(initial=initial, pemda=pemda)
    return render(
        request,
        "opd/team_member_form.html",
        {"pemda": pemda, "opd": opd, "year": year, "member": member, "form": form},
    )


def _run(request, opd, year, action, success):
    """Run a service step; a refused role is a 404, a refused step a message."""
    try:
        action()
    except teams.TeamPermissionError:
        raise Http404 from None
    except teams.TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return _back(opd, year)


@login_required
@require_POST
def member_remove(request, pemda, opd, member_id):
    pemda, opd = _opd(request, pemda, opd)
    member = _member_or_404(request, opd, member_id)
    return _run(
        request,
        opd,
        member.proposal.year,
        lambda: teams.remove_member(request.user, member.pk),
        _("The member is removed."),
    )


@login_required
def certificate_add(request, pemda, opd, member_id):
    pemda, opd = _opd(request, pemda, opd)
    member = _member_or_404(request, opd, member_id)
    year = member.proposal.year
    if not teams.can_edit_members(request.user, opd):
        raise Http404
    if refused := _refuse_past(request, opd, year):
        return refused
    if request.method == "POST":
        form = CertificateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                teams.add_certificate(request.user, member.pk, data, data.get("file"))
            except teams.TeamPermissionError:
                raise Http404 from None
            except teams.TeamError as error:
                messages.error(request, str(error))
                return _back(opd, year)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The certificate is saved."))
                return _back(opd, year)
    else:
        form = CertificateForm()
    return render(
        request,
        "opd/team_certificate_form.html",
        {"pemda": pemda, "opd": opd, "year": year, "member": member, "form": form},
    )


def _certificate_or_404(request, opd, certificate_id):
    return visible_or_404(
        TeamCertificate.objects.filter(member__proposal__opd=opd).select_related(
            "member__proposal"
        ),
        request.user,
        pk=certificate_id,
    )


@login_required
@require_POST
def certificate_remove(request, pemda, opd, certificate_id):
    pemda, opd = _opd(request, pemda, opd)
    certificate = _certificate_or_404(request, opd, certificate_id)
    return _run(
        request,
        opd,
        certificate.member.proposal.year,
        lambda: teams.remove_certificate(request.user, certificate.pk),
        _("The certificate is removed."),
    )


@login_required
def certificate_file(request, pemda, opd, certificate_id):
    """The certificate's file, to users who may see the OPD; never by a public URL."""
    pemda, opd = _opd(request, pemda, opd)
    certificate = _certificate_or_404(request, opd, certificate_id)
    if not certificate.file:
        raise Http404
    try:
        handle = certificate.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=certificate.file_name or "sertifikat",
        content_type=certificate.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _proposal_or_404(request, opd, proposal_id):
    return visible_or_404(TeamProposal.objects.filter(opd=opd), request.user, pk=proposal_id)


@login_required
@require_POST
def team_propose(request, pemda, opd, proposal_id):
    pemda, opd = _opd(request, pemda, opd)
    proposal = _proposal_or_404(request, opd, proposal_id)
    return _run(
        request,
        opd,
        proposal.year,
        lambda: teams.propose(request.user, proposal.pk),
        _("The team is proposed to Dinas Kominfo."),
    )


@login_required
@require_POST
def team_approve(request, pemda, opd, proposal_id):
    pemda, opd = _opd(request, pemda, opd)
    proposal = _proposal_or_404(request, opd, proposal_id)
    form = ApproveForm(request.POST)
    if not teams.can_decide(request.user, opd):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Give the SK number and date."))
        return _back(opd, proposal.year)
    data = form.cleaned_data
    return _run(
        request,
        opd,
        proposal.year,
        lambda: teams.approve(request.user, proposal.pk, data["sk_number"], data["sk_date"]),
        _("The team is approved."),
    )


@login_required
@require_POST
def team_return(request, pemda, opd, proposal_id):
    pemda, opd = _opd(request, pemda, opd)
    proposal = _proposal_or_404(request, opd, proposal_id)
    return _run(
        request,
        opd,
        proposal.year,
        lambda: teams.return_proposal(request.user, proposal.pk, request.POST.get("reason")),
        _("The team is returned to the OPD."),
    )


@login_required
@require_POST
def team_revise(request, pemda, opd, proposal_id):
    pemda, opd = _opd(request, pemda, opd)
    proposal = _proposal_or_404(request, opd, proposal_id)
    return _run(
        request,
        opd,
        proposal.year,
        lambda: teams.start_revision(request.user, proposal.pk),
        _("A new version of the team is open for changes."),
    )


@login_required
@require_POST
def team_copy(request, pemda, opd):
    """Start the year's team from the latest approved team of an earlier year."""
    pemda, opd = _opd(request, pemda, opd)
    year = _year(request, opd)
    try:
        copy = teams.copy_previous_year(request.user, opd, year)
    except teams.TeamPermissionError:
        raise Http404 from None
    except teams.TeamError as error:
        messages.error(request, str(error))
        return _back(opd, year)
    messages.success(
        request,
        _(
            "Copied from the approved team of %(year)s: %(members)s member(s) with "
            "%(certificates)s certificate(s). Check the team before proposing it."
        )
        % {"year": copy.source.year, "members": copy.members, "certificates": copy.certificates},
    )
    if copy.expired:
        messages.warning(
            request,
            ngettext(
                "%(count)s certificate has expired: it is marked in the list.",
                "%(count)s certificates have expired: they are marked in the list.",
                copy.expired,
            )
            % {"count": copy.expired},
        )
    if copy.left_out:
        messages.warning(
            request,
            _("Left out, already in another team of %(year)s: %(names)s.")
            % {"year": year, "names": ", ".join(copy.left_out)},
        )
    return _back(opd, year)


def _session_key(opd, year):
    return f"team_import:{opd.id}:{year}"


@login_required
def team_import_view(request, pemda, opd):
    """Upload → preview (nothing written; the rows are kept in the session) → import
    (all rows or none)."""
    pemda, opd = _opd(request, pemda, opd)
    year = _year(request, opd)
    if not teams.can_edit_members(request.user, opd):
        raise Http404
    if refused := _refuse_past(request, opd, year):
        return refused
    context = {"pemda": pemda, "opd": opd, "year": year, "form": ImportForm()}
    key = _session_key(opd, year)
    if request.method == "POST" and "confirm" in request.POST:
        rows = request.session.get(key)
        if not rows:
            messages.error(request, _("Upload the file again: the preview has expired."))
            return redirect(f"{request.path}?tahun={year}")
        try:
            _proposal, added, updated = team_import.import_members(request.user, opd, year, rows)
        except team_import.ImportRejected as rejected:
            context["preview"] = rejected.preview
            messages.error(request, str(rejected))
        except teams.TeamPermissionError:
            raise Http404 from None
        except teams.TeamError as error:
            messages.error(request, str(error))
        else:
            request.session.pop(key, None)
            messages.success(
                request,
                _("Imported: %(added)s added, %(updated)s updated.")
                % {"added": added, "updated": updated},
            )
            return _back(opd, year)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = team_import.read_rows(form.cleaned_data["file"])
            except team_import.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                preview = team_import.preview_import(opd, year, rows)
                context["preview"] = preview
                if preview.ok:
                    request.session[key] = rows
                else:
                    request.session.pop(key, None)
    return render(request, "opd/team_import.html", context)


@login_required
def team_overview(request, pemda):
    """Per OPD of the pemda: complete approved team, filled roles, certified technical
    staff against the need. For the pemda's staff (admin, evaluator, pimpinan)."""
    pemda = visible_or_404(Pemda, request.user, kode=pemda)
    if not is_pemda_staff(request.user):
        raise Http404
    year = _year(request, pemda=pemda)
    rows = teams.pemda_team_statuses(pemda, year, request.user)
    summary = teams.summarise_team_statuses(year, [status for _opd, status in rows])
    return render(
        request,
        "opd/team_overview.html",
        {
            "pemda": pemda,
            "year": year,
            "rows": rows,
            "summary": summary,
            "years": range(timezone.localdate().year, MIN_YEAR + 18, -1),
        },
    )


@login_required
def team_rules(request, pemda):
    """The pemda's team rules: the roles of its OPDs' SPBE teams and the team size limit.
    For the pemda's own Kominfo administrator (anyone else: 404); every change is
    recorded (opd/services/team_rules.py)."""
    pemda = administered_pemda_or_404(request.user, pemda)
    roles = team_rule_service.roles_of(pemda)
    role_forms = {
        role.pk: TeamRoleForm(role=role, initial=TeamRoleForm.initial_for(role)) for role in roles
    }
    new_role = TeamRoleForm(initial={"order": len(roles) + 1, "max_members": 1})
    size_form = TeamSizeForm(initial={"max_team_size": teams.team_size_limit(pemda)})
    if request.method == "POST":
        action, user = request.POST.get("action"), request.user
        role = next((r for r in roles if str(r.pk) == request.POST.get("role")), None)
        try:
            if action == "role":
                form = TeamRoleForm(request.POST, role=role)
                if role:
                    role_forms[role.pk] = form
                else:
                    new_role = form
                if form.is_valid():
                    team_rule_service.save_role(user, pemda, role=role, **form.cleaned_data)
                    messages.success(request, _("The team role has been saved."))
                    return redirect("team_rules", pemda.kode)
            elif action == "remove" and role is not None:
                team_rule_service.remove_role(user, role)
                messages.success(request, _("The team role has been removed."))
                return redirect("team_rules", pemda.kode)
            elif action == "size":
                size_form = TeamSizeForm(request.POST)
                if size_form.is_valid():
                    team_rule_service.set_team_size(
                        user, pemda, size_form.cleaned_data["max_team_size"]
                    )
                    messages.success(request, _("The team size limit has been saved."))
                    return redirect("team_rules", pemda.kode)
            else:
                raise Http404("Unknown action")
        except team_rule_service.TeamRuleError as error:
            messages.error(request, str(error))
    events = [
        describe_event(event)
        for event in RegistryEvent.objects.filter(
            pemda=pemda, action=RegistryEvent.Action.TEAM_RULES_CHANGED
        ).select_related("user")[:30]
    ]
    return render(
        request,
        "opd/team_rules.html",
        {
            "pemda": pemda,
            "rows": [(role, role_forms[role.pk]) for role in roles],
            "new_role": new_role,
            "size_form": size_form,
            "events": events,
        },
    )
