"""Throttling of the API: every token has its own budget (API_THROTTLE_RATE, by default
1000 requests an hour), counted in the shared cache (Redis), so every web worker sees the
same count. A browser session counts per account. Over the budget: 429 with
Retry-After."""

import hashlib

from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        if isinstance(request.auth, Token):
            # The key itself never goes into the cache: a digest of it.
            ident = "t" + hashlib.sha256(request.auth.key.encode()).hexdigest()[:32]
        else:
            ident = f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
