"""`make run`'s stack (scripts/serve.py): gunicorn and the task worker start and stop together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.tasks import send_email
from tests.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = cmdline.decode()
        except (OSError, IndexError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Stack:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process, self.port = process, port

    def web(self) -> int:
        return next(pid for pid, cmd in children(self.process.pid).items() if "gunicorn" in cmd)

    def worker(self) -> int:
        return next(pid for pid, cmd in children(self.process.pid).items() if "db_worker" in cmd)


@pytest.fixture
def stack(settings, real_task_queue, smtp_server) -> Iterator[Stack]:
    port = free_port()
    env = {**real_task_queue.env(), "PORT": str(port), "WEB_CONCURRENCY": "1", "DEBUG": "0"}
    process = subprocess.Popen(
        [sys.executable, "scripts/serve.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served = Stack(process, port)
    try:
        assert wait_for(lambda: healthy(port)), "the site never answered"
        assert wait_for(lambda: any("db_worker" in c for c in children(process.pid).values()))
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def test_the_stack_serves_pages_and_sends_queued_mail(stack, smtp_server):
    send_email.enqueue(to=["reader@example.com"], subject="A note", body="Hello.")

    assert wait_for(lambda: smtp_server.messages), "the worker beside gunicorn sent nothing"
    assert smtp_server.messages[0]["Subject"] == "A note"


def test_the_worker_stops_when_gunicorn_exits(stack):
    worker = stack.worker()

    os.kill(stack.web(), signal.SIGTERM)

    assert stack.process.wait(timeout=60) == 0
    assert not alive(worker)


def test_ctrl_c_stops_gunicorn_and_the_worker(stack):
    web, worker = stack.web(), stack.worker()

    stack.process.send_signal(signal.SIGINT)

    assert stack.process.wait(timeout=60) == 0
    assert not alive(web)
    assert not alive(worker)
