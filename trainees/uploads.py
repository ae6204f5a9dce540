"""A previewed upload, kept in the session until it is confirmed (roster and timetable imports).

The confirmation carries the digest of the file it previewed, so that it imports exactly
that file, for that program, even when another tab has previewed another one since.
"""

import hashlib


class PendingUpload:
    def __init__(self, request, key, program):
        self.session, self.key = request.session, key
        self.program_code = program.code if program is not None else ""  # None: not a program's

    def keep(self, name, content):
        """Remember a file that previewed without errors; returns its digest."""
        digest = hashlib.sha256(content).hexdigest()
        self.session[self.key] = {
            "program": self.program_code,
            "digest": digest,
            "name": name,
            "content": content.hex(),
        }
        return digest

    def take(self, digest):
        """(name, content) of the file previewed with this digest for this program, or None."""
        pending = self.session.get(self.key)
        if not pending or pending["program"] != self.program_code or pending["digest"] != digest:
            return None
        return pending["name"], bytes.fromhex(pending["content"])

    def forget(self):
        self.session.pop(self.key, None)

    @property
    def digest(self):
        return (self.session.get(self.key) or {}).get("digest", "")


def preview_then_confirm(request, form, pending, run):
    """The two steps of every import page. A new file is checked with run(name, content,
    dry_run=True) and kept if it has no error; the confirmation imports the kept file with
    run(name, content, dry_run=False). Returns (result or None, imported)."""
    if request.method != "POST":
        return None, False
    confirmed = pending.take(request.POST.get("digest"))
    if confirmed:
        name, content = confirmed
        result = run(name, content, dry_run=False)
        if not result.errors:
            pending.forget()
        return result, not result.errors
    if not form.is_valid():
        return None, False
    upload = form.cleaned_data["file"]
    content = upload.read()
    result = run(upload.name, content, dry_run=True)
    pending.forget()
    if not result.errors:
        pending.keep(upload.name, content)
    return result, False


def protected_file(field_file, filename):
    """The response that hands an uploaded file to someone the view has checked: the file
    itself, or, with PROTECTED_MEDIA_URL set (nginx in front), an empty response whose
    X-Accel-Redirect header lets nginx send it from an `internal` location (docs/deploy.md),
    so a gunicorn worker is not tied up with a 50 MB download."""
    from urllib.parse import quote

    from django.conf import settings
    from django.http import FileResponse, Http404, HttpResponse
    from django.utils.http import content_disposition_header

    if settings.PROTECTED_MEDIA_URL:
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse()
        # Percent-encoded: a header is ASCII, and nginx decodes the URI before it looks.
        response["X-Accel-Redirect"] = quote(f"{settings.PROTECTED_MEDIA_URL}{field_file.name}")
        response["Content-Type"] = ""  # nginx sets it from the file's extension
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    try:
        opened = field_file.open("rb")
    except FileNotFoundError as missing:  # removed from the disk behind the app's back
        raise Http404 from missing
    return FileResponse(opened, as_attachment=True, filename=filename)
