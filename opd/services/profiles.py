"""A person's own settings (/akun/profil/): e-mail address, language, and how
notifications reach them by e-mail (per kind off, or one daily digest).

The language is kept on the profile and put into the session at login and on every
change (spbe_dashboard/language.py reads it there): an English browser still gets
Indonesian unless its user chose English.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from spbe_dashboard.language import SESSION_KEY

from ..models import Profile


class ProfileError(Exception):
    """A refused change of one's profile; the message is for the user."""


def profile_of(user):
    """The person's saved profile, or an unsaved one with the defaults (Indonesian, one
    e-mail per notification, nothing muted)."""
    try:
        return Profile.objects.get(user=user)
    except Profile.DoesNotExist:
        return Profile(user=user)


def muted_kinds(user):
    return set(profile_of(user).email_muted or [])


def remember_language(request, language):
    """The language for the rest of the session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language


def language_at_login(sender, request, user, **kwargs):
    """user_logged_in: the language the person chose, for the session (nothing when they
    never chose one: the language form's cookie or Indonesian then)."""
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if language:
        remember_language(request, language)


@transaction.atomic
def set_language(user, language, request=None):
    """The language form of the user menu: kept on the profile too."""
    if language not in Profile.Language.values:
        raise ProfileError(_("Choose Indonesian or English."))
    if getattr(user, "is_authenticated", False):
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    remember_language(request, language)


@transaction.atomic
def save_profile(user, email, language, digest, muted, known_kinds, request=None):
    """The person's own e-mail address, language and e-mail choices. `muted`: the
    notification kinds they want no e-mail for, among `known_kinds`."""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ProfileError(_("Enter a valid e-mail address.")) from None
    if len(email) > 254:
        raise ProfileError(_("Enter a valid e-mail address."))
    if language not in Profile.Language.values:
        raise ProfileError(_("Choose Indonesian or English."))
    unknown = set(muted) - set(known_kinds)
    if unknown:
        raise ProfileError(_("Unknown kind of notification."))
    account = get_user_model().objects.select_for_update().get(pk=user.pk)
    if account.email != email:
        account.email = email
        account.save(update_fields=["email"])
        user.email = email
    profile, _created = Profile.objects.update_or_create(
        user=user,
        defaults={
            "language": language,
            "email_digest": bool(digest),
            "email_muted": sorted(set(muted)),
        },
    )
    remember_language(request, language)
    return profile
