"""Reads of the hot paths in SQL written once, with model instances made from their rows.

The ORM compiles a query at every call: for the few queries a trainee's every page sends
(the enrollments of my day, their roll-call records), compiling cost ten times the query
(1.4 ms against 0.08 ms of this process's CPU for the enrollments with their program, group,
trainee and unit). `Columns` and `Fields` build the SQL of such a query once per process, from the
models' fields, and turns each row into the model instances, through the database's and the
fields' converters as the ORM does, so that they read exactly as the ORM's would.

Reads, and the one UPDATE of a write function that the exam rush sends most
(exams.services.attempts.answer_update): every write still goes through the services.
"""

from functools import cache, cached_property

from django.db import connection


def cache_per_process(function):
    """A query's SQL and Columns, made at its first call (the models are ready then)."""
    return cache(function)


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def moment(value):
    """An aware datetime as a parameter of such SQL, as the ORM passes it (SQLite stores UTC
    without an offset)."""
    return connection.ops.adapt_datetimefield_value(value)


class Fields:
    """Some fields of one or more models, each (model, table alias, field name): their select
    list, and each row read as a tuple, converted as values_list would."""

    def __init__(self, *fields):
        self.fields = [(alias, model._meta.get_field(name)) for model, alias, name in fields]

    def sql(self):
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(field.column)}" for alias, field in self.fields)

    @cached_property
    def converters(self):
        """[(position, the database's and the field's converters, expression)]."""
        found = []
        for n, (_alias, field) in enumerate(self.fields):
            expression = field.get_col(field.model._meta.db_table)
            functions = connection.ops.get_db_converters(expression)
            functions += field.get_db_converters(connection)
            if functions:
                found.append((n, functions, expression))
        return found

    def convert(self, row):
        row = list(row)
        for n, functions, expression in self.converters:
            for convert in functions:
                row[n] = convert(row[n], expression, connection)
        return row

    def rows(self, rows):
        if not self.converters:
            return rows
        return [tuple(self.convert(row)) for row in rows]

    def __len__(self):
        return len(self.fields)


class Columns(Fields):
    """Every concrete field of `model` under table alias `alias`, and that part of a row made
    an instance (None when its primary key is NULL: a LEFT JOIN that found nothing)."""

    def __init__(self, model, alias):
        super().__init__(*((model, alias, field.name) for field in model._meta.concrete_fields))
        self.model = model
        self.attnames = [field.attname for _alias, field in self.fields]

    def instance(self, values):
        if values[0] is None:
            return None
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))


def instances(parts, row):
    """The instances of one row, one per Columns of `parts`, in their order."""
    made, start = [], 0
    for part in parts:
        made.append(part.instance(row[start : start + len(part)]))
        start += len(part)
    return made


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql, params):
    """A write of such SQL (inside the service that owns the write): the rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
