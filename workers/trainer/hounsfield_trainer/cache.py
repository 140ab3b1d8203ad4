"""On-disk cache of preprocessed volumes, keyed by source sha256 + the settings that shape the array.

Entries are float16 .npy files (normalised [0, 1]; 2^-11 resolution, about 1 HU for a 2000 HU window),
opened with mmap so a crop reads only its own pages. An entry is written only after the source passed its
sha256 and sanity checks, so a hit needs no access to the source file.
"""
import hashlib
import json
import os
import tempfile

import numpy as np

CACHE_FORMAT = 1


def default_cache_dir():
    base = os.environ.get("HOUNSFIELD_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "hounsfield")
    return os.path.join(base, "preprocessed")


def cache_settings(data_cfg):
    settings = {"format": CACHE_FORMAT, "spacing": [float(s) for s in data_cfg["spacing"]],
                "hu_window": [float(v) for v in data_cfg["hu_window"]], "orientation": "RAS", "dtype": "float16"}
    if data_cfg.get("antialias"):
        settings["antialias"] = "gaussian-v1"  # a volume cached without it is not the same volume
    return settings


class PreprocessCache:
    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)

    def key(self, sha256, settings):
        blob = json.dumps({"sha256": sha256.lower(), "settings": settings}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def paths(self, key):
        d = os.path.join(self.root, key[:2])
        return os.path.join(d, key + ".npy"), os.path.join(d, key + ".json")

    def get(self, key):
        npy, meta = self.paths(key)
        if not (os.path.exists(npy) and os.path.exists(meta)):
            return None
        with open(meta) as f:
            info = json.load(f)
        info["path"] = npy
        return info

    def put(self, key, volume, info):
        npy, meta = self.paths(key)
        os.makedirs(os.path.dirname(npy), exist_ok=True)
        _atomic_write(npy, lambda f: np.save(f, np.ascontiguousarray(volume, dtype=np.float16)))
        _atomic_write(meta, lambda f: f.write(json.dumps(info, sort_keys=True).encode()))
        info = dict(info)
        info["path"] = npy
        return info


def _atomic_write(path, write):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
