"""Small files of the kinds the uploads accept: a PDF and an Office Open XML package."""

import io
import zipfile

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(folder):
    """A minimal .docx ("word/"), .pptx ("ppt/") or .xlsx ("xl/") package."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{folder}document.xml", "<x/>")
    return out.getvalue()
