from tests.reports.report_class import small_class, units  # noqa: F401  (fixtures)
