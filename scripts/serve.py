#!/usr/bin/env python
"""Serve the site as `make run` does: gunicorn and the task worker, started and stopped together.

gunicorn answers requests; `manage.py db_worker` sends the mail and does the other work that
requests queue. Ctrl+C (or SIGTERM, SIGHUP) stops both. When gunicorn exits for any reason, the
worker is stopped too and this script exits with gunicorn's status. When the worker exits on
its own (it does when the database goes away), it is started again after a short pause, so mail
resumes once the database is back. If this script is killed outright, the kernel stops both
children (Linux's parent-death signal).

Run from the project root with the environment `make run` sets; extra arguments go to db_worker.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi"]
WORKER = [sys.executable, "manage.py", "db_worker", "--no-reload"]
STOP_WAIT = 25  # seconds; gunicorn's graceful_timeout is 20
RESTART_PAUSES = (1, 2, 5, 10, 30)  # seconds before starting a worker that exited again
STEADY_AFTER = 60  # a worker that ran this long starts again after the shortest pause

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGTERM when this supervisor dies, however it dies (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def start(command: list[str]) -> subprocess.Popen:
    # Own process group: Ctrl+C reaches this script only, which then stops each child in order.
    return subprocess.Popen(command, cwd=ROOT, process_group=0, preexec_fn=_die_with_parent)


def stop(*processes: subprocess.Popen | None) -> None:
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def say(message: str) -> None:
    print(f"[serve] {message}", file=sys.stderr, flush=True)


def main(worker_args: list[str]) -> int:
    stopping = False

    def request_stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)

    web = start(GUNICORN)
    worker = start([*WORKER, *worker_args])
    worker_started, restarts = time.monotonic(), 0
    restart_at: float | None = None
    try:
        while not stopping:
            if (status := web.poll()) is not None:
                say(f"gunicorn exited ({status}); stopping the task worker.")
                return status
            if restart_at is None and (status := worker.poll()) is not None:
                if time.monotonic() - worker_started >= STEADY_AFTER:
                    restarts = 0
                pause = RESTART_PAUSES[min(restarts, len(RESTART_PAUSES) - 1)]
                say(f"the task worker exited ({status}); starting it again in {pause} s.")
                restart_at, restarts = time.monotonic() + pause, restarts + 1
            if restart_at is not None and time.monotonic() >= restart_at:
                worker = start([*WORKER, *worker_args])
                worker_started, restart_at = time.monotonic(), None
            time.sleep(0.2)
        return 0
    finally:
        stop(web, worker)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
