"""Personal API tokens (`Authorization: Token <key>`, README "API"): one per account,
created (a new one replaces the old), shown once, revoked by the account itself on
/akun/token/ or by `manage.py create_api_token USERNAME`. The key is shown only when it
is created; afterwards the pages say only that a token exists and since when."""

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)


def token_of(user):
    """The account's token, or None."""
    return Token.objects.filter(user=user).first()


@transaction.atomic
def create_token(user):
    """A new token for the account (replacing its old one): the key, to be shown once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    logger.info("api token created for %s", user.get_username())
    return token.key


def revoke_token(user):
    """Revoke the account's token; True when there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("api token revoked for %s", user.get_username())
    return bool(deleted)
