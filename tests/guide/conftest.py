import pytest
from django.core.management import call_command


@pytest.fixture
def guide(db):
    """The real guide, loaded from fixtures/guide.json as `make run` loads it."""
    call_command("load_guide", verbosity=0)
