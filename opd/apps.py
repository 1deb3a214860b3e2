from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class OpdConfig(AppConfig):
    name = "opd"
    verbose_name = _("Regional governments and OPDs")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .models import Pemda
        from .services.profiles import language_at_login

        # Every pemda has its team roles from the start, so pages only ever read them.
        post_save.connect(_default_team_roles, sender=Pemda, dispatch_uid="pemda-team-roles")
        # The language the person chose follows them from browser to browser.
        user_logged_in.connect(language_at_login, dispatch_uid="profile-language")


def _default_team_roles(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services.teams import ensure_default_roles

        ensure_default_roles(instance)
