#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # In a checkout, `python manage.py …` is development: debug on unless the environment
    # says otherwise. gunicorn (config/wsgi.py) and Celery (config/celery.py) do not do
    # this, so a server with no DJANGO_DEBUG and no SECRET_KEY still refuses to start;
    # production sets DJANGO_DEBUG=false for its management commands too (README), in the
    # environment or in the .env file, which is therefore read first (as config/settings.py
    # reads it: the environment wins).
    import environ

    environ.Env.read_env(os.environ.get("ENV_FILE", str(Path(__file__).resolve().parent / ".env")))
    os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
