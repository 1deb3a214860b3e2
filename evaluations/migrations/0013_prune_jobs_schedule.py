"""A nightly prune of old recompute job records (evaluations.jobs.prune), as a
django-celery-beat row that admins can edit like the other schedules."""

from django.db import migrations

PRUNE = "Hapus catatan pekerjaan lama"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Makassar",
    )
    PeriodicTask.objects.update_or_create(
        name=PRUNE,
        defaults={
            "task": "evaluations.tasks.prune_jobs_task",
            "crontab": nightly,
            "interval": None,
            "enabled": True,
            "description": (
                "Hapus catatan hitung ulang yang selesai lebih dari 30 hari lalu (yang gagal: "
                "90 hari). Catatan laporan tidak dihapus."
            ),
        },
    )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PRUNE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0012_assessment_revisi"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
