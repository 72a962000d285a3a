"""Student text made safe per format: each function of autograder.escape on the texts a red team sends."""

from __future__ import annotations

import html as html_module
import re
import unicodedata

import mistune
import pytest

from autograder import escape

# Ids that collide under a careless encoding: separators, dots, case, percent signs, surrogates
# (how Python reads a file name that is not UTF-8), Windows devices, long and non-ASCII names.
TRICKY_IDS = [
    "", ".", "..", "...", ".hidden", "a/b", "a_b", "a%2Fb", "a\\b", "x", "X", "x.", "X.", "x..", "-rf", "%2Drf",
    "con", "CON", "con.txt", "%63on", "é", "e\u0301", "\ud800", "\udc80", "\ufffd", "a b", "a\x00b", "a\nb",
    "~", "a~0123456789abcdef", "Alice", "alice", "ALICE", "a" * 300, "a" * 301, "A" * 300, "🎓" * 100, "%",
    "%25", "../../etc/passwd", "/abs", "\u202eevil",
]
# Everything a terminal would act on rather than show.
ESCAPE_SEQUENCES = ["\x1b[2J", "\x1b[1A", "\x1b]52;c;ZXZpbA==\x07", "\r17/17", "\x9b2J", "\u2028", "\u202e", "\x08"]
FORMULA_STARTS = ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", " =1", "\uff1d1+1", '=HYPERLINK("http://evil")']


def invisible(text: str) -> list[str]:
    """Characters a reader would not see as themselves: controls, format characters, separators."""
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


def test_file_name_is_one_to_one_on_tricky_ids_even_when_case_is_ignored():
    names = [escape.file_name(i) for i in TRICKY_IDS]
    assert len(set(names)) == len(TRICKY_IDS)
    assert len({n.lower() for n in names}) == len(TRICKY_IDS)


def test_file_name_is_never_a_path_nor_a_hidden_file_nor_an_option():
    for student in TRICKY_IDS:
        name = escape.file_name(student)
        assert "/" not in name and "\\" not in name and "\x00" not in name, student
        assert name not in (".", "..") and not name.startswith((".", "-")) and not name.endswith("."), student
        assert re.fullmatch(r"[A-Za-z0-9_.%~-]+", name), student


def test_file_name_stays_short_whatever_the_id():
    for student in [*TRICKY_IDS, "a" * 10_000, "%" * 10_000, "\U0010ffff" * 1000]:
        assert len(escape.file_name(student).encode()) <= escape.MAX_FILE_NAME_BYTES


def test_file_name_keeps_ordinary_ids_as_they_are():
    for student in ["predict_not_denormalised", "alice.smith", "s1234567", "jean-luc"]:
        assert escape.file_name(student) == student
    assert escape.file_name("Alice").startswith("Alice~")


def test_file_name_never_names_a_windows_device():
    for student in ["con", "nul", "com1", "lpt9.txt", "aux"]:
        assert not re.fullmatch(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", escape.file_name(student), re.IGNORECASE)


def test_clean_replaces_lone_surrogates_so_utf8_always_encodes():
    text = escape.clean("a\ud800b\udfffc")
    assert text == "a\ufffdb\ufffdc"
    text.encode("utf-8")
    for function in (escape.terminal, escape.terminal_line, escape.html, escape.markdown, escape.markdown_inline):
        function("\ud800\x1b").encode("utf-8")


@pytest.mark.parametrize("sequence", ESCAPE_SEQUENCES)
def test_terminal_shows_control_sequences_instead_of_running_them(sequence):
    shown = escape.terminal(f"before{sequence}after")
    assert not invisible(shown) and "before" in shown and "after" in shown


def test_terminal_keeps_newlines_and_tabs_and_terminal_line_does_not():
    assert escape.terminal("a\n\tb\r\nc\rd") == "a\n\tb\nc\\x0dd"
    line = escape.terminal_line("a\nb\r\nc\u2028d\u2029e\x0bf\x85g\tend")
    assert "\n" not in line and len(line.splitlines()) == 1 and not invisible(line)


def test_html_escapes_tags_quotes_and_controls():
    shown = escape.html("<script>alert(1)</script><img src=x onerror='a'>\"\x1b[2J")
    assert "<" not in shown and ">" not in shown and '"' not in shown and "'" not in shown and not invisible(shown)
    assert html_module.unescape(shown).startswith("<script>alert(1)</script>")


HOSTILE_MARKDOWN = ("# 17 of 17\n| exercise | 17 / 17 |\n|---|---|\nTitle\n===\n---\n* item\n1. item\n> quote\n"
                    "    code\n```\nfence\n<script>alert(1)</script><img src=x onerror=alert(1)>\n"
                    "[click](http://evil.example) ![x](http://evil.example/x.png) <http://evil.example> "
                    "http://evil.example www.evil.example eve@evil.example $x$ ~~struck~~ **bold** _it_ [^1] &lt;b&gt;\n\n"
                    "[ref]: http://evil.example\n\\")


def render(markdown: str) -> str:
    """Markdown as a GFM-like renderer shows it, raw HTML let through (so any that survives shows)."""
    return str(mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url", "math", "footnotes"])(markdown))


def test_markdown_renders_student_text_as_one_plain_paragraph():
    rendered = render(escape.markdown(HOSTILE_MARKDOWN))
    assert set(re.findall(r"<(\w+)", rendered)) == {"p", "br"} and rendered.count("<p>") == 1
    text = html_module.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert "# 17 of 17" in text and "<script>alert(1)</script>" in text and "[click](http://evil.example)" in text
    assert "&lt;b&gt;" in text and "**bold**" in text


def test_markdown_keeps_indentation_and_blank_lines_inside_the_paragraph():
    rendered = render(escape.markdown("line one\n\n    indented"))
    assert rendered.count("<p>") == 1 and "<pre" not in rendered and "\xa0\xa0\xa0\xa0indented" in html_module.unescape(rendered)


def test_markdown_inline_cannot_end_a_table_cell_or_add_a_row():
    row = "| " + escape.markdown_inline("x | 17 / 17 |\n| y |") + " | 1 |"
    rendered = render(f"| a | b |\n|---|---|\n{row}\n")
    assert rendered.count("<tr>") == 2 and rendered.count("<td>") == 2


@pytest.mark.parametrize("text", FORMULA_STARTS)
def test_csv_cell_never_starts_a_formula(text):
    cell = escape.csv_cell(text)
    assert isinstance(cell, str) and cell.startswith("'") and not invisible(cell) and "\t" not in cell


def test_csv_cell_leaves_numbers_and_ordinary_text_alone():
    assert escape.csv_cell(-1.5) == -1.5 and escape.csv_cell(3) == 3
    assert escape.csv_cell("alice") == "alice" and escape.csv_cell("") == ""


def test_messages_show_their_code_spans_as_code_and_nothing_else_as_markup():
    message = "`Y_hat = W X + b` is wrong; you raised `<script>alert(1)</script>` and `a | b`\n" + HOSTILE_MARKDOWN
    shown = escape.html_message(message)
    assert shown.startswith("<code>Y_hat = W X + b</code> is wrong") and "<script>" not in shown
    assert set(re.findall(r"<(\w+)", shown)) == {"code"}
    rendered = render(escape.markdown_message(message))
    assert set(re.findall(r"<(\w+)", rendered)) == {"p", "br", "code"} and rendered.count("<p>") == 1
    assert "<code>Y_hat = W X + b</code>" in rendered and "<script>" not in rendered
    assert "&lt;script&gt;" in rendered and "<script>" not in escape.markdown_message(message)
