"""Querysets built and compiled to SQL once per process, then run with each request's value.

Building a queryset and compiling it costs several times more than running it on the few
rows a page reads, and a page asks the same few questions on every request. A
:class:`Compiled` query is the queryset's own SQL, kept; :data:`VALUE` stands in for the one
value that changes between requests (a slug, say), and :meth:`Compiled.rows` runs it with
the request's value as ordinary model instances (as ``Model.objects.raw`` makes them, with
the column-to-field work done once), annotations as attributes. The queryset stays the one
source of the query: change it and the SQL follows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import DEFAULT_FETCH_MODE

# Stand in for the request's value when the queryset is built: a slug or text, or an id.
VALUE = "\u27eacompiled-value\u27eb"
ID = -4_815_162_342
# filter(pk__in=IDS): stands in for a list of ids, sent as one array (``= ANY(%s)``).
IDS = (ID,)
# filter(expires__gt=AT): stands in for a moment given with each run (now, say).
AT = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
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
    # AT as the database backend sends it (SQLite's moments are text).
    at: object = None
    # Where a database without arrays (SQLite) takes IDS: each ``IN (%s)``, by parameter.
    id_lists: frozenset = frozenset()
    # How a row's columns become a model instance, worked out on the first run.
    _plan: list = field(default_factory=list, compare=False, repr=False)

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
        id_lists = _id_lists(sql, params)
        if connection.vendor == "postgresql":  # ids go as one array
            sql, id_lists = _any_for_ids(sql, id_lists), frozenset()
        return cls(
            queryset.model,
            sql,
            tuple(params),
            translations,
            tuple(converted),
            tuple(compiler.get_converters(columns).items()),
            connection.ops.adapt_datetimefield_value(AT),
            id_lists,
        )

    def _statement(
        self, value: object, ids: list[int] | None, at: datetime | None = None
    ) -> tuple[str, list]:
        def given(param: object) -> object:
            if param == ID and ids is not None:
                return ids
            if param == self.at and at is not None:
                return connection.ops.adapt_datetimefield_value(at)
            return value if param in (VALUE, ID) else param

        params = [given(param) for param in self.params]
        if ids is None or not self.id_lists:
            return self.sql, params
        # One placeholder for each id where the database takes no array.
        pieces = self.sql.split("%s")
        sql, flat = [pieces[0]], []
        for index, param in enumerate(params):
            if index in self.id_lists:
                sql.append(", ".join(["%s"] * len(param)))
                flat.extend(param)
            else:
                sql.append("%s")
                flat.append(param)
            sql.append(pieces[index + 1])
        return "".join(sql), flat

    def rows(self, value: object = None, *, ids: list[int] | None = None) -> list:
        """The rows for ``value`` (in place of VALUE or ID) and ``ids`` (in place of IDS)."""
        with connection.cursor() as cursor:
            cursor.execute(*self._statement(value, ids))
            if not self._plan:  # the same SQL always answers with the same columns
                to_column = connection.introspection.identifier_converter
                columns = [to_column(column[0]) for column in cursor.description]
                self._plan.append(_Plan.of(self, [self.translations.get(c, c) for c in columns]))
            records = cursor.fetchall()
        plan = self._plan[0]
        rows = [plan.instance(record) for record in records]
        for alias, expression, converters in self.converted:
            for row in rows:
                value = getattr(row, alias)
                for converter in converters:
                    value = converter(value, expression, connection)
                setattr(row, alias, value)
        return rows

    def tuples(
        self, value: object = None, *, ids: list[int] | None = None, at: datetime | None = None
    ) -> list[tuple]:
        """:meth:`rows` of a ``values_list()`` queryset, as its tuples (``at`` in place of
        AT): a page showing many rows of a few columns needs no model instance for each."""
        with connection.cursor() as cursor:
            cursor.execute(*self._statement(value, ids, at))
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


@dataclass(frozen=True)
class _Plan:
    """What ``Model.objects.raw`` works out on every call, worked out once: which columns are
    the model's fields (by attname, in order), which are annotations, and the converters the
    ORM applies to each column's value. Rows then become instances as ``raw`` makes them."""

    model: type[Model]
    names: tuple[str, ...]
    positions: tuple[int, ...]
    annotations: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple, object], ...]

    @classmethod
    def of(cls, compiled: Compiled, columns: list[str]) -> _Plan:
        to_column = connection.introspection.identifier_converter
        model = compiled.model
        model_fields = {to_column(f.column): f for f in model._meta.fields if f.column}
        init_fields = [f for column, f in model_fields.items() if column in columns]
        converters = []
        for position, column in enumerate(columns):
            model_field = model_fields.get(column)
            if model_field is None:
                continue
            expression = model_field.get_col(model_field.model._meta.db_table)
            found = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if found:
                converters.append((position, tuple(found), expression))
        return cls(
            model=model,
            names=tuple(f.attname for f in init_fields),
            positions=tuple(columns.index(to_column(f.column)) for f in init_fields),
            annotations=tuple(
                (column, position)
                for position, column in enumerate(columns)
                if column not in model_fields
            ),
            converters=tuple(converters),
        )

    def instance(self, record: tuple) -> Model:
        if self.converters:
            record = list(record)
            for position, converters, expression in self.converters:
                value = record[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                record[position] = value
        instance = self.model.from_db(
            connection.alias,
            self.names,
            [record[position] for position in self.positions],
            fetch_mode=DEFAULT_FETCH_MODE,
        )
        for column, position in self.annotations:
            setattr(instance, column, record[position])
        return instance


def _id_lists(sql: str, params) -> frozenset[int]:
    """The parameters that are :data:`IDS` alone in an ``IN (%s)``."""
    pieces = sql.split("%s")
    return frozenset(
        index
        for index, param in enumerate(params)
        if param == ID and pieces[index].endswith(" IN (") and pieces[index + 1].startswith(")")
    )


def _any_for_ids(sql: str, id_lists: frozenset[int]) -> str:
    """``IN (%s)`` holding :data:`IDS` becomes ``= ANY(%s)``: one array of any length."""
    pieces = sql.split("%s")
    for index in id_lists:
        pieces[index] = pieces[index].removesuffix(" IN (") + " = ANY("
    return "%s".join(pieces)


def compiled(build: Callable[..., QuerySet]) -> Callable[..., Compiled]:
    """Decorate a function that builds a queryset from a few hashable arguments (whether the
    reader sees drafts, say): each set of arguments is built and compiled once."""

    @functools.wraps(build)  # its __doc__, and __wrapped__: the queryset itself, to build on
    @functools.cache
    def get(*args) -> Compiled:
        return Compiled.of(build(*args))

    return get
