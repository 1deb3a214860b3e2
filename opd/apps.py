from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpdConfig(AppConfig):
    name = "opd"
    verbose_name = _("Regional governments and OPDs")
