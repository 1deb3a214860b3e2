"""The people of a pemda (/pemda/<kode>/pengguna/): its Kominfo administrator lists the
accounts of its own pemda, creates them, changes their role and OPD, deactivates them,
sets a password or sends a reset link, and unlocks a locked-out login.

Only the administrator of the pemda itself (or a superuser) reaches these pages; anyone
else, a province's administrator on its kabupaten/kota included, gets a 404. An account
of another pemda, a superuser's or one without a role is a 404 too. The rules are in
opd/services/accounts.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import AccountForm, NewAccountForm, PasswordForm
from .models import OPD, Membership, RegistryEvent
from .permissions import administered_pemda_or_404
from .services import accounts
from .services.registry import describe


def _not_found(error):
    """What the services raise for an account or OPD the user may not reach."""
    raise Http404(str(error)) from error


NOT_REACHED = (Membership.DoesNotExist, OPD.DoesNotExist, get_user_model().DoesNotExist)


@login_required
def people(request, pemda):
    pemda = administered_pemda_or_404(request.user, pemda)
    people = list(accounts.pemda_accounts(pemda))
    locked = accounts.locked_usernames(person.username for person in people)
    for person in people:
        person.locked = person.username in locked
    return render(
        request,
        "opd/people.html",
        {"pemda": pemda, "people": people, "email_enabled": accounts.email_enabled()},
    )


@login_required
def account_create(request, pemda):
    pemda = administered_pemda_or_404(request.user, pemda)
    form = NewAccountForm(request.POST or None, pemda=pemda)
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts.create_account(
                request.user,
                pemda,
                form.cleaned_data["username"],
                form.data_for_service(),
                form.cleaned_data["password1"] or None,
                request=request,
            )
        except NOT_REACHED as error:
            _not_found(error)
        except accounts.AccountError as error:
            form.add_error(None, str(error))
        else:
            if form.cleaned_data["password1"]:
                message = _("The account %(username)s has been created.")
            else:
                message = _(
                    "The account %(username)s has been created; a link to set its password "
                    "was sent to %(email)s."
                )
            messages.success(
                request, message % {"username": account.username, "email": account.email}
            )
            return redirect("account", pemda.kode, account.pk)
    return render(
        request,
        "opd/account_new.html",
        {"pemda": pemda, "form": form, "email_enabled": accounts.email_enabled()},
    )


# POST action= on the account page, and what each one does.
ACTIONS = {"save", "password", "deactivate", "activate", "unlock", "reset_link"}


@login_required
def account(request, pemda, account_id):
    pemda = administered_pemda_or_404(request.user, pemda)
    account = get_object_or_404(accounts.pemda_accounts(pemda), pk=account_id)
    form = AccountForm(initial=AccountForm.initial_for(account), pemda=pemda)
    password_form = PasswordForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS:
            raise Http404("Unknown action")
        try:
            if action == "save":
                form = AccountForm(request.POST, pemda=pemda)
                if form.is_valid():
                    accounts.change_account(request.user, account, form.data_for_service())
                    messages.success(request, _("The account has been saved."))
                    return redirect("account", pemda.kode, account.pk)
            elif action == "password":
                password_form = PasswordForm(request.POST)
                if password_form.is_valid():
                    accounts.set_password(
                        request.user, account, password_form.cleaned_data["password1"]
                    )
                    messages.success(request, _("The new password has been set."))
                    return redirect("account", pemda.kode, account.pk)
            else:
                _simple_action(request, action, account)
                return redirect("account", pemda.kode, account.pk)
        except NOT_REACHED as error:
            _not_found(error)
        except accounts.AccountError as error:
            target = password_form if action == "password" else form
            target.add_error(None, str(error))
    locked = account.username in accounts.locked_usernames([account.username])
    events = [
        describe(event)
        for event in RegistryEvent.objects.filter(pemda=pemda, account=account).select_related(
            "user"
        )[:50]
    ]
    return render(
        request,
        "opd/account.html",
        {
            "pemda": pemda,
            "account": account,
            "form": form,
            "password_form": password_form,
            "locked": locked,
            "events": events,
            "email_enabled": accounts.email_enabled(),
            "is_self": account.pk == request.user.pk,
        },
    )


def _simple_action(request, action, account):
    """The one-button actions; an AccountError comes back as a message."""
    user = request.user
    try:
        if action == "unlock":
            accounts.unlock(user, account)
            messages.success(
                request,
                _("The login of %(username)s is unlocked.") % {"username": account.username},
            )
        elif action == "reset_link":
            accounts.send_reset_link(user, account, request)
            messages.success(
                request,
                _("A link to set the password was sent to %(email)s.") % {"email": account.email},
            )
        else:
            active = action == "activate"
            accounts.set_active(user, account, active, request.POST.get("alasan", ""))
            messages.success(
                request,
                _("The account is active again.") if active else _("The account is deactivated."),
            )
    except accounts.AccountError as error:
        messages.error(request, str(error))


# --- "Lupa kata sandi" on the login page: Django's password reset --------------------


class ForgotPasswordView(auth_views.PasswordResetView):
    """Django's password reset, when the installation can send e-mail; otherwise the
    page says so and sends the person to their Kominfo administrator (no form)."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(email_enabled=accounts.email_enabled(), **kwargs)

    def post(self, request, *args, **kwargs):
        if not accounts.email_enabled():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)


class NewPasswordView(auth_views.PasswordResetConfirmView):
    """Setting the password from the e-mailed link also lifts a lockout of failed
    logins: the person has proved who they are."""

    def form_valid(self, form):
        from axes.utils import reset

        reset(username=form.user.get_username())
        return super().form_valid(form)


def set_language(request):
    """The language form of the user menu: Django's set_language (the cookie, the
    redirect), and for a signed-in person the choice kept on their profile too, so it
    follows them to any browser (opd/services/profiles.py)."""
    from django.views.i18n import set_language as django_set_language

    from .services import profiles

    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and language in dict(settings.LANGUAGES):
        profiles.set_language(request.user, language, request)
    return response
