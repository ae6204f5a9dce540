from tests.exams.report_class import small_class, units  # noqa: F401  (fixtures)
