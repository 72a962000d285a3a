#!/usr/bin/env bash
# The course's CI: install the grader, prove every assignment's checks right on its sample
# submissions (`autograder verify`: the reference gets full marks, the stub zero, every mutant the
# verdict samples.toml gives it; release/ and the samples are up to date), and leave a JUnit report
# for the CI to publish. Written by `autograder ci-template`; run it from anywhere:
#
#   ci/verify-course.sh [ASSIGNMENT ...]      # default: every assignment
#
# Settings (environment variables):
#   AUTOGRADER_SPEC     what pip installs: the grader's git URL at a tag or commit, a wheel, a folder
#                       (default below, recorded when this file was written)
#   PYTHON              a Python 3.11 that already has the grader: then nothing is installed
#   AUTOGRADER_VENV     the virtual environment to make (default .autograder-venv, in the course)
#   AUTOGRADER_JUNIT    the JUnit report (default out/verify-junit.xml, in the course)
#   AUTOGRADER_WORKERS  samples graded at once (default: the number of cores)
#
# Exit status: verify's. 0 when everything is proven; otherwise the sum of 1 (a reference short of
# full marks), 2 (a stub not at zero), 4 (a mutant not caught), 8 (two gradings differ), 16 (out of
# date); 69 when this machine cannot sandbox student code; 78 when the course is broken.
set -euo pipefail
course="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$course"
spec="${AUTOGRADER_SPEC:-@SPEC@}"
junit="${AUTOGRADER_JUNIT:-out/verify-junit.xml}"
workers="${AUTOGRADER_WORKERS:-$(nproc 2>/dev/null || echo 2)}"

say() { printf 'verify-course: %s\n' "$*" >&2; }

# 1. The grader, in a virtual environment of its own (skipped when PYTHON is given).
if [ -z "${PYTHON:-}" ]; then
  base="$(command -v python3.11 || command -v python3 || true)"
  if [ -z "$base" ] || ! "$base" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    say "the grader needs Python 3.11 (found: ${base:-none}); install it, or set PYTHON"
    exit 78
  fi
  venv="${AUTOGRADER_VENV:-.autograder-venv}"
  [ -x "$venv/bin/python" ] || "$base" -m venv "$venv"
  PYTHON="$venv/bin/python"
  say "installing $spec"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "$spec"
fi

# 2. The sandbox: bubblewrap, which student code runs in. Installed when missing and we may.
if ! command -v bwrap >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap >/dev/null
  else
    say "bubblewrap is missing: install it (apt-get install bubblewrap), or the checks cannot run student code safely"
    exit 69
  fi
fi
# Ubuntu 24.04 forbids unprivileged user namespaces to programs without an AppArmor profile.
restrict=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if [ -r "$restrict" ] && [ "$(cat "$restrict")" = 1 ]; then
  if [ "$(id -u)" = 0 ]; then sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
  fi
fi

# 3. The proofs, with their JUnit report.
say "verifying ${*:-every assignment} with $("$PYTHON" -m autograder --version)"
mkdir -p "$(dirname "$junit")"
export JAX_PLATFORMS=cpu
status=0
"$PYTHON" -m autograder verify "$@" --workers "$workers" --junit "$junit" || status=$?
say "exit status $status; report in $junit"
exit "$status"
