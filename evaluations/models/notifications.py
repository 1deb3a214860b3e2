"""Notifications: what tells people that something waits for them (issue 14).

A Notification is one message to one person of one pemda: what happened (its kind), a
title and a text in the person's language, the page to act on, when, and whether it was
read and e-mailed. SentReminder records each reminder of the schedule once, so a
reminder run that repeats sends nothing twice. evaluations/notifications.py writes both.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opd.models import Pemda
from opd.querysets import TenantQuerySet


class NotificationQuerySet(TenantQuerySet):
    def visible_to(self, user):
        """A person's own notifications, never anyone else's (their administrator's
        neither): the tenancy rule, then the recipient."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return super().visible_to(user).filter(recipient=user)

    def editable_by(self, user):
        return self.visible_to(user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Self-assessment submitted")
        RETURNED = "returned", _("Self-assessment returned")
        APPEAL_FILED = "appeal_filed", _("Appeal filed")
        APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
        TEAM_PROPOSED = "team_proposed", _("SPBE team proposed")
        TEAM_DECIDED = "team_decided", _("SPBE team approved or returned")
        STAGE = "stage", _("Stage of the evaluation")
        DEADLINE = "deadline", _("Deadline reminder")
        CERTIFICATE = "certificate", _("Certificate expiring")

    class Mail(models.TextChoices):
        NONE = "none", _("No e-mail")
        PENDING = "pending", _("E-mail waiting")
        DIGEST = "digest", _("In the daily digest")
        SENT = "sent", _("E-mail sent")
        FAILED = "failed", _("E-mail failed")

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.CharField(_("e-mail"), max_length=10, choices=Mail.choices, default=Mail.NONE)
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["mail", "created"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class SentReminderQuerySet(TenantQuerySet):
    pass


class SentReminder(models.Model):
    """One reminder of the schedule, sent: `key` names what it was about and at which
    threshold (e.g. "mandiri:3:<assessment>"), unique, so it is sent once."""

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("reminder"), max_length=120)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = SentReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["key"], name="sent_reminder_once")]

    def __str__(self):
        return self.key
