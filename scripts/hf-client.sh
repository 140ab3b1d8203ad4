#!/usr/bin/env bash
# The Hugging Face Hub client (`hf`, huggingface_hub) that the compatibility tests run against the server
# (test/e2e/hub-compat.spec.ts), pinned, in a virtual environment under tmp/. Installs it from the Python package
# index when missing; stops with the command to run when it can't.
set -uo pipefail
cd "$(dirname "$0")/.."
VERSION=1.33.0
venv=tmp/hf-client
python=${HOUNSFIELD_PYTHON:-/usr/bin/python3}
have() { "$venv/bin/python" -c "import sys, huggingface_hub as h; sys.exit(h.__version__ != '$VERSION')" 2>/dev/null; }
have && exit 0
echo "== installing huggingface_hub $VERSION for the Hub compatibility tests (into $venv)"
rm -rf "$venv"
# One retry: an unreachable default index should not cost minutes when a configured mirror answers.
if "$python" -m venv "$venv" && PIP_RETRIES=1 PIP_DEFAULT_TIMEOUT=30 "$venv/bin/pip" install -q --disable-pip-version-check "huggingface_hub==$VERSION" 2>"$venv.log" && have; then
  exit 0
fi
tail -5 "$venv.log" >&2
echo "installing huggingface_hub $VERSION failed; run this, then try again:" >&2
echo "  $python -m venv $venv && $venv/bin/pip install huggingface_hub==$VERSION" >&2
exit 1
