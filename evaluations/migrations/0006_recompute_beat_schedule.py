"""The recompute schedule, as django-celery-beat rows that admins can edit: a full
recompute every night at 01:00 (Asia/Makassar) and a sweep of stale assessments every
five minutes."""

from django.db import migrations

NIGHTLY = "Hitung ulang semua indeks (malam hari)"
SWEEP = "Hitung ulang asesmen yang usang"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="1",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Makassar",
    )
    every_5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NIGHTLY,
        defaults={
            "task": "evaluations.tasks.recompute_all_task",
            "crontab": nightly,
            "interval": None,
            "enabled": True,
            "description": "Hitung ulang indeks, zona, peringkat dan ringkasan semua periode.",
        },
    )
    PeriodicTask.objects.update_or_create(
        name=SWEEP,
        defaults={
            "task": "evaluations.tasks.sweep_stale_task",
            "interval": every_5,
            "crontab": None,
            "enabled": True,
            "description": "Hitung ulang periode yang memiliki asesmen bertanda usang.",
        },
    )
    # Tell a running beat that the schedule changed.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[NIGHTLY, SWEEP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0005_review_evidence_appeals_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
