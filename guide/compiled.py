"""Querysets built and compiled to SQL once per process, then run with each request's value.

Building a queryset and compiling it costs several times more than running it on the few
rows a page reads, and a page asks the same few questions on every request. A
:class:`Compiled` query is the queryset's own SQL, kept; :data:`VALUE` stands in for the one
value that changes between requests (a slug, say), and :meth:`Compiled.rows` runs it with
the request's value as ordinary model instances (``Model.objects.raw``), annotations as
attributes. The queryset stays the one source of the query: change it and the SQL follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model, QuerySet

# Stand in for the request's value when the queryset is built: a slug or text, or an id.
VALUE = "\u27eacompiled-value\u27eb"
ID = -4_815_162_342
# filter(pk__in=IDS): stands in for a list of ids, sent as one array (``= ANY(%s)``).
IDS = (ID,)
# A filter on a window wraps the query, which then names its columns col1, col2…
_ALIASED_COLUMN = re.compile(r'"\w+"\."(\w+)" AS "(col\d+)"')


@dataclass(frozen=True)
class Compiled:
    model: type[Model]
    sql: str
    params: tuple
    translations: dict[str, str]
    # Annotations whose values the database driver doesn't give as Python values (SQLite's
    # dates are text): each with the converters the ORM would apply, and its expression.
    converted: tuple = ()
    # The same for each selected column, by position, for :meth:`tuples`.
    column_converters: tuple = ()

    @classmethod
    def of(cls, queryset: QuerySet) -> Compiled:
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        translations = {alias: name for name, alias in _ALIASED_COLUMN.findall(sql)}
        converted = []
        for alias, expression in queryset.query.annotations.items():
            converters = connection.ops.get_db_converters(
                expression
            ) + expression.get_db_converters(connection)
            if converters:
                converted.append((alias, expression, converters))
        return cls(
            queryset.model,
            _any_for_ids(sql, params),
            tuple(params),
            translations,
            tuple(converted),
            tuple(compiler.get_converters(columns).items()),
        )

    def _params(self, value: object, ids: list[int] | None) -> list:
        def given(param: object) -> object:
            if param == ID and ids is not None:
                return ids
            return value if param in (VALUE, ID) else param

        return [given(param) for param in self.params]

    def rows(self, value: object = None, *, ids: list[int] | None = None) -> list:
        """The rows for ``value`` (in place of VALUE or ID) and ``ids`` (in place of IDS)."""
        params = self._params(value, ids)
        rows = list(self.model.objects.raw(self.sql, params, translations=self.translations))
        for alias, expression, converters in self.converted:
            for row in rows:
                value = getattr(row, alias)
                for converter in converters:
                    value = converter(value, expression, connection)
                setattr(row, alias, value)
        return rows

    def tuples(self, value: object = None, *, ids: list[int] | None = None) -> list[tuple]:
        """:meth:`rows` of a ``values_list()`` queryset, as its tuples: a page showing many
        rows of a few columns needs no model instance for each."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self._params(value, ids))
            rows = cursor.fetchall()
        if not self.column_converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (converters, expression) in self.column_converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


def _any_for_ids(sql: str, params) -> str:
    """``IN (%s)`` holding :data:`IDS` becomes ``= ANY(%s)``: one array of any length."""
    pieces = sql.split("%s")
    for index, param in enumerate(params):
        if param == ID and pieces[index].endswith(" IN (") and pieces[index + 1].startswith(")"):
            pieces[index] = pieces[index].removesuffix(" IN (") + " = ANY("
    return "%s".join(pieces)


def compiled(build: Callable[..., QuerySet]) -> Callable[..., Compiled]:
    """Decorate a function that builds a queryset from a few hashable arguments (whether the
    reader sees drafts, say): each set of arguments is built and compiled once."""
    cache: dict[tuple, Compiled] = {}

    def get(*args) -> Compiled:
        found = cache.get(args)
        if found is None:
            found = cache[args] = Compiled.of(build(*args))
        return found

    get.__doc__ = build.__doc__
    get.__wrapped__ = build  # the queryset itself, to build on
    return get
