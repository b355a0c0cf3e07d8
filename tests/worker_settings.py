"""Settings for a task worker that a test starts (``real_task_queue`` in tests/conftest.py): the
test settings with the database queue, and the mailers the test set up, passed in the
environment as JSON."""

import json
import os

from tests.settings import *

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if os.environ.get("TEST_WORKER_MAILERS"):
    MAILERS = json.loads(os.environ["TEST_WORKER_MAILERS"])
