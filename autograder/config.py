"""Where an assignment's files are, and the limits it is graded under.

Settings are resolved in one fixed order, later wins: the built-in defaults below, then the
assignment's ``assignment.toml``, then the command line. Every error names where the bad value came
from and what would be valid.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contract import ContractRule, parse_contracts
from .errors import InstructorError
from .policy import Policy, parse_policies

__all__ = ["Assignment", "Limits", "find_course_root"]

ASSIGNMENT_FILE = "assignment.toml"
PUBLIC_CHECKS = "checks_public.py"
HIDDEN_CHECKS = "checks_hidden.py"
PUBLIC_CASES = "public_cases.json"
MISTAKES = "mistakes.py"
STUDENT_CHECKS_DIR = "checks"  # inside release/<assignment>/: what self-checks need, nothing else
DEFAULT_SEED = 20261126
DEFAULT_PRELOAD = ("numpy", "matplotlib.pyplot")  # what most notebooks import first


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's child process. Seconds are wall time."""

    call_seconds: float = 10.0  # one call into a student function
    cell_seconds: float = 20.0  # one notebook cell run at top level
    cells_seconds: float = 60.0  # all top-level work; after it, cells run only their imports and definitions
    submission_seconds: float = 240.0  # everything for one submission: cells, calls, restarts
    memory_mb: int = 1536  # RLIMIT_DATA: heap and private mappings, not reserved address space
    output_kb: int = 64  # captured output kept per cell or call
    file_mb: int = 64  # RLIMIT_FSIZE: largest file the child may write
    open_files: int = 256  # RLIMIT_NOFILE
    processes: int = 64  # pids cgroup limit where a cgroup is available
    restarts: int = 5  # child processes started again for calls after a crash or hang

    def replace(self, values: Mapping[str, Any], source: str) -> Limits:
        """A copy with ``values`` applied; bad names or values raise, naming ``source``."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in fields:
                raise InstructorError(
                    f"unknown limit {name!r} in {source}; valid limits: {', '.join(sorted(fields))}"
                )
            kind = int if fields[name].type in ("int", int) else float
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InstructorError(
                    f"invalid value {value!r} for limit {name!r} in {source}; expected a positive {kind.__name__}"
                )
            changes[name] = kind(value)
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Assignment:
    """One assignment's files. ``reference`` and hidden checks are absent on a student's machine."""

    name: str
    directory: Path  # assignments/<name>/ in a course repo, release/<name>/checks/ for students
    title: str
    seed: int
    limits: Limits
    public_checks: Path
    hidden_checks: Path | None
    cases: Path
    reference: Path | None
    mistakes: Path | None
    course_root: Path | None
    notebook: str
    exercises: tuple[str, ...]  # in the notebook's order
    policies: Mapping[str, Policy]  # rules on how an exercise may be solved (policy.py)
    preload: tuple[str, ...] = DEFAULT_PRELOAD  # imported before the notebook runs (once per zygote)
    contracts: tuple[ContractRule, ...] = ()  # other courses' notebooks and what they promise (contract.py)

    @property
    def check_files(self) -> tuple[Path, ...]:
        hidden = (self.hidden_checks,) if self.hidden_checks and self.hidden_checks.exists() else ()
        return (self.public_checks, *hidden)

    @property
    def release_dir(self) -> Path | None:
        return self.course_root / "release" / self.name if self.course_root else None

    @property
    def source_dir(self) -> Path | None:
        return self.course_root / "source" / self.name if self.course_root else None

    @classmethod
    def load(cls, name_or_path: str | Path, course_root: Path | None = None) -> Assignment:
        """Find an assignment by name (in ``<course>/assignments/``) or by its folder's path."""
        directory = _locate(name_or_path, course_root)
        settings = _read_toml(directory / ASSIGNMENT_FILE)
        name = str(settings.get("name", directory.name))
        in_course = directory.parent.name == "assignments"
        root = directory.parent.parent if in_course else None
        reference = root / "solutions" / f"{name}.py" if root else None
        if reference is not None and not reference.exists():
            raise InstructorError(f"the reference solution {reference} is missing; add it or check the assignment name")
        source = f"{directory / ASSIGNMENT_FILE}"
        return cls(
            name=name,
            directory=directory,
            title=str(settings.get("title", name)),
            seed=_int_setting(settings, "seed", DEFAULT_SEED, source),
            limits=Limits().replace(settings.get("limits", {}), source),
            public_checks=directory / PUBLIC_CHECKS,
            hidden_checks=directory / HIDDEN_CHECKS if in_course else None,
            cases=directory / PUBLIC_CASES,
            reference=reference,
            mistakes=directory / MISTAKES if in_course and (directory / MISTAKES).exists() else None,
            course_root=root,
            notebook=str(settings.get("notebook", f"{name}.ipynb")),
            exercises=_names_setting(settings, "exercises", source),
            policies=parse_policies(settings.get("policy", {}), source),
            preload=_names_setting(settings, "preload", source) if "preload" in settings else DEFAULT_PRELOAD,
            contracts=parse_contracts(settings.get("contracts", {}), source),
        )

    def data_files(self) -> tuple[Path, tuple[Path, ...]]:
        """The files a notebook reads at top level (its data), and the folder they are relative to:
        everything in the release folder except notebooks and the self-check folder."""
        candidates = (self.release_dir, self.source_dir) if self.course_root else (self.directory.parent,)
        base = next((c for c in candidates if c is not None and c.is_dir()), None)
        if base is None:
            return self.directory, ()
        files = sorted(
            p for p in base.rglob("*")
            if p.is_file() and p.suffix != ".ipynb" and STUDENT_CHECKS_DIR not in p.relative_to(base).parts[:1]
            and ".ipynb_checkpoints" not in p.parts
        )
        return base, tuple(files)

def find_course_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` that holds an ``assignments/`` folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "assignments").is_dir() and (folder / "nbgrader_config.py").exists():
            return folder
    return None


def _locate(name_or_path: str | Path, course_root: Path | None) -> Path:
    candidate = Path(name_or_path)
    if (candidate / ASSIGNMENT_FILE).exists():
        return candidate.resolve()
    root = course_root or find_course_root()
    if root is not None and (root / "assignments" / str(name_or_path) / ASSIGNMENT_FILE).exists():
        return (root / "assignments" / str(name_or_path)).resolve()
    known = sorted(p.parent.name for p in (root / "assignments").glob(f"*/{ASSIGNMENT_FILE}")) if root else []
    where = (f" Known assignments: {', '.join(known)}." if known else
             " Run from a course folder (one with assignments/ and nbgrader_config.py) or give the assignment's folder.")
    raise InstructorError(f"no assignment called {str(name_or_path)!r}.{where}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InstructorError(f"{path} is not valid TOML ({exc}); fix the file") from None


def _names_setting(settings: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = settings.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InstructorError(f"invalid {key} {value!r} in {source}; expected a list of exercise names")
    return tuple(value)


def _int_setting(settings: Mapping[str, Any], key: str, default: int, source: str) -> int:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstructorError(f"invalid {key} {value!r} in {source}; expected an integer")
    return value
