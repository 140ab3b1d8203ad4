import json
import os
import sys

import pytest
import torch

torch.set_num_threads(1)
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAINER)
FIXTURES = os.path.abspath(os.path.join(TRAINER, "..", "..", "test", "fixtures", "ct"))
EXAMPLE_CT = os.path.join(FIXTURES, "example_ct.nii.gz")
EXAMPLE_CT_SM = os.path.join(FIXTURES, "example_ct_sm.nii.gz")

from hounsfield_trainer.config import resolve_config  # noqa: E402
from hounsfield_trainer.manifest import sha256_file  # noqa: E402


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("preprocessed"))


def write_manifest(path, volumes):
    with open(path, "w") as f:
        json.dump({"volumes": volumes}, f)
    return str(path)


def ct_entry(path=EXAMPLE_CT, **extra):
    return {"id": os.path.basename(path), "path": path, "sha256": sha256_file(path), **extra}


@pytest.fixture(scope="session")
def ct_manifest(tmp_path_factory):
    return write_manifest(tmp_path_factory.mktemp("manifest") / "manifest.json", [ct_entry()])


@pytest.fixture
def tiny_config(cache_dir):
    def make(**over):
        cfg = {"preset": "tiny", "global_batch_size": 2, "total_steps": 10, "log_every": 1, "checkpoint_every": 1000,
               "data": {"spacing": [3.0, 3.0, 3.0], "cache_dir": cache_dir},
               "optim": {"lr": 1e-3, "warmup_steps": 5}}
        for key, value in over.items():
            if isinstance(value, dict) and key in cfg:
                cfg[key] = {**cfg[key], **value}
            else:
                cfg[key] = value
        return resolve_config(cfg)
    return make
