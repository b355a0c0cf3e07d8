"""The guide the suite copies in is, row for row, the one ``load_guide`` wrote."""

from __future__ import annotations

import pytest
from django.db import transaction

from guide.models import Section
from tests import guide_snapshot


class Undo(Exception):
    pass


@pytest.mark.django_db
def test_the_copied_guide_is_row_for_row_what_load_guide_wrote():
    with pytest.raises(Undo), transaction.atomic():
        guide_snapshot.load_guide()  # the run's first: the command itself, then kept
        raise Undo
    assert not Section.objects.exists()

    guide_snapshot.load_guide()  # copied in

    tables = guide_snapshot._rows()
    for table, written in guide_snapshot._added:
        assert sorted(tables[table]) == sorted(written), table
    assert Section.objects.published().count() == 11  # a real guide, stored HTML and all
    sections = Section.objects.all()
    assert all(section.search_vector for section in sections)
    assert all(section.body_html for section in sections if section.body)
