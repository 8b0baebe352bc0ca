"""A notice page laid out as a PDF (fpdf2), from the very HTML the browser prints.

The notice is rendered once, by its template; this reads the `<article class="notice">`
of that HTML as blocks (headings, paragraphs, facts, lists, quotes, tables, the footer),
leaving out what print leaves out (`.no-print`, buttons), and sets them on Letter pages.
So the PDF cannot say something the printed page does not. The font is DejaVu Sans,
embedded (subset): any name or dash a notice holds is drawn, which PDF's built-in Latin-1
fonts cannot promise.
"""

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from fpdf import FPDF

# fontTools logs every glyph it keeps at INFO, some forty lines a PDF: not worth a log line.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "dejavu"
BLOCKS = {"h1", "h2", "h3", "p", "li", "blockquote", "dt", "dd", "footer"}
SKIPPED = {"button", "script", "style", "form", "nav", "svg"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"}
SPACE = re.compile(r"[ \t\r\n\f]+")


class _NoticeBlocks(HTMLParser):
    """The article's text as (kind, text) blocks; a table as ("table", rows)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, object]] = []
        self._open: list[tuple[str, bool]] = []  # (tag, starts a skipped part)
        self._skipping = 0
        self._article = 0  # depth inside the notice's <article>
        self._kinds: list[str] = []
        self._text: list[str] = []
        self._rows: list[list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in VOID:
            if tag == "br" and self._collecting():
                self._text.append("\n")
            return
        skip = tag in SKIPPED or "no-print" in classes
        self._open.append((tag, skip))
        if tag == "article" and "notice" in classes:
            self._article = len(self._open)
        if not self._article:
            return
        self._skipping += skip
        if self._skipping:
            return
        if tag in BLOCKS or tag in ("tr", "table"):
            self._flush()
        if tag in BLOCKS:
            self._kinds.append(tag)
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag == "q":
            self._text.append("“")

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _ in self._open):
            return  # a stray end tag
        while self._open:
            open_tag, skip = self._open.pop()
            self._close(open_tag, skip)
            if open_tag == tag:
                break

    def _close(self, tag: str, skip: bool) -> None:
        if not self._article:
            return
        if self._skipping:
            self._skipping -= skip
            return
        if tag == "q":
            self._text.append("”")
        elif tag in ("td", "th") and self._rows:
            self._rows[-1].append(self._take())
        elif tag == "table" and self._rows is not None:
            self.blocks.append(("table", [row for row in self._rows if row]))
            self._rows = None
        elif tag in BLOCKS:
            kind = self._kinds.pop() if self._kinds else "p"
            self._emit(kind)
        if len(self._open) < self._article:
            self._flush()
            self._article = 0

    def handle_data(self, data):
        if self._collecting():
            self._text.append(data)

    def _collecting(self) -> bool:
        return bool(self._article) and not self._skipping

    def _take(self) -> str:
        text = "".join(self._text)
        self._text = []
        lines = (SPACE.sub(" ", line).strip() for line in text.split("\n"))
        return "\n".join(line for line in lines if line)

    def _emit(self, kind: str) -> None:
        text = self._take()
        if text:
            self.blocks.append((kind, text))

    def _flush(self) -> None:
        """Text outside any block (between blocks) becomes a paragraph of its own."""
        if self._rows is None:
            self._emit(self._kinds[-1] if self._kinds else "p")


def notice_blocks(html: str) -> list[tuple[str, object]]:
    parser = _NoticeBlocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


# Font size and style, space before, left indent (mm) of each kind of block.
STYLES = {
    "h1": (16, "B", 0, 0),
    "h2": (13, "B", 4, 0),
    "h3": (11, "B", 3, 0),
    "p": (10.5, "", 1.5, 0),
    "li": (10.5, "", 1, 5),
    "blockquote": (10.5, "", 1.5, 6),
    "footer": (8.5, "", 5, 0),
}


def notice_pdf(html: str, *, title: str, author: str) -> bytes:
    pdf = FPDF(format="letter")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    blocks = notice_blocks(html)
    for index, (kind, content) in enumerate(blocks):
        if kind == "table":
            _table(pdf, content)
        elif kind == "dt":
            following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
            _fact(pdf, content, following[1] if following[0] == "dd" else "")
        elif kind != "dd":  # a dd is written with its dt
            _paragraph(pdf, kind, content)
    return bytes(pdf.output())


def _paragraph(pdf: FPDF, kind: str, text: str) -> None:
    size, style, before, indent = STYLES.get(kind, STYLES["p"])
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(90 if kind == "footer" else 0)
    pdf.ln(before)
    pdf.set_x(pdf.l_margin + indent)
    prefix = "• " if kind == "li" else ""
    pdf.multi_cell(0, size * 0.5, prefix + text, new_x="LMARGIN", new_y="NEXT")


def _fact(pdf: FPDF, label: str, value: str) -> None:
    """A dt/dd pair: the label in bold, the value beside it, wrapped."""
    pdf.set_text_color(0)
    pdf.ln(0.8)
    pdf.set_font(FONT, "B", 10)
    pdf.write(5, f"{label}: ")
    pdf.set_font(FONT, "", 10)
    pdf.write(5, value)
    pdf.ln(5)


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(0)
    pdf.ln(1.5)
    with pdf.table(text_align="LEFT", line_height=6) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
