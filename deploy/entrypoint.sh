#!/bin/sh
# Entry point of the spbe-dashboard image.
#   web     (default) wait for the database, apply migrations, start gunicorn
#   worker  Celery worker
#   beat    Celery beat with the schedules stored in the database (django-celery-beat)
#   anything else is run as given, e.g. `python manage.py createsuperuser`
set -eu

wait_for_database() {
  python - <<'PY'
import sys, time
import django
django.setup()
from django.db import connection
for attempt in range(60):
    try:
        connection.ensure_connection()
        break
    except Exception as error:
        print(f"waiting for the database: {error}", file=sys.stderr)
        time.sleep(2)
else:
    sys.exit("the database did not answer within 2 minutes")
PY
}

command="${1:-web}"
case "$command" in
  web)
    shift || true
    wait_for_database
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
      python manage.py migrate --noinput
    fi
    exec gunicorn spbe_dashboard.wsgi:application --config deploy/gunicorn.conf.py "$@"
    ;;
  worker)
    shift
    wait_for_database
    exec celery -A spbe_dashboard worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency="${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    shift
    wait_for_database
    exec celery -A spbe_dashboard beat --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
      --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile= "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
