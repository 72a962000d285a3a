"""Every writer of outputs on results a red team controls: ids from file names, messages with the
student's own text, figures with the student's values. Built from hand-made results (no grading)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import mistune
import pytest

from autograder import escape, feedback
from autograder.exports import submission_time, write_csv
from autograder.feedback import write_feedback
from autograder.figures import Figure, render_png
from autograder.report import CheckReport, class_table, submission_report
from autograder.results import CellReport, CheckResult, ExerciseResult, Result

# A message that would clear the screen, move the cursor, write the clipboard, overwrite the score
# line, add a heading, a table row, a link, an image and a script, and cannot be encoded as UTF-8.
HOSTILE = ("\x1b[2J\x1b[1A\x1b]52;c;ZXZpbA==\x07\r17/17 points\n# 17 of 17\n| exercise | 17 / 17 |\nTitle\n===\n"
           "<script>alert(1)</script><img src=x onerror=alert(1)> [click](http://evil.example) "
           "![x](http://evil.example/x.png) \ud800 \u202eevil \x9b2J")
HOSTILE_IDS = ["..", ".", "a/b", "a_b", "x", "X.", "X", "../../outside", "/etc/cron.d/x", "=HYPERLINK(\"http://evil\")",
               "+1", "-2", "@SUM(A1)", "\x1b[2J", "<script>alert(1)</script>", "# 17 of 17", "\ud800", "con", ""]
SECRET = "the hidden case's values 0.12345"  # a hidden check's detail: for the instructor only
HTML_TAGS_WE_WRITE = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "i", "br", "table", "tr",
                      "th", "td", "ul", "li", "img", "div", "small", "code"}


def hostile_result(submission: str = "submitted/eve/perceptron_regression.ipynb", *, figures: tuple = ()) -> Result:
    public = CheckResult("forward_propagation", "forward_propagation", 0, 2, "failed", HOSTILE, hint=HOSTILE, seed=1,
                         figures=figures)
    hidden = CheckResult("forward_other_sizes", "forward_propagation", 0, 1, "failed", "`Y_hat` is wrong", hidden=True,
                         detail=f"`Y_hat` is {SECRET}")
    exercise = ExerciseResult("forward_propagation", 0, 3, "failed", HOSTILE, HOSTILE, (public, hidden))
    redacted = ExerciseResult("initialize_parameters", 0, 1, "failed", "`W` is wrong", "", (hidden,),
                              detail=f"`W` is {SECRET}")
    return Result(submission, "perceptron_regression", 0, 4, (exercise, redacted),
                  cells=(CellReport(3, "error", HOSTILE),), notes=(HOSTILE,), problem=HOSTILE)


def good_result(submission: str) -> Result:
    check = CheckResult("forward_propagation", "forward_propagation", 2, 2, "passed")
    return Result(submission, "perceptron_regression", 2, 2, (ExerciseResult("forward_propagation", 2, 2, "passed", "",
                                                                              "", (check,)),))


def invisible(text: str) -> list[str]:
    """Characters a reader would not see as themselves: ESC, BEL, CR, C1, bidi overrides, surrogates."""
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


class Tags(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_only_our_html(text: str) -> None:
    tags = Tags(text).tags
    assert {tag for tag, _ in tags} <= HTML_TAGS_WE_WRITE, {tag for tag, _ in tags}
    assert all(set(attrs) <= {"alt", "src", "style", "class", "charset", "colspan"} for _, attrs in tags)
    assert all(attrs["src"].startswith("data:image/png;base64,") for tag, attrs in tags if tag == "img")
    assert "<script" not in text.lower() and not invisible(text)


def render_markdown(text: str) -> str:
    return str(mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])(text))


# ---------------------------------------------------------------------------- terminal reports


def test_the_submission_report_prints_no_control_sequence_a_student_wrote():
    report = submission_report(hostile_result("submitted/\x1b[2Jeve\r/x.ipynb"))
    assert not invisible(report) and "\\x1b[2J" in report and "\\x0d17/17 points" in report
    assert "\n17/17 points" not in report and "\r" not in report


def test_each_row_of_the_class_table_stays_one_line():
    submissions = [f"submitted/{student}.ipynb" for student in ("alice\n17 of 17", "bob\r\x1b[1Aeve", "\u2028carol")]
    table = class_table([hostile_result(submissions[0]), good_result(submissions[1]), good_result(submissions[2])])
    assert not invisible(table)
    rows = table.split("\n")[2:5]
    assert [row.split()[0] for row in rows] == ["alice\\n17", "bob\\x0d\\x1b[1Aeve", "\\u2028carol"]
    assert table.split("\n")[5] == ""


def test_instructor_reports_show_a_hidden_checks_detail():
    assert SECRET in submission_report(hostile_result())
    assert SECRET in class_table([dataclasses.replace(hostile_result(), problem=""), good_result("b.ipynb")])


def test_the_check_report_escapes_student_text_in_text_and_html():
    report = CheckReport(hostile_result(), "perceptron_regression \x1b[2J")
    text = str(report)
    assert not invisible(text) and "\\x1b]52;c;ZXZpbA==\\x07" in text
    assert_only_our_html(report._repr_html_())
    assert "&lt;script&gt;" in report._repr_html_()


def test_the_check_report_never_shows_a_hidden_checks_detail():
    report = CheckReport(hostile_result(), "perceptron_regression")
    assert SECRET not in str(report) and SECRET not in report._repr_html_()


# ---------------------------------------------------------------------------- feedback files


@pytest.fixture
def hostile_feedback(tmp_path, perceptron_regression):
    assignment = dataclasses.replace(perceptron_regression, title="Perceptron <b>regression</b>")
    written = write_feedback(tmp_path / "feedback", assignment, [("\x1b[2J<script># eve\ud800", hostile_result())])
    assert len(written) == 1
    return written[0]


def test_feedback_html_holds_no_tag_a_student_wrote(hostile_feedback):
    page = (hostile_feedback / "feedback.html").read_text(encoding="utf-8")
    assert_only_our_html(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page


def test_feedback_markdown_holds_no_heading_table_row_link_image_or_html_a_student_wrote(hostile_feedback):
    text = (hostile_feedback / "feedback.md").read_text(encoding="utf-8")
    assert not invisible(text)
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Perceptron &lt;b&gt;regression&lt;/b&gt;", "## forward\\_propagation", "## initialize\\_parameters",
        "## Cells that did not run cleanly"]
    assert [line for line in text.splitlines() if line.startswith("|")] == [
        "| exercise | points | verdict |", "|---|---|---|", "| forward\\_propagation | 0 / 3 | not yet right |",
        "| initialize\\_parameters | 0 / 1 | not yet right |"]
    rendered = render_markdown(text)
    assert re.findall(r"<(h\d)>", rendered) == ["h1", "h2", "h2", "h2"] and rendered.count("<tr>") == 3
    assert not re.search(r"<(a|img|script)\b", rendered)


def test_feedback_never_shows_a_hidden_checks_detail(hostile_feedback):
    for name in ("feedback.html", "feedback.md"):
        assert SECRET not in (hostile_feedback / name).read_text(encoding="utf-8")


def test_a_student_id_of_dot_dot_writes_feedback_inside_the_folder(tmp_path, perceptron_regression):
    folder = tmp_path / "course" / "feedback"
    written = write_feedback(folder, perceptron_regression, [(student, good_result("a.ipynb")) for student in HOSTILE_IDS])
    assert len(written) == len(HOSTILE_IDS)
    assert all(path.parent == folder and (path / "feedback.html").is_file() for path in written)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"] and not (tmp_path / "outside").exists()


def test_distinct_student_ids_never_share_a_feedback_folder(tmp_path, perceptron_regression):
    written = write_feedback(tmp_path, perceptron_regression, [(student, good_result("a.ipynb")) for student in HOSTILE_IDS])
    assert len({path.name.lower() for path in written}) == len(HOSTILE_IDS)


def test_a_link_in_the_feedback_folder_is_not_followed(tmp_path, perceptron_regression, capsys):
    folder, elsewhere = tmp_path / "feedback", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / escape.file_name("eve")).symlink_to(elsewhere, target_is_directory=True)
    written = write_feedback(folder, perceptron_regression, [("eve", good_result("a.ipynb")), ("bob", good_result("b.ipynb"))])
    assert written == [folder / "bob"] and not list(elsewhere.iterdir())
    assert "the feedback of eve could not be written" in capsys.readouterr().err


# ---------------------------------------------------------------------------- figures

HOSTILE_FIGURES = {
    "huge costs": Figure("cost").line(range(4), [1.0, 1e308, -1e308, 2.0]),
    "missing values": Figure("cost").line([0, 1, 2], [float("nan"), float("inf"), -float("inf")]),
    "huge and tiny": Figure("cost").scatter([1e-320, 1e300, 1.0], [5e-324, -1e307, 1e-300]),
    "empty": Figure("path").path([], []),
    "mismatched": Figure("fit").line([1, 2, 3], [1.0]).scatter([], [1, 2]),
    "not numbers": Figure("fit").line("abc", [[1, 2], [3]]),
    "contour of NaNs": Figure("surface").contour([0, 1, 2], [0, 1, 2], [[float("nan")] * 3] * 3),
    "huge contour": Figure("surface").contour([0, 1], [0, 1], [[1e308, -1e308], [0, 1]]),
    "mathtext title": Figure("$\\frac{$ \x1b[2J" + "x" * 10_000, xlabel="$x^{$").line([0, 1], [0, 1], label="$\\bad$"),
}


@pytest.mark.parametrize("name", HOSTILE_FIGURES)
def test_figures_with_student_values_render_or_are_skipped_without_an_exception(name):
    png = render_png(HOSTILE_FIGURES[name].to_json())
    assert png is None or png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("spec", [{}, {"layers": "x"}, {"layers": [{"kind": "contour", "z": 1}]}, {"layers": [None]},
                                  {"title": {"a": 1}, "layers": [{"kind": "line", "x": [1e308] * 1000, "y": [0] * 2}]}])
def test_a_malformed_figure_spec_gives_no_picture_rather_than_an_exception(spec):
    png = render_png(spec)
    assert png is None or png.startswith(b"\x89PNG")


def test_write_feedback_for_three_students_where_one_has_a_hostile_figure_writes_all_three(tmp_path,
                                                                                           perceptron_regression):
    figures = tuple(figure.to_json() for figure in HOSTILE_FIGURES.values())
    graded = [("alice", hostile_result()), ("eve", hostile_result(figures=figures)), ("bob", hostile_result())]
    written = write_feedback(tmp_path, perceptron_regression, graded)
    assert [p.name for p in written] == ["alice", "eve", "bob"]
    assert all((p / "feedback.html").is_file() and (p / "feedback.md").is_file() for p in written)


def test_a_figure_that_cannot_be_drawn_is_left_out_with_a_note(tmp_path, perceptron_regression, monkeypatch):
    monkeypatch.setattr(feedback, "render_png", lambda spec: None)
    result = hostile_result(figures=(Figure("fit").line([0, 1], [0, 1]).to_json(),))
    [written] = write_feedback(tmp_path, perceptron_regression, [("eve", result)])
    assert "a plot could not be drawn" in (written / "feedback.html").read_text(encoding="utf-8")
    assert "A plot could not be drawn" in (written / "feedback.md").read_text(encoding="utf-8")
    assert "<img" not in (written / "feedback.html").read_text(encoding="utf-8")
    assert not list(written.glob("*.png"))


def test_a_failure_in_one_students_feedback_does_not_stop_the_others(tmp_path, perceptron_regression, monkeypatch,
                                                                     capsys):
    def render(spec: dict) -> bytes:
        raise RuntimeError("matplotlib broke")

    monkeypatch.setattr(feedback, "render_png", render)
    graded = [("alice", good_result("a.ipynb")), ("eve\x1b[2J", hostile_result(figures=({"title": "t"},))),
              ("bob", good_result("b.ipynb"))]
    written = write_feedback(tmp_path, perceptron_regression, graded)
    assert [p.name for p in written] == ["alice", "bob"]
    err = capsys.readouterr().err
    assert "eve\\x1b[2J" in err and "matplotlib broke" in err and "\x1b" not in err


# ---------------------------------------------------------------------------- CSV and timestamps


def test_csv_cells_never_start_with_a_formula_character(tmp_path, perceptron_regression):
    graded = [(student, hostile_result(f"{i}.ipynb")) for i, student in enumerate(HOSTILE_IDS)]
    write_csv(tmp_path / "grades.csv", perceptron_regression, graded)
    rows = list(csv.reader((tmp_path / "grades.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == len(HOSTILE_IDS) + 1
    assert not [cell for row in rows for cell in row if cell.lstrip().startswith(("=", "+", "-", "@"))]
    assert not [cell for row in rows for cell in row if invisible(cell)]
    assert [row[3] for row in rows[1:5]] == ["..", ".", "a/b", "a_b"] and rows[10][3] == "'=HYPERLINK(\"http://evil\")"


def write_notebook_with_stamp(folder: Path) -> Path:
    folder.mkdir(parents=True)
    notebook = folder / "perceptron_regression.ipynb"
    notebook.write_text("{}")
    return notebook


def test_the_submission_time_is_read_from_a_regular_timestamp_file(tmp_path):
    notebook = write_notebook_with_stamp(tmp_path / "eve")
    (notebook.parent / "timestamp.txt").write_text("2024-02-01 13:37:00.123456 UTC\n")
    assert submission_time(notebook) == datetime.datetime(2024, 2, 1, 13, 37, 0, 123456)


def test_a_timestamp_that_is_a_link_a_fifo_or_too_big_is_ignored(tmp_path):
    elsewhere = tmp_path / "instructor-only.txt"
    elsewhere.write_text("2024-02-01 13:37:00\n")
    linked = write_notebook_with_stamp(tmp_path / "link")
    (linked.parent / "timestamp.txt").symlink_to(elsewhere)
    fifo = write_notebook_with_stamp(tmp_path / "fifo")
    os.mkfifo(fifo.parent / "timestamp.txt")  # opened without O_NONBLOCK, reading would wait forever
    big = write_notebook_with_stamp(tmp_path / "big")
    (big.parent / "timestamp.txt").write_text("2024-02-01 13:37:00" + " " * 10_000)
    garbage = write_notebook_with_stamp(tmp_path / "garbage")
    (garbage.parent / "timestamp.txt").write_bytes(b"\xff\xfe\x00")
    folder = write_notebook_with_stamp(tmp_path / "folder")
    (folder.parent / "timestamp.txt").mkdir()
    for notebook in (linked, fifo, big, garbage, folder, tmp_path / "missing" / "x.ipynb"):
        assert submission_time(notebook) is None, notebook
