"""The accounts of a pemda's people, kept by its Kominfo administrator: create, change
(name, e-mail, role and OPD), deactivate and activate again, set a password or send a
reset link (when e-mail is set up), unlock a login locked by too many failures.

Every step is for the administrator of the account's own pemda (`administers`); an
account of another pemda, a superuser's or one without a role is never reached (the
views answer 404). Each step runs in one transaction, refuses with an `AccountError`
whose message is for the user, and records a RegistryEvent.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import OPD, Membership, RegistryEvent
from ..permissions import administers
from ..roles import OPD_ROLES, Role
from .registry import record

Action = RegistryEvent.Action


class AccountError(Exception):
    """A refused change of an account; the message is for the user."""


@dataclass(frozen=True)
class AccountData:
    """What the administrator typed for an account."""

    first_name: str
    last_name: str
    email: str
    role: str
    opd: OPD | None = None


def email_enabled():
    """Can the installation send e-mail (settings.EMAIL_ENABLED, from the environment)?"""
    return bool(getattr(settings, "EMAIL_ENABLED", False))


def pemda_accounts(pemda):
    """The accounts of the pemda's people: those holding a role in it, never a superuser."""
    return (
        get_user_model()
        .objects.filter(membership__pemda=pemda, is_superuser=False)
        .select_related("membership__opd")
        .order_by("username")
    )


def locked_usernames(usernames):
    """Which of these usernames are locked out of logging in right now (django-axes:
    enough failures within the cool-off time)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def _check_admin(user, pemda):
    if not administers(user, pemda):
        raise Membership.DoesNotExist("Not the administrator of this pemda")


def _locked_account(user, account):
    membership = Membership.objects.select_related("pemda").get(user=account)
    _check_admin(user, membership.pemda)
    if account.is_superuser and not user.is_superuser:
        raise Membership.DoesNotExist("A superuser's account")
    account = get_user_model().objects.select_for_update().get(pk=account.pk)
    return account, membership


def _clean(pemda, data):
    """The typed account data, checked: a known role, its OPD for the OPD roles (one of
    the pemda's active OPDs), none for the others, a valid e-mail address."""
    if data.role not in Role.values:
        raise AccountError(_("Choose a role."))
    opd = data.opd
    if data.role in OPD_ROLES:
        if opd is None:
            raise AccountError(_("The head and the operator of an OPD need their OPD."))
        if opd.pemda_id != pemda.pk:
            raise OPD.DoesNotExist("Another pemda's OPD")
        if not opd.is_active_in(timezone.localdate().year):
            raise AccountError(_("%(opd)s is no longer active.") % {"opd": opd.nama})
    else:
        opd = None
    email = data.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountError(_("Enter a valid e-mail address.")) from None
    return AccountData(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=email,
        role=data.role,
        opd=opd,
    )


def _check_password(password, account):
    try:
        password_validation.validate_password(password, user=account)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None


@transaction.atomic
def create_account(user, pemda, username, data, password=None, request=None):
    """A new account with its role in `pemda`. With `password` the person can log in at
    once; without one (e-mail set up) they get a link to set it (`request` builds it)."""
    _check_admin(user, pemda)
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise AccountError(
            _("A username has letters, digits and . @ + - _ only, without spaces.")
        ) from None
    User = get_user_model()
    if not username or User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("This username is already taken: choose another."))
    data = _clean(pemda, data)
    account = User(
        username=username,
        first_name=data.first_name,
        last_name=data.last_name,
        email=data.email,
    )
    if password:
        _check_password(password, account)
        account.set_password(password)
    elif not (email_enabled() and data.email):
        raise AccountError(_("Set a password: e-mail is not set up, so no reset link can be sent."))
    else:
        account.set_unusable_password()
    account.save()
    Membership.objects.create(user=account, pemda=pemda, role=data.role, opd=data.opd)
    record(
        user,
        pemda,
        Action.ACCOUNT_CREATED,
        opd=data.opd,
        account=account,
        field="role",
        new=data.role,
    )
    if not password:
        send_reset_link(user, account, request)
    return account


@transaction.atomic
def change_account(user, account, data):
    """Change an account's name, e-mail, role and OPD; each change is recorded. An
    administrator does not change their own role (nobody could undo it)."""
    account, membership = _locked_account(user, account)
    data = _clean(membership.pemda, data)
    if account.pk == user.pk and (data.role, data.opd) != (membership.role, membership.opd):
        raise AccountError(_("You cannot change your own role: ask another administrator."))
    changes = [
        (name, getattr(account, name), getattr(data, name))
        for name in ("first_name", "last_name", "email")
        if getattr(account, name) != getattr(data, name)
    ]
    for name, _old, new in changes:
        setattr(account, name, new)
    if changes:
        account.save(update_fields=[name for name, _old, _new in changes])
    if membership.role != data.role:
        changes.append(("role", membership.role, data.role))
    if membership.opd != data.opd:
        changes.append(("opd", membership.opd or "", data.opd or ""))
    membership.role, membership.opd = data.role, data.opd
    membership.full_clean()
    membership.save()
    for name, old, new in changes:
        record(
            user,
            membership.pemda,
            Action.ACCOUNT_CHANGED,
            opd=data.opd,
            account=account,
            field=name,
            old=old,
            new=new,
        )
    return account


@transaction.atomic
def set_active(user, account, active, reason=""):
    """Deactivate an account (the person can no longer log in; their history stays) or
    activate it again."""
    account, membership = _locked_account(user, account)
    if account.pk == user.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    if account.is_active == active:
        return account
    account.is_active = active
    account.save(update_fields=["is_active"])
    action = Action.ACCOUNT_ACTIVATED if active else Action.ACCOUNT_DEACTIVATED
    record(user, membership.pemda, action, opd=membership.opd, account=account, reason=reason)
    return account


@transaction.atomic
def set_password(user, account, password):
    """The administrator sets a new password (e.g. one the person forgot)."""
    account, membership = _locked_account(user, account)
    _check_password(password, account)
    account.set_password(password)
    account.save(update_fields=["password"])
    record(user, membership.pemda, Action.PASSWORD_SET, opd=membership.opd, account=account)
    return account


@transaction.atomic
def unlock(user, account):
    """Clear the failed logins that lock the account out (django-axes), from every
    address; returns how many records were cleared."""
    from axes.utils import reset

    account, membership = _locked_account(user, account)
    cleared = reset(username=account.username)
    record(
        user,
        membership.pemda,
        Action.UNLOCKED,
        opd=membership.opd,
        account=account,
        field="attempts",
        new=cleared,
    )
    return cleared


class _OneAccountResetForm(PasswordResetForm):
    """Django's reset e-mail, for exactly one account (Django's own form would mail
    every account with that address, whichever pemda it belongs to)."""

    def __init__(self, account):
        super().__init__(data={"email": account.email})
        self.account = account

    def get_users(self, email):
        return [self.account] if self.account.is_active else []


@transaction.atomic
def send_reset_link(user, account, request):
    """Mail the account a link to set its password (Django's password reset)."""
    account, membership = _locked_account(user, account)
    if not email_enabled():
        raise AccountError(_("E-mail is not set up on this installation: set a password instead."))
    if not account.email:
        raise AccountError(_("The account has no e-mail address."))
    if not account.is_active:
        raise AccountError(_("The account is deactivated."))
    form = _OneAccountResetForm(account)
    form.is_valid()
    form.save(request=request, use_https=request.is_secure())
    record(user, membership.pemda, Action.RESET_LINK_SENT, opd=membership.opd, account=account)
    return account
