import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import TRAINER
from hounsfield_trainer.distributed import env_settings, first_host
from hounsfield_trainer.metrics_log import read_metrics
from hounsfield_trainer.train import train


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("objective", ["mae", "dino"])
def test_two_process_gloo_matches_one_process(tmp_path, tiny_config, ct_manifest, objective):
    over = {"objective": objective, "global_batch_size": 4, "total_steps": 4, "checkpoint_every": 4,
            "model": {"head_prototypes": 64}} if objective == "dino" else \
        {"global_batch_size": 4, "total_steps": 5, "checkpoint_every": 5}
    # Step 4 trains on whole scans: at most 2 crops per volume keeps the step's 8 crops, so one process takes 4
    # volumes and two take 2 each, the same 4.
    cfg = tiny_config(**over, data={"max_volume_crops": 2})
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    single, multi = str(tmp_path / "single"), str(tmp_path / "multi")
    train(cfg, ct_manifest, single)
    # The variables torchrun sets (Debian's torch 1.13 torchrun fails on Python 3.11, so launch directly).
    port = str(_free_port())
    cmd = [sys.executable, "-m", "hounsfield_trainer", "train", "--config", str(cfg_path), "--manifest", ct_manifest,
           "--run-dir", multi]
    procs = [subprocess.Popen(cmd, cwd=TRAINER, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={
        **os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "RANK": str(rank), "LOCAL_RANK": str(rank),
        "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port}) for rank in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
    one, _ = read_metrics(os.path.join(single, "metrics.jsonl"))
    two, events = read_metrics(os.path.join(multi, "metrics.jsonl"))
    assert [e["world_size"] for e in events if e["event"] == "run_started"] == [2]
    assert [s["step"] for s in two] == [s["step"] for s in one]
    for a, b in zip(one, two):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-4, abs=1e-5)
        assert b["grad_norm"] == pytest.approx(a["grad_norm"], rel=1e-3, abs=1e-5)


def test_slurm_fallbacks():
    env = {"SLURM_PROCID": "5", "SLURM_NTASKS": "32", "SLURM_LOCALID": "1", "SLURM_JOB_ID": "123456",
           "SLURM_JOB_NODELIST": "gpu[007-010,012],login1"}
    s = env_settings(env)
    assert (s["rank"], s["world"], s["local_rank"], s["master_addr"]) == (5, 32, 1, "gpu007")
    assert s["master_port"] == str(20000 + 123456 % 20000)
    torchrun = env_settings({**env, "RANK": "2", "WORLD_SIZE": "4", "LOCAL_RANK": "0", "MASTER_ADDR": "n1",
                             "MASTER_PORT": "29400"})
    assert (torchrun["rank"], torchrun["world"], torchrun["master_addr"], torchrun["master_port"]) == \
        (2, 4, "n1", "29400")
    assert first_host("node1") == "node1" and first_host("a[1-3]") == "a1" and first_host("x,y") == "x"
    assert env_settings({})["world"] == 1
