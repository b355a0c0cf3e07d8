"""The real guide as ``load_guide`` leaves it, loaded once per test run and copied after that.

``load_guide`` saves each item with its history, stored HTML and search vector: about a
thousand queries and two seconds, and a hundred tests start from the guide. The first test
that asks runs the command and keeps the rows it added, table by table, as JSON; later tests
insert those rows with one statement per table. Tests of the command itself call it.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection, transaction

_added: list[tuple[str, list[str]]] | None = None  # (table, the rows added, each as JSON)


def load_guide() -> None:
    """The guide in the test database, exactly as ``call_command("load_guide")`` leaves it."""
    global _added
    if _added is None:
        before = _rows()
        call_command("load_guide", verbosity=0)
        after = _rows()
        _added = []
        for table, rows in after.items():
            old = set(before.get(table, ()))
            # Rows the command changed rather than added could not be copied in: say so.
            assert old <= set(rows), f"load_guide changed rows that were there before in {table}"
            new = [row for row in rows if row not in old]
            if new:
                _added.append((table, new))
        return
    quote = connection.ops.quote_name
    # One transaction: foreign keys are checked when it ends, whatever the tables' order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in _added:
            cursor.execute(
                f"INSERT INTO {quote(table)} "
                f"SELECT * FROM json_populate_recordset(NULL::{quote(table)}, %s::json)",
                ["[" + ",".join(rows) + "]"],
            )


def _rows() -> dict[str, list[str]]:
    """Every table's rows, each as its JSON text, in the order the table holds them."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT row_to_json(t)::text FROM {quote(table)} AS t")
            rows[table] = [row for (row,) in cursor.fetchall()]
    return rows
