#!/usr/bin/env bash
# The system packages `npm test` needs on Debian: chromium (browser journeys), PyTorch and friends (the reference
# trainer), python3-venv (the pinned Hugging Face client of the Hub compatibility tests), PostgreSQL 15 (tests
# against an external database), Slurm and munge (the Slurm executor, on a single-node cluster the tests start), dcmtk
# and dcm2niix (the field's DICOM tools: they re-encode real series into every transfer syntax and convert them as the
# oracle for geometry).
# Installs what is missing with apt when running as root; otherwise stops at once and prints the one command to run.
set -uo pipefail

PACKAGES=(chromium python3-torch python3-numpy python3-scipy python3-nibabel python3-pydicom python3-pil python3-pytest python3-venv postgresql-15 postgresql-client slurm-wlm munge dcmtk dcm2niix)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing system packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
  fi
  echo "installing failed; run it yourself and try again:" >&2
  echo "  $command" >&2
  exit 1
fi
echo "npm test needs these Debian packages, which are not installed: ${missing[*]}" >&2
echo "Install them (as root), then run npm test again:" >&2
echo "  sudo sh -c '$command'" >&2
exit 1
