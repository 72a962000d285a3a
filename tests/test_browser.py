"""The student's experience end to end: JupyterLab in a real headless Chromium, a stub filled in,
its check cell run, the feedback table rendered. Saves a screenshot to out/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"  # Debian's package (make test installs it)
SCREENSHOT = ROOT / "out" / "screenshots" / "jupyterlab-check.png"
TOKEN = "calc4ml-browser-test"
WRONG_LAYER_SIZES = '''def layer_sizes(X, Y):
    """A typical first attempt: the sizes read from the wrong axis."""
    n_x = X.shape[1]
    n_y = Y.shape[0]
    return (n_x, n_y)
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on localhost, serving a student's copy of the release folder."""
    shutil.copytree(ROOT / "release" / "perceptron_regression", tmp_path / "perceptron_regression")
    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp_path / ".run"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / ".lab-settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".ws")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}", "--ServerApp.open_browser=False",
         *(["--allow-root"] if os.getuid() == 0 else [])],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("JupyterLab did not start") from None
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def accept_dialogs(page) -> None:
    """Accept a dialog JupyterLab put up (e.g. choosing the kernel when starting one was slow on a
    loaded machine): it would take every click. What it said goes to the test's output."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        print(f"accepted a JupyterLab dialog: {dialog.first.inner_text()!r}")
        accept = dialog.first.locator(".jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            page.keyboard.press("Escape")


def run_cell(page, cell) -> None:
    """Shift+Enter in the cell, again if its prompt did not change: on a busy machine the page can
    still be wiring up its editors when the first key press arrives, and that press is lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for _ in range(6):
        accept_dialogs(page)
        try:
            cell.locator(".jp-InputArea-editor").click(timeout=15_000)
        except PlaywrightTimeout:
            continue
        page.keyboard.press("Shift+Enter")
        try:
            expect(prompt).not_to_have_text(before, timeout=15_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the cell never started running (its prompt stayed {before!r})")


def run_to_the_end(page, cell, attempts: int = 3) -> None:
    """Run a cell until its prompt shows an execution count. On a loaded machine the kernel has been
    seen to restart while the first cell ran (its prompt went from [*] back to [ ]): run it again."""
    from playwright.sync_api import expect

    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(attempts):
        run_cell(page, cell)
        try:
            expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=90_000)
            return
        except AssertionError:
            if attempt + 1 == attempts:
                raise
            print(f"the cell did not finish (its prompt is {prompt.inner_text()!r}): running it again")


def test_a_student_fills_a_stub_runs_its_check_and_sees_the_named_mistake(jupyterlab):
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{jupyterlab}/lab/tree/perceptron_regression/perceptron_regression.ipynb?token={TOKEN}")
        cells = page.locator(".jp-Notebook .jp-Cell")
        expect(cells.first).to_be_visible(timeout=90_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first).to_be_attached(timeout=90_000)

        imports = cells.filter(has_text="from autograder import check")
        run_to_the_end(page, imports)

        stub = cells.filter(has_text="def layer_sizes(X, Y):")
        accept_dialogs(page)
        stub.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(WRONG_LAYER_SIZES)
        run_cell(page, stub)

        check_cell = cells.filter(has_text='check("layer_sizes")').first
        run_cell(page, check_cell)
        table = check_cell.locator(".jp-OutputArea-output table")
        expect(table).to_be_visible(timeout=60_000)
        output = check_cell.locator(".jp-OutputArea-output")
        expect(output).to_contain_text("Hint: X is (n_x, m), one example per column")
        expect(output).to_contain_text("0/1 points from the public checks")
        check_cell.scroll_into_view_if_needed()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
