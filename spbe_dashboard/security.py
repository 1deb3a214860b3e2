"""Content-Security-Policy header (Django 5.2 has none built in).

The policy is the CONTENT_SECURITY_POLICY setting, a dict of directive → sources. Pages
carry no inline script, no inline style and nothing from other origins, so the policy
needs no 'unsafe-inline'. CSP_REPORT_ONLY sends it as Content-Security-Policy-Report-Only.
"""

import codecs

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.http import parse_header_parameters

HEADER = "Content-Security-Policy"


def policy_text(policy):
    return "; ".join(
        " ".join([directive, *sources]) if sources else directive
        for directive, sources in policy.items()
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if not policy:
            return response
        header = HEADER + "-Report-Only" if settings.CSP_REPORT_ONLY else HEADER
        if header not in response:
            response[header] = policy_text(policy)
        return response


class InputSanityMiddleware:
    """Input that no page of ours can use is refused before a view or the database sees
    it, instead of failing deep inside with a 500:

    - a body or query in another charset than UTF-8 (a form POST declaring
      `charset=utf-16`, or a charset Python does not know): 400;
    - a NUL character, which PostgreSQL refuses in any text and no keyboard types: in
      the path 404 (no code contains one), in a query or form value or name, or in a
      cookie (the session key is looked up in the database): 400.

    It reads request.POST, which the CSRF check reads anyway, so it runs its checks in
    __call__, before any view (and before CsrfViewMiddleware.process_view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.check(request)
        return self.get_response(request)

    @staticmethod
    def check(request):
        _type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        charset = params.get("charset")
        if charset is not None:
            try:
                utf8 = codecs.lookup(charset).name == "utf-8"
            except LookupError:
                utf8 = False
            if not utf8:
                raise BadRequest("Only UTF-8 is accepted.")
        if "\x00" in request.path_info:
            raise Http404("No such page")
        data = [request.GET, request.COOKIES]
        if request.method == "POST":
            data.append(request.POST)
        for values in data:
            items = values.lists() if hasattr(values, "lists") else values.items()
            for name, value in items:
                texts = value if isinstance(value, list) else [value]
                if "\x00" in name or any("\x00" in text for text in texts):
                    raise BadRequest("NUL character in the request.")


def download_cache_control(get_response):
    """A response that hands out a file (evidence, certificates, reports, exports,
    templates: anything with Content-Disposition) is personal to the user's rights:
    `Cache-Control: private, no-store`, so no browser cache or proxy keeps a copy."""

    def middleware(request):
        response = get_response(request)
        if response.has_header("Content-Disposition"):
            response["Cache-Control"] = "private, no-store"
        return response

    return middleware


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): the login
    layout with a plain message, HTTP 429."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request):
    """The client's address for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

    Directly exposed, REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT reverse proxies that each
    append to X-Forwarded-For, the address the outermost of them saw; a client cannot
    forge it, since only entries our own proxies appended are read.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    return hops[-count]
