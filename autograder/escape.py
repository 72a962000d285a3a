"""Student text made safe for every place the trusted side writes it.

Anything that came from a submission (an exception message, printed output, a file or folder name
that became a student id, a function name) is data, never markup: it must not move a terminal's
cursor, add a heading to a Markdown report, run as HTML, become a spreadsheet formula, or end up in
a file name that points elsewhere. Each output format has one function here, and every writer of
that format calls it on every piece of text it did not write itself.

The text functions first :func:`clean` it: lone surrogates (which JSON and file names can carry
and UTF-8 cannot encode) become U+FFFD, so no later ``write`` fails on a student's string.
:func:`file_name` encodes them instead, so that two ids never share a name.
"""

from __future__ import annotations

import hashlib
import html as _html
import re

__all__ = ["clean", "csv_cell", "file_name", "html", "html_message", "markdown", "markdown_inline", "markdown_message",
           "terminal", "terminal_line", "xml"]

MAX_FILE_NAME_BYTES = 120  # well under every file system's 255, with room for suffixes such as ".json"
DIGEST_CHARACTERS = 16  # 64 bits of SHA-256: no id can be chosen to share another one's name

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 controls except tab and newline, DEL, C1 controls, and the Unicode characters that break,
# reorder or hide text: the soft hyphen, bidirectional marks, overrides and isolates, zero-width
# characters and joiners, the line and paragraph separators (str.splitlines and some terminals
# break lines there), interlinear annotations, invisible musical format characters and tags.
# A terminal or a reader would otherwise show something other than the text.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)
# Every ASCII punctuation character CommonMark, GFM (tables, strikethrough, autolinks), math
# renderers ($) and setext headings (=) give a meaning; `&`, `<` and `>` become entities instead.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:$@^])")
_LEADING_SPACES = re.compile(r"^ +")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")  # the checks write names and formulas this way: `Y_hat = W X + b`
_PLAIN_CODE = re.compile(r"[^<>&]+")  # a span Markdown may keep as code: nothing in it looks like a tag
_NO_BREAK_SPACE = "&#160;"  # keeps a line's indentation and a blank line inside one paragraph
# What makes a spreadsheet cell a formula, in ASCII and in the full-width forms some locales accept.
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FILE_SAFE = re.compile(r"[A-Za-z0-9_]")
_FILE_SAFE_INSIDE = re.compile(r"[.-]")  # never first (a hidden file, an option) nor last (Windows drops a final dot)
_UPPER_CASE = re.compile(r"[A-Z]")
_WINDOWS_DEVICE = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)


def clean(text: object) -> str:
    """``str(text)`` with lone surrogates replaced, so it can always be encoded as UTF-8."""
    value = text if isinstance(text, str) else str(text)
    if value.isascii():
        return value
    return _SURROGATE.sub("\ufffd", value)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal(text: object) -> str:
    """For a terminal: control characters shown as ``\\x1b``-style escapes; newlines (``\\r\\n`` too,
    as one) and tabs kept. A lone carriage return is shown: it would let text overwrite a score."""
    return _CONTROL.sub(_visible, clean(text).replace("\r\n", "\n"))


def terminal_line(text: object) -> str:
    """For one line of a terminal (a table cell, the progress line): newlines shown as ``\\n``, tabs
    as spaces (carriage returns and every other line break are already escaped by :func:`terminal`)."""
    return terminal(text).replace("\n", "\\n").replace("\t", " ")


def html(text: object) -> str:
    """For HTML text and attribute values (quoted with either quote)."""
    return _html.escape(terminal(text), quote=True)


