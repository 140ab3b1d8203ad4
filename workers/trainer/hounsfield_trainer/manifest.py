"""Dataset manifest: which volumes to train on, where they are, and what they must hash to.

{"volumes": [{"id": "...", "path": "rel/or/abs.nii.gz" | "url": "https://...", "sha256": "<64 hex>",
              "weight": 1.0, "geometry": {"shape": [x, y, z], "spacing": [mm, mm, mm], "orientation": "RAS"}}]}
Relative paths are resolved against the manifest's folder. geometry is required for .npy volumes (which carry
none; spacing in the array's axis order) and, when given for NIfTI, is checked against the file header.
"""
import hashlib
import json
import os
import re
import shutil
import urllib.request

from .nifti import VolumeError

_SHA = re.compile(r"^[0-9a-fA-F]{64}$")


class ManifestError(ValueError):
    pass


def load_manifest(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ManifestError(f"cannot read manifest {path}: {e}") from None
    vols = doc.get("volumes") if isinstance(doc, dict) else None
    if not isinstance(vols, list) or not vols:
        raise ManifestError("manifest needs a non-empty 'volumes' list")
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for i, v in enumerate(vols):
        if not isinstance(v, dict) or not (v.get("path") or v.get("url")):
            raise ManifestError(f"volumes[{i}] needs a path or url")
        if not isinstance(v.get("sha256"), str) or not _SHA.match(v["sha256"]):
            raise ManifestError(f"volumes[{i}] needs a sha256 of 64 hex digits")
        entry = dict(v)
        entry.setdefault("id", v.get("path") or v.get("url"))
        entry["weight"] = float(v.get("weight", 1.0))
        if entry["weight"] <= 0:
            raise ManifestError(f"volumes[{i}].weight must be > 0")
        if v.get("path"):
            entry["path"] = v["path"] if os.path.isabs(v["path"]) else os.path.join(base, v["path"])
        out.append(entry)
    return out


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def materialize(entry, download_dir):
    """Local path of the entry's file, verified against its sha256 (downloading it first if only a URL is given)."""
    path = entry.get("path")
    if not path or not os.path.exists(path):
        if not entry.get("url"):
            raise VolumeError(f"file not found: {path}")
        path = _download(entry["url"], entry["sha256"], download_dir)
    got = sha256_file(path)
    if got != entry["sha256"].lower():
        raise VolumeError(f"sha256 mismatch: manifest {entry['sha256'].lower()}, file {got}")
    return path


def _download(url, sha256, download_dir):
    os.makedirs(download_dir, exist_ok=True)
    suffix = ".nii.gz" if url.endswith(".gz") else os.path.splitext(url)[1]
    dest = os.path.join(download_dir, sha256.lower() + suffix)
    if os.path.exists(dest):
        return dest
    tmp = dest + f".part-{os.getpid()}"
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
        os.replace(tmp, dest)
    except OSError as e:
        raise VolumeError(f"download failed: {e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest
