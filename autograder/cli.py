"""``autograder``: the command line. Run ``autograder <command> --help`` for each command."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")

    grade = commands.add_parser("grade", help="grade submissions (instructor)",
                                description="Grade submissions with every check, each in a sandboxed process.")
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
    grade.add_argument("--csv", type=Path, metavar="PATH", help="nbgrader export's columns plus one per exercise")
    grade.add_argument("--gradebook", metavar="DB_URL",
                       help="write the scores into an nbgrader gradebook (e.g. sqlite:////course/gradebook.db)")
    grade.add_argument("--junit", type=Path, metavar="DIR", help="pytest's JUnit XML per student, for CI dashboards")
    grade.add_argument("--feedback", type=Path, metavar="DIR", help="HTML and Markdown feedback per student, with plots")
    where = grade.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on an existing Dask cluster (tcp://host:8786)")
    where.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    grade.add_argument("--seed", type=int, help="session seed for the checks' inputs (default: the assignment's)")
    grade.add_argument("--details", action="store_true", help="print every submission's full report")
    _isolation_flag(grade)
    grade.set_defaults(run=_grade)

    check = commands.add_parser("check", help="run the public checks on a notebook (student)",
                                description="Run the public checks on your notebook, as check() does inside it.")
    check.add_argument("notebook", type=Path)
    check.add_argument("--exercise", help="only this exercise")
    check.add_argument("--assignment", help="assignment name or folder (default: found next to the notebook)")
    check.set_defaults(run=_check)

    verify = commands.add_parser("verify", help="prove the checks right on the sample submissions (CI)")
    verify.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    verify.add_argument("--workers", type=int, default=1)
    _isolation_flag(verify)
    verify.set_defaults(run=_verify)

    gradescope = commands.add_parser("gradescope", help="grade in Gradescope's layout (run by run_autograder)")
    gradescope.add_argument("assignment")
    gradescope.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    gradescope.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    _isolation_flag(gradescope)
    gradescope.set_defaults(run=_gradescope)

    zip_ = commands.add_parser("gradescope-zip", help="build the autograder zip to upload to Gradescope")
    zip_.add_argument("assignment")
    zip_.add_argument("-o", "--output", type=Path, required=True, metavar="ZIP")
    zip_.add_argument("--no-isolation", action="store_true",
                      help="grade without the sandbox on Gradescope (each submission still gets its own container)")
    zip_.set_defaults(run=_gradescope_zip)

    release = commands.add_parser("release", help="regenerate release/<assignment> with nbgrader (instructor)")
    release.add_argument("assignments", nargs="+")
    release.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")
    release.set_defaults(run=_release)

    samples = commands.add_parser("samples", help="rebuild the sample notebooks in tests/samples/<assignment>/")
    samples.add_argument("assignments", nargs="+")
    samples.add_argument("--folder", type=Path, action="append",
                         help="a folder with its own samples.toml (repeatable; default tests/samples/<assignment>)")
    samples.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")
    samples.set_defaults(run=_samples)
    return parser


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
    print(f"graded {len(results)} submission(s) in {time.monotonic() - started:.1f} s "
          f"with {sandbox.name} isolation; results in {store.folder}", file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace, assignment: Assignment, graded: list[tuple[str, Result]]) -> None:
    from .exports import record_in_gradebook, write_csv

    if args.csv:
        write_csv(args.csv, assignment, graded)
    if args.gradebook:
        record_in_gradebook(args.gradebook, assignment, graded)
    if args.feedback:
        from .feedback import write_feedback

        write_feedback(args.feedback, assignment, graded)


def _gradescope(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .gradescope import run

    return run(Assignment.load(args.assignment), args.submission, args.results, allow_unisolated=args.no_isolation)


def _gradescope_zip(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .gradescope import build_zip

    print(f"wrote {build_zip(Assignment.load(args.assignment), args.output, allow_unisolated=args.no_isolation)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .config import Assignment
    from .grade import Selection, grade_submission
    from .report import CheckReport
    from .sandbox.isolation import Unisolated
    from .selfcheck import locate_assignment

    if args.assignment:
        assignment = Assignment.load(args.assignment)
    else:
        assignment = locate_assignment(args.notebook.resolve().parent)
    base, files = assignment.data_files()
    result = grade_submission(assignment, args.notebook, Unisolated(files, base),
                              selection=Selection("public", args.exercise))
    report = CheckReport(result, f"{assignment.name}" + (f" › {args.exercise}" if args.exercise else ""))
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
    status = 0
    pool = spawn_pool(args.workers) if args.workers > 1 else None
    try:
        for name in names:
            assignment = Assignment.load(name, root)
            report = verify(assignment, choose_sandbox(assignment, allow_unisolated=args.no_isolation), pool)
            print(f"== verify {name}")
            print("\n".join(report.lines))
            print(f"== {name}: {'passed' if not report.failures else 'FAILED (' + str(int(report.failures)) + ')'}")
            status |= int(report.failures)
    finally:
        if pool is not None:
            pool.shutdown()
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