def html_message(text: object) -> str:
    """A check's message or hint for HTML: as :func:`html`, with its `code spans` shown as code."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html(text))


def markdown_message(text: object) -> str:
    """A check's message or hint for a Markdown paragraph: as :func:`markdown`, with its `code spans`
    kept as code spans (their text is never markup; a span never holds a backtick or a line break).
    A span with ``<``, ``>`` or ``&`` in it is escaped as text instead: no file holds anything that
    reads as a tag, whatever renders it."""
    lines = []
    for line in terminal(text).split("\n"):
        parts = _CODE_SPAN.split(line)  # text, code, text, code, ..., text
        escaped = "".join(f"`{part}`" if index % 2 and _PLAIN_CODE.fullmatch(part) else
                          markdown_inline(f"`{part}`" if index % 2 else part) for index, part in enumerate(parts))
        escaped = _LEADING_SPACES.sub(lambda spaces: _NO_BREAK_SPACE * len(spaces.group()), escaped)
        lines.append(escaped or _NO_BREAK_SPACE)
    return "  \n".join(lines)


def xml(text: object) -> str:
    """For XML 1.0 text and attribute values, before the writer's own escaping of ``<&>"``: what
    :func:`terminal` shows, without the two non-characters XML forbids (U+FFFE, U+FFFF)."""
    return terminal(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")


def markdown(text: object) -> str:
    """For a Markdown paragraph: no markup, no raw HTML; the text's own line breaks and indentation are
    kept as hard breaks and no-break spaces, so the paragraph never ends early and no line of it can
    start a block (a heading, a table row, a list, a code block)."""
    return "  \n".join(_markdown_line(line) for line in terminal(text).split("\n"))


def _markdown_line(line: str) -> str:
    escaped = _LEADING_SPACES.sub(lambda spaces: _NO_BREAK_SPACE * len(spaces.group()), markdown_inline(line))
    return escaped or _NO_BREAK_SPACE  # an empty line would end the paragraph


def markdown_inline(text: object) -> str:
    """For inline Markdown (a table cell, a heading, a link's text): as :func:`markdown`, on one line."""
    value = _html.escape(terminal_line(text), quote=False)  # entities: no renderer runs them as tags
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def csv_cell(value: object) -> object:
    """A spreadsheet cell that is never read as a formula, on one line: text starting (after spaces)
    with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe (tabs are spaces and other control
    characters shown as escapes, by :func:`terminal_line`). Numbers pass unchanged."""
    if not isinstance(value, str):
        return value
    text = terminal_line(value)
    return "'" + text if text.lstrip().startswith(_FORMULA_START) else text


def file_name(name: object) -> str:
    """A file or folder name for a student id: one-to-one (two ids never share a name, even on a
    file system that ignores case or drops a final dot) and never a path (no separators, never ``.``
    or ``..``, no leading dot or dash, no Windows device name such as ``con``).

    Letters, digits and ``_`` stay; ``.`` and ``-`` stay except first or last; every other character
    becomes ``%`` and its UTF-8 bytes in hex (``%2E`` for a leading dot; a lone surrogate, which is
    how Python reads a file name that is not UTF-8, by its own code), so the name decodes back to the
    id. An id with an upper-case letter, or whose name would be too long, ends in ``~`` and a digest
    of the whole id (``~`` is never otherwise in a name): ids that differ only in case, or share a
    truncated prefix, still get different names."""
    text = name if isinstance(name, str) else str(name)
    last = len(text) - 1
    encoded = "".join(ch if _FILE_SAFE.match(ch) or (_FILE_SAFE_INSIDE.match(ch) and 0 < index < last)
                      else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
                      for index, ch in enumerate(text))
    if not encoded:
        return "%"  # the empty id: every other id encodes to at least one letter or a %XX
    if _WINDOWS_DEVICE.fullmatch(encoded):
        encoded = f"%{ord(encoded[0]):02X}{encoded[1:]}"
    if _UPPER_CASE.search(text) or len(encoded) > MAX_FILE_NAME_BYTES:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARACTERS]
        encoded = f"{encoded[: MAX_FILE_NAME_BYTES - DIGEST_CHARACTERS - 1]}~{digest}"
    return encoded
