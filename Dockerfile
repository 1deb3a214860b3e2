# SPBE Dashboard: one image for the web app (gunicorn), the Celery worker and Celery beat.
#   docker compose build        (see docker-compose.yml and README.md, "Deployment")
# The entry point (deploy/entrypoint.sh) takes the role as its argument: web | worker | beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=spbe_dashboard.settings \
    CHROMIUM=/usr/bin/chromium \
    MEDIA_ROOT=/var/lib/spbe/media

# Debian's chromium prints the PDF reports (through Playwright, no downloaded browser);
# DejaVu fonts for their text; gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 spbe \
    && useradd --system --uid 1000 --gid spbe --create-home --home-dir /home/spbe spbe

WORKDIR /app

# Dependencies first, in their own layer: a code change does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p spbe_dashboard opd evaluations \
    && touch spbe_dashboard/__init__.py opd/__init__.py evaluations/__init__.py \
    && pip install . \
    && pip uninstall -y spbe-dashboard \
    && rm -rf spbe_dashboard opd evaluations build *.egg-info

COPY . .
RUN pip install --no-deps . \
    && chmod +x deploy/entrypoint.sh

# Translations and static files are built into the image (whitenoise serves the latter,
# compressed and with hashed names). The settings need a key to load: a throw-away one.
RUN SECRET_KEY=build-only-not-a-secret DATABASE_URL=sqlite://:memory: REDIS_URL= \
        python manage.py compilemessages --ignore=.venv \
    && SECRET_KEY=build-only-not-a-secret DATABASE_URL=sqlite://:memory: REDIS_URL= \
        python manage.py collectstatic --noinput \
    && mkdir -p /var/lib/spbe/media \
    && chown -R spbe:spbe /var/lib/spbe

USER spbe

EXPOSE 8000
VOLUME ["/var/lib/spbe/media"]

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
