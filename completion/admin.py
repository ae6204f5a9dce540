from completion import evaluation_admin  # noqa: F401  (the answers, read only)
