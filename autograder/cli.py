"""``autograder``: the command line. Run ``autograder <command> --help`` for each command."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GraderError, InfrastructureError, InstructorError

if TYPE_CHECKING:
    from .config import Assignment
    from .results import Result

__all__ = ["main"]

# verify's exit status is a sum of bits 1..16 (see verify.Failure); these stay clear of them
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INFRASTRUCTURE = 69  # sysexits EX_UNAVAILABLE: this machine cannot grade (e.g. no sandbox)
EXIT_INSTRUCTOR = 78  # sysexits EX_CONFIG: the course's configuration or checks are broken


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InfrastructureError as exc:
        print(f"autograder: this machine cannot grade: {exc}", file=sys.stderr)
        return EXIT_INFRASTRUCTURE
    except InstructorError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_INSTRUCTOR
    except GraderError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130


_EPILOG = """\
exit status:
  0   done: every check passed (check), everything graded (grade), all proven (verify)
  1   a check failed (check), something is out of date (release/samples --check),
      or grading went wrong in a way that cost no grade
  2   the command line is wrong: unknown option, a submission path that does not exist
  69  this machine cannot grade (no working sandbox; see --no-isolation)
  78  the course is broken: a bad assignment.toml, a check file that does not import
verify adds up 1 (reference not full marks), 2 (stub not zero), 4 (a mutant not caught),
8 (two runs differ) and 16 (release/, cases or samples out of date).
"""


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="autograder", description=__doc__, epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="command")
    for build in (_grade_parser, _check_parser, _verify_parser, _gradescope_parser, _gradescope_zip_parser,
                  _release_parser, _new_parser, _samples_parser, _ci_template_parser):
        build(commands)
    return parser


def _command(commands: argparse._SubParsersAction, name: str, summary: str, description: str,
             run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=description, epilog=_EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    command.set_defaults(run=run)
    return command


def _grade_parser(commands: argparse._SubParsersAction) -> None:
    grade = _command(commands, "grade", "grade submissions (instructor)",
                     "Grade submissions with every check, public and hidden, each in its own sandboxed process. "
                     "Prints one report for a single submission, a class table for several.", _grade)
    grade.add_argument("assignment", help="assignment name (in ./assignments/) or its folder")
    grade.add_argument("submissions", nargs="+", type=Path,
                       help="notebooks, scripts, folders of them, or nbgrader's submitted/ folder")
    grade.add_argument("--json", type=Path, metavar="PATH", help="write every result as JSON (docs/results-format.md)")
    grade.add_argument("--out", type=Path, metavar="DIR",
                       help="save each student's result here as it is done (default out/<assignment>); "
                            "a rerun skips what is saved for the same file and checks")
    grade.add_argument("--force", action="store_true", help="grade again even what is already saved")
    grade.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="grade this many submissions at once (default: the number of cores)")
    grade.add_argument("--seed", type=int, help="session seed for the checks' inputs (default: the assignment's)")
    grade.add_argument("--details", action="store_true", help="print every submission's full report")
    exports = grade.add_argument_group("exports")
    exports.add_argument("--csv", type=Path, metavar="PATH", help="nbgrader export's columns plus one per exercise")
    exports.add_argument("--gradebook", metavar="DB_URL",
                         help="write the scores into an nbgrader gradebook (e.g. sqlite:////course/gradebook.db). "
                              "Submissions in an nbgrader course's submitted/<student>/<assignment>/ also get the "
                              "course's autograded/<student>/<assignment>/ (the notebook with each grade cell showing "
                              "its verdict, and timestamp.txt), and the gradebook gets the notebook's cells if it lacks "
                              "them: formgrader then lists them as autograded and `nbgrader generate_feedback` works "
                              "(docs/nbgrader.md). Manual scores given in formgrader are kept")
    exports.add_argument("--no-autograded", action="store_true",
                         help="with --gradebook, write only the scores: no autograded/ folder, no notebook cells")
    exports.add_argument("--junit", type=Path, metavar="DIR", help="JUnit XML per student, for CI dashboards")
    exports.add_argument("--feedback", type=Path, metavar="DIR", help="HTML and Markdown feedback per student, with plots")
    where = grade.add_argument_group("scale-out").add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on an existing Dask cluster (tcp://host:8786)")
    where.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    _isolation_flag(grade)


def _check_parser(commands: argparse._SubParsersAction) -> None:
    check = _command(commands, "check", "run the public checks on a notebook (student)",
                     "Run the public checks on your notebook or script, as check() does inside it. "
                     "Exit 0 when every public check passes.", _check)
    check.add_argument("notebook", type=Path, help="your .ipynb or .py")
    check.add_argument("--exercise", help="only this exercise")
    check.add_argument("--assignment", help="assignment name or folder (default: found next to the notebook)")


def _verify_parser(commands: argparse._SubParsersAction) -> None:
    verify = _command(commands, "verify", "prove the checks right on the sample submissions (CI)",
                      "Grade each assignment's reference (full marks), stub (zero) and mutants (each caught as "
                      "tests/samples/<assignment>/samples.toml says), twice, and check that release/, the public "
                      "cases and the samples are up to date. Run it in the course folder.", _verify)
    verify.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    verify.add_argument("--workers", type=int, default=1, help="grade this many samples at once (default 1)")
    verify.add_argument("--junit", type=Path, metavar="PATH",
                        help="also write the proofs as JUnit XML: a suite per assignment (docs/junit.xsd)")
    _isolation_flag(verify)


def _gradescope_parser(commands: argparse._SubParsersAction) -> None:
    gradescope = _command(commands, "gradescope", "grade in Gradescope's layout (run by run_autograder)",
                          "Grade the submission in Gradescope's folder and write results.json. Gradescope's "
                          "run_autograder calls this; you rarely do. run_autograder reads two environment "
                          "variables: AUTOGRADER_ROOT (Gradescope's folder, default /autograder: set it to try a "
                          "zip unpacked elsewhere) and PYTHON (default: the zip's .venv/bin/python).", _gradescope)
    gradescope.add_argument("assignment", help="assignment name or folder")
    gradescope.add_argument("--submission", type=Path, default=Path("/autograder/submission"),
                            help="the student's upload (default /autograder/submission)")
    gradescope.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"),
                            help="where Gradescope reads the results (default /autograder/results/results.json)")
    _isolation_flag(gradescope)


def _gradescope_zip_parser(commands: argparse._SubParsersAction) -> None:
    zip_ = _command(commands, "gradescope-zip", "build the autograder zip to upload to Gradescope",
                    "Build the zip Gradescope's programming assignment asks for: setup.sh, run_autograder, "
                    "this engine, the assignment's checks, reference and data.", _gradescope_zip)
    zip_.add_argument("assignment", help="assignment name or folder")
    zip_.add_argument("-o", "--output", type=Path, required=True, metavar="ZIP", help="the zip to write")
    zip_.add_argument("--no-isolation", action="store_true",
                      help="grade without the sandbox on Gradescope (each submission still gets its own container)")


def _release_parser(commands: argparse._SubParsersAction) -> None:
    release = _command(commands, "release", "regenerate release/<assignment> with nbgrader (instructor)",
                       "Run nbgrader's generate_assignment on source/<assignment> and add what check() needs "
                       "beside the notebook (public checks, cases, data).", _release)
    release.add_argument("assignments", nargs="+", help="assignment names")
    release.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")


def _new_parser(commands: argparse._SubParsersAction) -> None:
    new = _command(commands, "new", "start an assignment from a working example (instructor)",
                   "Write a working assignment NAME in the course folder (making the folder a course if it is "
                   "not one): reference, checks, nbgrader source notebook and samples, then release it, so "
                   "`autograder verify NAME` passes at once.", _new)
    new.add_argument("name", help="the assignment's name: lower-case letters, digits and _")
    new.add_argument("--title", help="the notebook's title (default: from the name)")
    new.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: here)")
    new.add_argument("--seed", type=int, default=20261126, help="the session seed the checks derive their inputs from")


def _samples_parser(commands: argparse._SubParsersAction) -> None:
    samples = _command(commands, "samples", "rebuild the sample notebooks in tests/samples/<assignment>/",
                       "Write the reference, stub and mutant notebooks that verify grades, from "
                       "samples.toml and the release notebook.", _samples)
    samples.add_argument("assignments", nargs="+", help="assignment names")
    samples.add_argument("--folder", type=Path, action="append",
                         help="a folder with its own samples.toml (repeatable; default tests/samples/<assignment>)")
    samples.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")


def _ci_template_parser(commands: argparse._SubParsersAction) -> None:
    ci = _command(commands, "ci-template", "write the course's CI: a shell entry point and a GitHub workflow",
                  "Write ci/verify-course.sh (install the grader, run `autograder verify` on every assignment, "
                  "write out/verify-junit.xml) and .github/workflows/autograder-verify.yml (runs it on every push "
                  "and publishes the report) into the course folder. Existing files are kept unless --force.", _ci_template)
    ci.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: here)")
    ci.add_argument("--spec", help="what the CI installs with pip (default: this grader, as pip can install it again)")
    ci.add_argument("--force", action="store_true", help="overwrite the files if they exist")


def _isolation_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument("--no-isolation", action="store_true",
                         help="accept grading without the sandbox (student code can read what you can); only "
                              "for trusted code or a machine that is itself disposable")


# ---------------------------------------------------------------------------- commands


def _grade(args: argparse.Namespace) -> int:
    from .batch import ResultStore, discover, executor_for, grade_batch
    from .config import Assignment
    from .report import class_table, submission_report
    from .results import dump_results
    from .sandbox.isolation import choose_sandbox

    assignment = Assignment.load(args.assignment)
    absent = [str(path) for path in args.submissions if not os.path.lexists(path)]
    if absent:
        print(f"autograder: no such file or folder: {', '.join(absent)}", file=sys.stderr)
        return EXIT_USAGE
    tasks = discover(args.submissions, assignment)
    if args.student:
        tasks = [t for t in tasks if t.student in args.student]
    if not tasks:
        print("autograder: no submissions found" + (f" for {', '.join(args.student)}" if args.student else ""),
              file=sys.stderr)
        return EXIT_USAGE
    sandbox = choose_sandbox(assignment, allow_unisolated=args.no_isolation)
    store = ResultStore(args.out or Path("out") / assignment.name)
    started = time.monotonic()
    workers = min(args.workers, len(tasks))
    with executor_for(workers, args.scheduler, args.dask_local) as executor:
        graded = grade_batch(assignment, tasks, sandbox, executor=executor, store=store, force=args.force, seed=args.seed,
                             junit=args.junit)
    results = [result for _, result in graded]
    if args.json:
        dump_results(results, args.json)
    _export(args, assignment, [(task.student, result) for task, result in graded])
    if len(results) == 1 or args.details:
        print("\n\n".join(submission_report(r) for r in results))
    if len(results) > 1:
        print(("\n\n" if args.details else "") + class_table(results))
    fresh = len(results) - store.reused
    reused = f" ({store.reused} more already saved: --force grades them again)" if store.reused else ""
    print(f"graded {fresh} submission(s) in {time.monotonic() - started:.1f} s with {sandbox.name} isolation{reused}; "
          f"results in {store.folder}", file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace, assignment: Assignment, graded: list[tuple[str, Result]]) -> None:
    from . import escape
    from .exports import record_in_gradebook, write_csv

    if args.csv:
        write_csv(args.csv, assignment, graded)
    if args.gradebook:
        # A result reused from --out names the file it was graded from, which may be another copy of the
        # same bytes (a moved or copied course): autograded/ goes next to the file graded now.
        import dataclasses

        from .batch import discover

        here = {task.student: str(task.path) for task in discover(args.submissions, assignment)}
        located = [(student, dataclasses.replace(result, submission=here.get(student, result.submission)))
                   for student, result in graded]
        for remark in record_in_gradebook(args.gradebook, assignment, located, autograded=not args.no_autograded):
            print(f"autograder: {escape.terminal_line(remark)}", file=sys.stderr)
    if args.feedback:
        from .feedback import write_feedback

        write_feedback(args.feedback, assignment, graded)


def _gradescope(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .gradescope import run

    args.results.unlink(missing_ok=True)  # no results.json from before may stand for this run
    try:
        assignment = Assignment.load(args.assignment)
    except GraderError as exc:  # Gradescope shows stdout to instructors: say it there too
        print(f"calc4ml autograder: {args.assignment}: NOT GRADED. The assignment cannot be loaded: {exc}")
        raise
    return run(assignment, args.submission, args.results, allow_unisolated=args.no_isolation)


def _gradescope_zip(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .gradescope import build_zip

    print(f"wrote {build_zip(Assignment.load(args.assignment), args.output, allow_unisolated=args.no_isolation)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .pipeline import Selection, grade_submission
    from .report import CheckReport
    from .sandbox.isolation import Unisolated
    from .selfcheck import grade_cell_points, known_exercise, locate_assignment

    if args.assignment:
        assignment = Assignment.load(args.assignment)
    else:
        assignment = locate_assignment(args.notebook.resolve().parent)
    if args.exercise:
        known_exercise(assignment, args.exercise)
    base, files = assignment.data_files()
    result = grade_submission(assignment, args.notebook, Unisolated(files, base),
                              selection=Selection("public", args.exercise))
    report = CheckReport(result, f"{assignment.name}" + (f" › {args.exercise}" if args.exercise else ""),
                         grade_cell_points(assignment, args.notebook))
    print(report)
    return EXIT_OK if report.passed else EXIT_FAILED


def _verify(args: argparse.Namespace) -> int:
    from .batch import spawn_pool
    from .config import Assignment, find_course_root
    from .sandbox.isolation import choose_sandbox
    from .verify import verify

    root = find_course_root()
    if root is None:
        raise InstructorError("run verify in the course folder (the one with assignments/ and nbgrader_config.py)")
    names = args.assignments or sorted(p.parent.name for p in (root / "assignments").glob("*/assignment.toml"))
    status, reports, started = 0, [], time.monotonic()
    pool = spawn_pool(args.workers) if args.workers > 1 else None
    try:
        for name in names:
            assignment = Assignment.load(name, root)
            report = verify(assignment, choose_sandbox(assignment, allow_unisolated=args.no_isolation), pool)
            print(f"== verify {name}")
            print("\n".join(report.lines))
            print(f"== {name}: {'passed' if not report.failures else 'FAILED (' + str(int(report.failures)) + ')'}")
            status |= int(report.failures)
            reports.append(report)
    finally:
        if pool is not None:
            pool.shutdown()
    if args.junit:
        from .junit import write_tree
        from .verify import verify_tree

        print(f"wrote {write_tree(args.junit, verify_tree(reports, time.monotonic() - started))}")
    return status


def _release(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .release import release, release_differences

    stale = False
    for name in args.assignments:
        assignment = Assignment.load(name)
        if args.check:
            differences = release_differences(assignment)
            stale |= bool(differences)
            print("\n".join(differences) if differences else f"release/{name} is up to date")
        else:
            print(f"wrote {release(assignment)}")
    return EXIT_FAILED if stale else EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .courseci import write_ci_files
    from .release import release
    from .samples import write_samples
    from .scaffold import new_assignment

    title = args.title or args.name.replace("_", " ").capitalize()
    written = new_assignment(args.course, args.name, title, args.seed)
    assignment = Assignment.load(args.name, args.course.resolve())
    written.append(release(assignment))
    written += write_samples(assignment)
    written += write_ci_files(args.course)  # a new course gets its CI; an existing one keeps its own
    course = args.course.resolve()
    print("\n".join(f"wrote {os.path.relpath(Path(path).resolve(), course)}" for path in written))
    print(f"next: `autograder verify {args.name}` (from {args.course}); then make the exercises yours, file by file "
          "(docs/authoring.md), and run `autograder release` and `autograder samples` again")
    return EXIT_OK


def _ci_template(args: argparse.Namespace) -> int:
    from .courseci import installed_spec, write_ci_files

    spec = args.spec or installed_spec()
    written = write_ci_files(args.course, spec, force=args.force)
    print("\n".join(f"wrote {path}" for path in written) or "the CI files exist already (--force rewrites them)")
    print(f"the CI installs: {spec}")
    if spec.split(" @ ")[-1].startswith("file:"):
        print("that is a folder of this machine: set AUTOGRADER_SPEC in the workflow to the grader's git URL at a tag")
    return EXIT_OK


def _samples(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .samples import sample_differences, write_samples

    stale = False
    for name in args.assignments:
        assignment = Assignment.load(name)
        for folder in args.folder or [None]:
            if args.check:
                differences = sample_differences(assignment, folder)
                stale |= bool(differences)
                print("\n".join(differences) if differences else f"samples in {folder or name} are up to date")
            else:
                print("\n".join(f"wrote {p}" for p in write_samples(assignment, folder)))
    return EXIT_FAILED if stale else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
