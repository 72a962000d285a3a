"""The sandbox itself, each property shown with a control: what works unisolated fails inside it."""

from __future__ import annotations

import http.server
import os
import sys
import threading
from pathlib import Path

import pytest
from conftest import cells

from autograder.config import Limits
from autograder.context import GradingContext
from autograder.errors import StudentCodeRaised
from autograder.sandbox.isolation import Unisolated, child_environment, isolation_problems
from autograder.sandbox.runtime import SandboxRuntime
from autograder.sandbox.submission import Submission

LIMITS = Limits(call_seconds=10, cell_seconds=10, submission_seconds=60, processes=32, memory_mb=512)


@pytest.fixture
def both(run_notebook, sandbox):
    """Start the same cells twice: without isolation (the control) and in the grading sandbox."""
    def start(*sources):
        return run_notebook(*sources, limits=LIMITS, sandbox=Unisolated()), run_notebook(*sources, limits=LIMITS,
                                                                                         sandbox=sandbox)
    return start


def test_this_machine_can_isolate():
    assert isolation_problems() == ()


def test_the_child_runs_as_nobody_without_capabilities(both):
    plain, isolated = both("import os", "def who():\n    return os.getuid(), os.getgid(), open('/proc/self/status').read()")
    assert plain.who()[0] == os.getuid()
    uid, gid, status = isolated.who()
    assert (uid, gid) == (65534, 65534)
    assert "CapEff:\t0000000000000000" in status and "NoNewPrivs:\t1" in status


def test_the_solutions_and_the_course_are_not_there(both, course_root):
    solution = course_root / "solutions" / "perceptron_regression.py"
    plain, isolated = both(f"def peek():\n    return open({str(solution)!r}).read()[:20]",
                           "import os\ndef listing(path):\n    return sorted(os.listdir(path))")
    assert plain.peek() == solution.read_text()[:20]
    with pytest.raises(StudentCodeRaised, match="FileNotFoundError"):
        isolated.peek()
    # Only the system, the interpreter (possibly a virtual environment inside the course's clone) and the scratch dirs.
    interpreters = {Path(prefix) for prefix in (sys.prefix, sys.base_prefix)}
    system = {"bin", "dev", "etc", "lib", "lib64", "opt", "proc", "sbin", "tmp", "usr", "work"}
    assert set(isolated.listing("/")) <= system | {prefix.parts[1] for prefix in interpreters}
    assert set(plain.listing(str(course_root))) >= {"solutions", "assignments", "tests"}
    if any(course_root in prefix.parents for prefix in interpreters):
        assert {course_root / name for name in isolated.listing(str(course_root))} <= interpreters
    else:
        with pytest.raises(StudentCodeRaised, match="FileNotFoundError"):
            isolated.listing(str(course_root))


def test_there_is_no_network_not_even_to_this_machine(both):
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"42")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        plain, isolated = both("import urllib.request",
                               f"def fetch():\n    return urllib.request.urlopen({url!r}, timeout=2).read().decode()")
        assert plain.fetch() == "42"
        with pytest.raises(StudentCodeRaised, match="URLError|OSError|unreachable"):
            isolated.fetch()
    finally:
        server.shutdown()


def test_the_environment_is_scrubbed(both, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "do-not-leak")
    plain, isolated = both("import os", "def env():\n    return dict(os.environ)")
    assert "GRADER_SECRET_TOKEN" not in isolated.env()
    assert isolated.env() == {**child_environment("/work", "/tmp"), "PWD": "/work"}


def test_processes_are_capped_by_the_sandbox(both):
    cells = ("import os, time",
             "def fork_many(n):\n    made = 0\n    try:\n        for _ in range(n):\n            if os.fork() == 0:\n"
             "                time.sleep(30)\n                os._exit(0)\n            made += 1\n    except OSError:\n"
             "        pass\n    return made")
    plain, isolated = both(*cells)
    assert isolated.fork_many(200) < LIMITS.processes
    assert plain.fork_many(40) == 40  # the control: nothing stops 40 forks outside


def test_memory_and_file_size_are_capped(both):
    cells = ("import numpy as np",
             "def big_array():\n    return float(np.ones(200 * 1024 * 1024).sum())",
             "def big_file():\n    with open('/tmp/f.bin', 'wb') as f:\n"
             "        f.write(b'x' * (100 * 1024 * 1024))\n    return 1")
    _, isolated = both(*cells)
    with pytest.raises(StudentCodeRaised, match="MemoryError"):
        isolated.big_array()
    with pytest.raises(StudentCodeRaised, match="File too large|No space left"):
        isolated.big_file()


def test_the_system_is_read_only(both):
    _, isolated = both("def write_system():\n    open('/usr/evil', 'w').write('x')",
                       "def write_work():\n    open('/work/notes.txt', 'w').write('x')\n    return 'ok'")
    with pytest.raises(StudentCodeRaised, match="Read-only file system|Permission denied"):
        isolated.write_system()
    assert isolated.write_work() == "ok"


# ---------------------------------------------------------------------------- one sandbox, many submissions
#
# A grading process keeps one sandbox whose first process (the zygote) forks a child per submission;
# between two submissions it must leave nothing of the first for the second.

