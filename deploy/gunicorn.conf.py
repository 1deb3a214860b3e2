"""gunicorn settings for the web container (and the no-Docker stack test).

Every value can be changed through the environment without rebuilding the image.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two to four workers per core is gunicorn's advice; 3 suits a small 2-core server.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# Trust X-Forwarded-* only from these addresses (the reverse proxy), comma-separated.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Temporary files of workers in memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
