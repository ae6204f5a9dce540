"""The dashboards' tables and the charts drawn from them.

Every figure of a dashboard is in a Table: its rows are what the page shows, what the chart
draws (static/js/dashboard.js) and what the .xlsx export writes (reports.files), so a chart
never shows a number its table does not.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass
class Table:
    """A table of a dashboard, and the chart drawn from it."""

    key: str  # its id in the page, and ?export=<key>
    title: str
    columns: list  # [(heading, kind)], kind: text, date, count, score, rate
    rows: list  # [[value, …]]
    chart: dict | None = None  # {"type", "categories", "series": [{"name", "data"}], …}
    note: str = ""
    links: list = field(default_factory=list)  # a URL per row shown (drill-down), or empty
    shown: int | None = None  # the page shows the last `shown` rows; the export has them all

    @property
    def shown_rows(self):
        return self.rows if self.shown is None else self.rows[-self.shown :]

    @property
    def lines(self):
        """[(cells, link)] of the rows shown: each row's (value, kind) pairs and its drill-down
        URL or None."""
        kinds = [kind for _heading, kind in self.columns]
        rows = self.shown_rows
        links = self.links or [None] * len(rows)
        return [
            (list(zip(row, kinds, strict=True)), link)
            for row, link in zip(rows, links, strict=True)
        ]


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def mean(total, count):
    return round(Decimal(total) / count, 1) if count else None


def number(value):
    """A figure for the chart's JSON: Decimal → float, None stays None."""
    return float(value) if isinstance(value, Decimal) else value


def chart(kind, categories, *series, **options):
    """A chart spec for static/js/dashboard.js: `series` are (name, values)."""
    return {
        "type": kind,
        "categories": [str(c) for c in categories],
        "series": [
            {"name": str(name), "data": [number(v) for v in values]} for name, values in series
        ],
        **options,
    }


def summary_columns(label):
    return [
        (label, "text"),
        (_("Trainees"), "count"),
        (_("Mean entry"), "score"),
        (_("Mean graduation"), "score"),
        (_("Mean gain"), "score"),
        (_("Pass rate"), "rate"),
        (_("Attendance rate"), "rate"),
        (_("Times late"), "count"),
        (_("Absences"), "count"),
    ]
