"""Run the nginx front (config/nginx/) as a plain local process: for its tests and the bench.

Compose runs the same template in nginx's official image, which fills it from the
environment; here :func:`site_config` fills it the same way, and :class:`NginxFront` starts
nginx with a small main config around it, on a free port, and stops it.
"""

from __future__ import annotations

import os
import shutil
import socket
import string
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

NGINX_DIR = Path(__file__).resolve().parent / "nginx"
TEMPLATE = NGINX_DIR / "securebase.conf.template"
INSTALL_HINT = "nginx is not installed: apt-get install -y nginx"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_config(*, upstream: str, listen: str, static_root: Path, cache_dir: Path) -> str:
    """The template as nginx's image fills it: only our ${…} names, nginx's own $vars kept."""
    return string.Template(TEMPLATE.read_text()).safe_substitute(
        UPSTREAM=upstream,
        LISTEN=listen,
        STATIC_ROOT=str(static_root),
        CACHE_DIR=str(cache_dir),
        NGINX_CONF_DIR=str(NGINX_DIR),
    )


class NginxFront:
    """nginx in front of ``upstream`` ("127.0.0.1:PORT"), with optional extra server blocks
    (the bench serves a page's HTML as a file beside it)."""

    def __init__(self, upstream: str, *, static_root: Path, workdir: Path, extra: str = "") -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError(INSTALL_HINT)
        self.binary = binary
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        site = site_config(
            upstream=upstream,
            listen=f"127.0.0.1:{self.port}",
            static_root=static_root,
            cache_dir=workdir / "cache",
        )
        temp = "\n".join(
            f"    {kind}_temp_path {workdir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        (workdir / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 2;\npid {workdir / 'nginx.pid'};\n"
            f"error_log {workdir / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            "    access_log off;\n    sendfile on;\n    tcp_nopush on;\n"
            f"{temp}\n{site}\n{extra}\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> NginxFront:
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            if self.process.poll() is not None:
                log = (self.workdir / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx did not start: {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def get(self, path: str, headers: dict | None = None):
        """(status, headers, body) through the front; errors are answers, not exceptions."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
