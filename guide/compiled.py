"""Querysets built and compiled to SQL once per process, then run with each request's value.

Building a queryset and compiling it costs several times more than running it on the few
rows a page reads, and a page asks the same few questions on every request. A
:class:`Compiled` query is the queryset's own SQL, kept; :data:`VALUE` stands in for the one
value that changes between requests (a slug, say), and :meth:`Compiled.rows` runs it with
the request's value as ordinary model instances, made as the ORM's own ``ModelIterable``
makes them from what the compiler said of the columns (related objects joined in,
annotations as attributes), or as plain tuples. The queryset stays the one source of the
query: change it and the SQL follows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import DEFAULT_FETCH_MODE, get_related_populators

# Stand in for the request's value when the queryset is built: a slug or text, or an id.
VALUE = "\u27eacompiled-value\u27eb"
ID = -4_815_162_342
# filter(pk__in=IDS): stands in for a list of ids, sent as one array (``= ANY(%s)``).
IDS = (ID,)
# filter(expires__gt=AT): stands in for a moment given with each run (now, say).
AT = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


@dataclass(frozen=True)
class Compiled:
    model: type[Model]
    sql: str
    params: tuple
    # The converters the ORM applies to each selected column's value, by position (SQLite's
    # dates are text, say).
    column_converters: tuple = ()
    # AT as the database backend sends it (SQLite's moments are text).
    at: object = None
    # Where a database without arrays (SQLite) takes IDS: each ``IN (%s)``, by parameter.
    id_lists: frozenset = frozenset()
    # How a row becomes a model instance, as the ORM's own ModelIterable makes it: the
    # model's columns (their attnames and where they sit), the related objects joined in
    # (select_related), and the annotations by position.
    init_names: tuple = ()
    model_columns: tuple[int, int] = (0, 0)
    related: tuple = ()
    annotations: tuple = ()

    @classmethod
    def of(cls, queryset: QuerySet) -> Compiled:
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        columns = [selected[0] for selected in select[: compiler.col_count]]
        init_names, model_columns, related = (), (0, 0), ()
        if klass_info is not None:  # None for values_list(): tuples only
            fields = klass_info["select_fields"]
            model_columns = (fields[0], fields[-1] + 1)
            init_names = tuple(f[0].target.attname for f in select[slice(*model_columns)])
            related = tuple(
                get_related_populators(klass_info, select, queryset.db, DEFAULT_FETCH_MODE)
            )
        id_lists = _id_lists(sql, params)
        if connection.vendor == "postgresql":  # ids go as one array
            sql, id_lists = _any_for_ids(sql, id_lists), frozenset()
        return cls(
            queryset.model,
            sql,
            tuple(params),
            tuple(compiler.get_converters(columns).items()),
            connection.ops.adapt_datetimefield_value(AT),
            id_lists,
            init_names,
            model_columns,
            related,
            tuple(compiler.annotation_col_map.items()),
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
        """The rows for ``value`` (in place of VALUE or ID) and ``ids`` (in place of IDS), as
        model instances, made as the ORM makes them."""
        start, end = self.model_columns
        instances = []
        for row in self.tuples(value, ids=ids):
            instance = self.model.from_db(
                connection.alias, self.init_names, row[start:end], fetch_mode=DEFAULT_FETCH_MODE
            )
            for populator in self.related:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

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
