"""The signed-in person's notifications (/notifikasi/) and own account page
(/akun/profil/: e-mail address, language, e-mail choices per kind of notification).

A person only ever reaches their own notifications (Notification.objects.visible_to):
anyone else's is a 404. The rules are in evaluations/notifications.py and
opd/services/profiles.py."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opd.forms import BootstrapMixin
from opd.models import Profile
from opd.services import profiles

from .. import notifications
from ..models import Notification

PAGE_SIZE = 30


@login_required
def notification_list(request):
    mine = Notification.objects.visible_to(request.user).select_related("pemda")
    show = "unread" if request.GET.get("tampil") == "belum" else "all"
    shown = mine.unread() if show == "unread" else mine
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "evaluations/notifications.html",
        {"page": page, "show": show, "unread": mine.unread().count()},
    )


def _safe_link(request, link):
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return None


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read; with `buka`, go on to the page it links to."""
    try:
        notifications.mark_read(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404("Not one of the user's notifications") from None
    if request.POST.get("buka"):
        notification = Notification.objects.visible_to(request.user).get(pk=pk)
        link = _safe_link(request, notification.link)
        if link:
            return redirect(link)
    return redirect(_safe_link(request, request.POST.get("next")) or "notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.mark_read(request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications")


class ProfileForm(BootstrapMixin, forms.Form):
    email = forms.CharField(label=gettext_lazy("E-mail"), required=False, max_length=254)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Profile.Language.choices)
    email_digest = forms.BooleanField(
        label=gettext_lazy("One e-mail a day (daily digest) instead of one e-mail each"),
        required=False,
    )
    email_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("E-mail me about"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Every notification is in the app; these also come by e-mail."),
    )


@login_required
def profile(request):
    user = request.user
    saved = profiles.profile_of(user)
    kinds = Notification.Kind.values
    initial = {
        "email": user.email,
        "language": saved.language,
        "email_digest": saved.email_digest,
        "email_kinds": [kind for kind in kinds if kind not in (saved.email_muted or [])],
    }
    form = ProfileForm(request.POST or None, initial=initial)
    # Only the kinds the person's role receives; the others keep their stored choice.
    offered = notifications.kinds_for(user)
    form.fields["email_kinds"].choices = [
        (kind, label) for kind, label in Notification.Kind.choices if kind in offered
    ]
    if not offered:
        del form.fields["email_kinds"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profiles.save_profile(
                user,
                data["email"],
                data["language"],
                data["email_digest"],
                [
                    kind
                    for kind in kinds
                    if (kind in offered and kind not in data.get("email_kinds", []))
                    or (kind not in offered and kind in (saved.email_muted or []))
                ],
                kinds,
                request=request,
            )
        except profiles.ProfileError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("profile")
    return render(
        request,
        "evaluations/profile.html",
        {"form": form, "email_enabled": settings.EMAIL_ENABLED},
        status=400 if form.errors else 200,
    )