PEEK = """
import os
def peek():
    def listing(path):
        try:
            return sorted(os.listdir(path))
        except OSError as exc:
            return [type(exc).__name__]
    shm = open('/proc/sysvipc/shm').read().splitlines()[1:]
    others = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid()))
    zygote = open('/proc/1/stat').read().split(')')[1].split()
    import ctypes, platform
    keyctl = {'x86_64': 250, 'aarch64': 219}[platform.machine()]
    key = ctypes.CDLL(None).syscall(keyctl, 10, -4, b'user', b'calc4ml', 0)  # KEYCTL_SEARCH the user keyring
    xattrs = {path: sorted(os.listxattr(path)) for path in ('/tmp', '/work', '/dev/shm', '/tmp/matplotlib')}
    return {'tmp': listing('/tmp'), 'work': listing('/work'), 'shm': listing('/dev/shm'), 'sysv': len(shm),
            'processes': others, 'zygote_started': int(zygote[19]), 'parent': os.getppid(), 'key': key > 0,
            'xattrs': xattrs}
"""

LEAVE_TRACES = """
import ctypes, os, subprocess, time
def leave_traces():
    open('/tmp/answers.txt', 'w').write('mine')
    os.makedirs('/work/hidden/deeper')
    open('/work/hidden/deeper/plant.py', 'w').write('print("planted")')
    os.chmod('/work/hidden', 0)
    open('/dev/shm/note', 'w').write('x')
    for path in ('/tmp', '/work', '/dev/shm', '/tmp/matplotlib'):  # extended attributes on what was there before
        os.setxattr(path, 'user.calc4ml', b'answers')
    libc = ctypes.CDLL(None)
    segment = libc.shmget(0x5eed, 4096, 0o1666)  # IPC_CREAT | 0666
    add_key = {'x86_64': 248, 'aarch64': 217}[__import__('platform').machine()]
    libc.syscall(add_key, b'user', b'calc4ml', b'answers', 7, -4)  # into the user keyring
    queue = ctypes.CDLL('librt.so.1').mq_open(b'/calc4ml', os.O_CREAT | os.O_RDWR, 0o600, None)
    assert queue == -1, 'a POSIX message queue could be made'
    subprocess.Popen(['sleep', '300'], start_new_session=True)
    if os.fork() == 0:  # a daemon: double fork, new session, ignores everything it can
        os.setsid()
        if os.fork() == 0:
            import signal
            for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(number, signal.SIG_IGN)
            time.sleep(300)
        os._exit(0)
    time.sleep(0.2)
    return segment
"""


@pytest.fixture
def worker():
    """One grading process's context: its sandbox's zygote serves every submission graded in it."""
    context = GradingContext()
    yield context
    context.close()


def _graded(context, sandbox, *sources):
    """Run one submission's cells to the end in the grading sandbox; its peek() result, and others."""
    runtime = SandboxRuntime(cells(*sources), LIMITS, sandbox, seed=0, children=context.children)
    with runtime:
        submission = Submission(runtime)
        return {name: getattr(submission, name)() for name in ("leave_traces", "spoil", "peek")
                if submission.defines(name)}


def test_a_submission_finds_nothing_the_one_before_left(worker, sandbox):
    before = _graded(worker, sandbox, PEEK, LEAVE_TRACES.replace("    return segment", "    return peek()"))
    traces = before["leave_traces"]  # the control: the traces are there, and peek() sees them
    assert "answers.txt" in traces["tmp"] and "hidden" in traces["work"] and "note" in traces["shm"]
    assert traces["sysv"] == 1 and len(traces["processes"]) >= 2 and traces["key"]
    assert all(names == ["user.calc4ml"] for names in traces["xattrs"].values())
    after = _graded(worker, sandbox, PEEK)["peek"]
    assert after["zygote_started"] == traces["zygote_started"]  # the same sandbox served both
    assert after["parent"] == 1
    # what was there before the traces (the matplotlib folder; folders holding the interpreter's mount, if any)
    assert after["tmp"] == sorted(set(traces["tmp"]) - {"answers.txt"}) and "matplotlib" in after["tmp"]
    assert after["work"] == sorted(set(traces["work"]) - {"hidden"})
    assert after["shm"] == [] and after["sysv"] == 0
    assert after["processes"] == [] and not after["key"]
    assert all(names == [] for names in after["xattrs"].values())


def test_student_code_can_neither_stop_nor_read_the_zygote(worker, sandbox):
    attack = """
import os, signal
def spoil():
    for number in (signal.SIGKILL, signal.SIGSTOP, signal.SIGINT, signal.SIGTERM):
        os.kill(1, number)  # accepted, and dropped by the kernel: PID 1 has no handlers
    paths = ['/proc/1/mem', '/proc/1/environ', '/proc/1/cwd'] + [f'/proc/1/fd/{n}' for n in os.listdir('/proc/1/fd')]
    refused = []
    for path in paths:
        try:
            os.readlink(path) if '/fd/' in path or path.endswith('cwd') else open(path, 'rb').read(1)
        except PermissionError:
            refused.append(path)
    return paths, refused, open('/proc/1/stat').read().split(')')[1].split()[0]
"""
    first = _graded(worker, sandbox, PEEK, attack)
    paths, refused, state = first["spoil"]
    assert len(paths) > 3 and refused == paths  # its memory, environment and every descriptor (the control socket)
    assert state in ("S", "R")  # not stopped
    second = _graded(worker, sandbox, PEEK)["peek"]
    assert second["zygote_started"] == first["peek"]["zygote_started"]


def test_a_sandbox_that_cannot_be_put_back_is_replaced(worker, sandbox):
    spoil = "import os\ndef spoil():\n    os.chmod('/tmp/matplotlib', 0)\n    return oct(os.stat('/tmp/matplotlib').st_mode)"
    first = _graded(worker, sandbox, PEEK, spoil)
    assert first["spoil"] == "0o40000"
    second = _graded(worker, sandbox, PEEK, "import os\ndef spoil():\n    return oct(os.stat('/tmp/matplotlib').st_mode)")
    assert second["peek"]["zygote_started"] != first["peek"]["zygote_started"]  # a new sandbox
    assert second["spoil"] == "0o41777"
