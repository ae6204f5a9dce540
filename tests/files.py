"""Small files of the kinds the uploads accept: a PDF and an Office Open XML package."""

import io
import zipfile

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(folder):
    """A minimal .docx ("word/"), .pptx ("ppt/") or .xlsx ("xl/") package: the same bytes each
    time (the entries' dates are fixed, or two calls a second apart would differ)."""
    out = io.BytesIO()
    moment = (2023, 1, 2, 8, 30, 0)
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("[Content_Types].xml", moment), "<Types/>")
        package.writestr(zipfile.ZipInfo(f"{folder}document.xml", moment), "<x/>")
    return out.getvalue()
