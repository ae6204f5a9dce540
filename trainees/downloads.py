"""Files sent to the browser as downloads: their content types, a file name every system
accepts, and the response. Every export of every app (roster, discipline, question bank,
score report, dashboards) goes through here."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def file_name(title):
    """`title` as a file name: the characters Windows refuses become "_"."""
    return "".join("_" if c in '/\\:*?"<>|' else c for c in title)


def attachment(content, content_type, name):
    """A response that downloads `content` as the file `name` (cleaned, any script)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name(name))
    return response
