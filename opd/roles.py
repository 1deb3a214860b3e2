from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN_KOMINFO = "admin_kominfo", _("Kominfo administrator")
    EVALUATOR = "evaluator", _("Evaluator")
    PIMPINAN = "pimpinan", _("Leadership (Sekda/Sekprov)")
    KEPALA_OPD = "kepala_opd", _("Head of OPD")
    OPERATOR_OPD = "operator_opd", _("OPD operator")


# Roles tied to one OPD: they see and change only that OPD's rows.
OPD_ROLES = frozenset({Role.KEPALA_OPD, Role.OPERATOR_OPD})
# Roles of the pemda's own staff, who work across all its OPDs.
PEMDA_STAFF_ROLES = frozenset({Role.ADMIN_KOMINFO, Role.EVALUATOR, Role.PIMPINAN})
