"""gunicorn settings; every value can be overridden from the environment."""

import os

_default_bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
bind = os.environ.get("GUNICORN_BIND", _default_bind)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
# No access log unless asked for (GUNICORN_ACCESS_LOG=1): it would record every reader's
# address, browser and pages read, which the privacy page says we do not keep.
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "").strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
accesslog = "-" if _access_log else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27 opens a control socket under ~/.gunicorn by default; the app needs none.
control_socket_disable = True
