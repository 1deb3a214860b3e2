"""Content-Security-Policy header (Django 5.2 has none built in).

The policy is the CONTENT_SECURITY_POLICY setting, a dict of directive → sources. Pages
carry no inline script, no inline style and nothing from other origins, so the policy
needs no 'unsafe-inline'. CSP_REPORT_ONLY sends it as Content-Security-Policy-Report-Only.
"""

from django.conf import settings

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
