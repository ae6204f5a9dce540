"""Log lines as JSON (LOG_FORMAT=json): one object a line, for a log collector to parse.

Each line has `time` (ISO 8601, Beijing time with its offset), `level`, `logger` and `message`;
a request's log (django.request, django.security …) adds `method`, `path` and `status`; an
exception adds `exception`, its whole traceback in one string. Chinese stays readable
(no \\u escapes); a line break inside a message is escaped, so a record is always one line.
"""

import json
import logging
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = request.method
            entry["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
