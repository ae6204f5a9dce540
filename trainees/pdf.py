"""Chinese in the PDFs of every app (reportlab): the score report (reports.files), the
certificates (completion.documents).

The Chinese is set in STSong-Light, one of the CID fonts every PDF reader is required to
provide (Adobe's Asian font packs, and on Linux poppler substitutes the installed CJK font
through fontconfig), so no font file is shipped or embedded and a file stays small. Latin runs
are set in Helvetica (`markup`)."""

import re

CJK_FONT = "STSong-Light"
LATIN = re.compile(r"([\x20-\x7e\xb7]+)")  # printable ASCII and the middle dot: Helvetica has them


def cjk_font():
    """The name of the registered CJK font (registered on first use)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def markup(text):
    """Paragraph markup of a text: escaped, and its Latin runs (police IDs, scores, English)
    set in Helvetica, whose letters are spaced as they should be; STSong-Light's own Latin
    letters are spaced for its widths, and a reader substituting another CJK font (poppler
    does) prints them unevenly."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return LATIN.sub(r'<font name="Helvetica">\1</font>', text)
