"""Checks of uploaded course materials (教材, 课件): by extension and by content."""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 50 * 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats
ZIP = b"PK\x03\x04"
# extension → (magic bytes, for Office Open XML the folder the package must contain)
KINDS = {
    ".pdf": (b"%PDF-", None),
    ".doc": (OLE2, None),
    ".ppt": (OLE2, None),
    ".xls": (OLE2, None),
    ".docx": (ZIP, "word/"),
    ".pptx": (ZIP, "ppt/"),
    ".xlsx": (ZIP, "xl/"),
}


def validate_material(upload):
    """Refuse a file that is too big, of another type, or whose content is not what its
    extension claims (a renamed .exe is not a .pdf)."""
    name = upload.name.lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in KINDS:
        raise ValidationError(_("Only PDF, Word, PowerPoint and Excel files can be attached."))
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."))
    magic, folder = KINDS[extension]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ValidationError(
            _("The content of %(name)s is not a %(kind)s file.")
            % {"name": upload.name, "kind": extension}
        )
    if folder:
        try:
            with zipfile.ZipFile(upload) as package:
                names = package.namelist()
        except zipfile.BadZipFile:
            names = []
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
            raise ValidationError(
                _("The content of %(name)s is not a %(kind)s file.")
                % {"name": upload.name, "kind": extension}
            )
