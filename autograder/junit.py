"""JUnit XML for CI dashboards: one file per student, one ``<testsuite>`` in it, one ``<testcase>``
per check (``autograder verify`` writes its proofs in the same form: :func:`.verify.verify_tree`).

Written by the trusted side from the :class:`~.results.Result` (never by pytest inside a grading):
the xunit2 form that CI tools and the common JUnit schema accept (``docs/junit.xsd`` pins what we
write: no ``<properties>`` or ``file``/``line`` on a test case), with the short message a dashboard
shows in its ``message`` attribute and the hint in the body. The file is for the instructor, so a
hidden check's body also carries its ``detail``.
"""

from __future__ import annotations

import os
import socket
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from . import escape
from .results import CheckResult, Result

__all__ = ["MAX_MESSAGE", "junit_tree", "one_line", "write_junit", "write_tree"]

MAX_MESSAGE = 300  # characters of the message attribute: a dashboard shows it on one line
# a check's status -> the element that reports it (passed has none)
_ELEMENT = {"failed": "failure", "missing": "failure", "error": "error", "timeout": "error", "crashed": "error"}


def junit_tree(student: str, result: Result) -> ElementTree.ElementTree:
    """The ``<testsuites>`` document for one graded submission."""
    checks = [check for exercise in result.exercises for check in exercise.checks]
    failures = sum(_ELEMENT.get(c.status) == "failure" for c in checks)
    errors = sum(_ELEMENT.get(c.status) == "error" for c in checks)
    counts = {"tests": str(len(checks)), "failures": str(failures), "errors": str(errors)}
    duration = f"{result.duration_seconds:.3f}"
    root = ElementTree.Element("testsuites", {"name": escape.xml(result.assignment), **counts, "time": duration})
    suite = ElementTree.SubElement(root, "testsuite", {
        "name": escape.xml(student or result.submission), **counts, "skipped": "0", "time": duration,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), "hostname": escape.xml(socket.gethostname()),
    })
    for check in checks:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": escape.xml(f"{result.assignment}.{check.exercise}"), "name": escape.xml(check.name),
            "time": "0",
        })
        element = _ELEMENT.get(check.status)
        if element is not None:
            outcome = ElementTree.SubElement(case, element, {"message": _short(check), "type": check.status})
            outcome.text = escape.xml(_body(check))
    summary = [f"{result.points:g} of {result.max_points:g} points"]
    summary += [f"problem: {result.problem}"] if result.problem else []
    summary += result.notes
    ElementTree.SubElement(suite, "system-out").text = escape.xml("\n".join(summary))
    return ElementTree.ElementTree(root)


def write_junit(path: Path, student: str, result: Result) -> Path:
    """Write the student's report to ``path`` atomically (a dashboard never reads half a file)."""
    return write_tree(path, junit_tree(student, result))


def write_tree(path: Path, tree: ElementTree.ElementTree) -> Path:
    """Write ``tree`` to ``path`` atomically, indented."""
    ElementTree.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tree.write(temporary, encoding="utf-8", xml_declaration=True)
    os.replace(temporary, path)
    return path


def _short(check: CheckResult) -> str:
    first = (check.message.strip().splitlines() or [check.status])[0]
    return one_line(f"{check.exercise}: {first} ({check.points:g}/{check.max_points:g})")


def one_line(text: str) -> str:
    """A ``message`` attribute: the first line, escaped, at most MAX_MESSAGE characters."""
    first = escape.xml((text.splitlines() or [""])[0])
    return first if len(first) <= MAX_MESSAGE else first[: MAX_MESSAGE - 1] + "…"


def _body(check: CheckResult) -> str:
    parts = [check.message, f"Hint: {check.hint}" if check.hint else ""]
    if check.hidden:
        parts.append(f"Hidden check (students see only the lines above). For you: {check.detail}"
                     if check.detail else "Hidden check: students see the lines above.")
    return "\n".join(p for p in parts if p)
