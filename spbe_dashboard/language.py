"""The language of the pages: Indonesian unless the person chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English
browser would get an English UI. The product is Indonesian first: the language is the
one the signed-in person chose (kept on their profile, put into the session when they
log in or change it: opd/services/profiles.py), else the one chosen with the language
form (the cookie of Django's set_language), else Indonesian. The browser's own language
is never used.
"""

from django.conf import settings
from django.utils import translation

SESSION_KEY = "spbe_language"


def _supported(code):
    return code if code in dict(settings.LANGUAGES) else None


def chosen_language(request):
    session = getattr(request, "session", None)
    from_session = session.get(SESSION_KEY) if session is not None else None
    return (
        _supported(from_session)
        or _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        or settings.LANGUAGE_CODE
    )


class ChosenLanguageMiddleware:
    """In place of django.middleware.locale.LocaleMiddleware (after the sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
