"""The deployment files, checked without a Docker engine: docker-compose.yml's services,
health checks and volumes, the Dockerfile's steps, the entry point, and .env.example
documenting every variable the settings read."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks_and_order():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:15"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("worker", "beat"):
        # After web is healthy, i.e. after its migrations.
        assert services[name]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert [services[n]["command"] for n in ("web", "worker", "beat")] == [
        ["web"],
        ["worker"],
        ["beat"],
    ]
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "."
        assert "media:/var/lib/spbe/media" in services[name]["volumes"]
        assert services[name]["env_file"] == [{"path": ".env", "required": True}]
        assert services[name]["environment"]["DATABASE_URL"].endswith(
            "@db:5432/${POSTGRES_DB:-spbe}"
        )


def test_compose_keeps_data_in_named_volumes():
    data = compose()
    assert set(data["volumes"]) == {"pgdata", "media", "redisdata"}
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]


def test_dockerfile_builds_a_non_root_gunicorn_image_with_chromium():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    for needed in ("chromium", "fonts-dejavu-core", "gettext"):
        assert needed in text
    assert "collectstatic --noinput" in text and "compilemessages" in text
    assert re.search(r"^USER spbe$", text, re.MULTILINE)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in text and 'CMD ["web"]' in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored and ".git" in ignored


def test_entrypoint_migrates_before_gunicorn_and_is_valid_shell():
    path = ROOT / "deploy" / "entrypoint.sh"
    assert subprocess.run(["sh", "-n", str(path)], capture_output=True).returncode == 0
    text = path.read_text()
    web = text[text.index("  web)") : text.index("  worker)")]
    assert web.index("migrate --noinput") < web.index("exec gunicorn")
    assert "DatabaseScheduler" in text
    assert path.stat().st_mode & 0o111


def test_env_example_documents_every_variable_the_settings_read():
    settings_text = (ROOT / "spbe_dashboard" / "settings.py").read_text()
    names = set(re.findall(r'(?:environ\.get|env_bool|env_list)\("([A-Z_0-9]+)"', settings_text))
    assert {"SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT", "AXES_FAILURE_LIMIT"} <= names
    gunicorn = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    names |= set(re.findall(r'environ\.get\("([A-Z_0-9]+)"', gunicorn))
    compose_text = (ROOT / "docker-compose.yml").read_text()
    names |= set(re.findall(r"\$\{([A-Z_0-9]+)", compose_text))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z_0-9]+)=", example, re.MULTILINE))
    assert sorted(names - documented) == []
    # No real secret in the example.
    assert re.search(r"^SECRET_KEY=$", example, re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)
