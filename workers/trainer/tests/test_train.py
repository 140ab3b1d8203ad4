import json
import math
import os
import shutil
import subprocess
import sys

import pytest

from conftest import TRAINER, write_manifest
from hounsfield_trainer import mae
from hounsfield_trainer.checkpoint import UPLOADED_MARK, list_checkpoints
from hounsfield_trainer.estimate import MemoryEstimateError
from hounsfield_trainer.metrics_log import read_metrics
from hounsfield_trainer.safetensors_io import load_file
from hounsfield_trainer.train import train


def _steps(run):
    steps, _ = read_metrics(os.path.join(run, "metrics.jsonl"))
    return steps


def test_tiny_mae_loss_falls_on_real_ct(tmp_path, tiny_config, ct_manifest):
    run = str(tmp_path / "run")
    train(tiny_config(total_steps=50), ct_manifest, run)
    losses = [s["loss"] for s in _steps(run)]
    assert len(losses) == 50 and all(math.isfinite(v) for v in losses)
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < 0.5 * first, (first, last)
    for name in ("config.json", "preprocessing.json"):
        assert os.path.exists(os.path.join(run, name))
    ckpt = os.path.join(run, "checkpoints", "step-50")
    assert sorted(os.listdir(ckpt)) == ["config.json", "finetune_starter.py", "model.safetensors", "optimizer.json",
                                        "optimizer.safetensors", "preprocessing.json", "trainer_state.json",
                                        "trainer_state.safetensors"]
    tensors, meta = load_file(os.path.join(ckpt, "model.safetensors"))
    assert meta == {"encoder_prefix": "encoder."} and "encoder.local.patch_embed.weight" in tensors
    pre = json.load(open(os.path.join(run, "preprocessing.json")))
    assert pre["orientation"] == "RAS" and pre["spacing_mm"] == [3.0, 3.0, 3.0]
    assert pre["hu_window"] == [-1000.0, 1000.0] and pre["patch_size_voxels"] == [16, 16, 8]
    assert json.load(open(os.path.join(run, "final.json")))["status"] == "succeeded"
    rec = _steps(run)[-1]
    assert {"step", "ts", "loss", "lr", "grad_norm", "volumes_per_s", "voxels_per_s", "data_wait_fraction"} <= set(rec)


def test_resume_reproduces_the_uninterrupted_curve(tmp_path, tiny_config, ct_manifest):
    cfg = tiny_config(total_steps=12, checkpoint_every=4)
    full, part = str(tmp_path / "full"), str(tmp_path / "part")
    train(cfg, ct_manifest, full)
    assert train(cfg, ct_manifest, part, stop_at_step=6) == "stopped"
    assert not os.path.exists(os.path.join(part, "final.json"))
    assert [s for s, _ in list_checkpoints(part)] == [4, 6]
    shutil.rmtree(os.path.join(part, "checkpoints", "step-6"))  # as if killed after the step-4 checkpoint
    assert train(cfg, ct_manifest, part, resume=True) == "succeeded"
    a = {s["step"]: s for s in _steps(full)}
    resumed = _steps(part)[6:]
    assert [s["step"] for s in resumed] == list(range(5, 13))
    for s in resumed:
        for key in ("loss", "grad_norm", "lr"):
            assert s[key] == a[s["step"]][key], (s["step"], key)  # bit-identical on CPU
    _, events = read_metrics(os.path.join(part, "metrics.jsonl"))
    assert [e["step"] for e in events if e["event"] == "resumed"] == [4]


def test_checkpoint_state_holds_no_pickle(tmp_path, tiny_config, ct_manifest):
    # A resumed run may load a checkpoint another machine uploaded: nothing in it may be a pickle (which runs code).
    run = str(tmp_path / "run")
    train(tiny_config(total_steps=2, checkpoint_every=2), ct_manifest, run)
    ckpt = os.path.join(run, "checkpoints", "step-2")
    for name in os.listdir(ckpt):
        with open(os.path.join(ckpt, name), "rb") as f:
            head = f.read(2)
        assert head[:1] != b"\x80" and not head.startswith(b"PK"), name  # pickle protocol / torch zip
    state = json.load(open(os.path.join(ckpt, "trainer_state.json")))
    assert "$tensor" in json.dumps(state) and state["$dict"][0][0] in ("data_sampler", "step", "scheduler", "rng")


def test_retention_under_the_agent_deletes_only_checkpoints_the_server_has(tmp_path, tiny_config, ct_manifest):
    """Standalone, keep_checkpoints keeps the newest N. Under the agent (prune_uploaded_only) a checkpoint is deleted
    only once the agent marked it as on the server: one written while the server was out of reach is never lost."""
    cfg = tiny_config(total_steps=6, checkpoint_every=1, keep_checkpoints=1)
    alone, agent = str(tmp_path / "alone"), str(tmp_path / "agent")
    train(cfg, ct_manifest, alone, stop_at_step=4)
    assert [s for s, _ in list_checkpoints(alone)] == [4]
    train(cfg, ct_manifest, agent, stop_at_step=4, prune_uploaded_only=True)
    assert [s for s, _ in list_checkpoints(agent)] == [1, 2, 3, 4]
    for step in (1, 3):  # the agent found these on the server
        with open(os.path.join(agent, "checkpoints", f"step-{step}", UPLOADED_MARK), "w") as f:
            f.write("0" * 64 + "\n")
    train(cfg, ct_manifest, agent, resume=True, prune_uploaded_only=True)
    assert [s for s, _ in list_checkpoints(agent)] == [2, 4, 5, 6]


def test_resume_refuses_a_changed_config(tmp_path, tiny_config, ct_manifest):
    run = str(tmp_path / "run")
    train(tiny_config(total_steps=2), ct_manifest, run)
    with pytest.raises(ValueError, match="resume refused"):
        train(tiny_config(total_steps=2, optim={"lr": 5e-4}), ct_manifest, run, resume=True)


def test_memory_estimate_fails_before_training(tmp_path, tiny_config):
    missing = write_manifest(tmp_path / "m.json", [{"path": "/nonexistent.nii.gz", "sha256": "0" * 64}])
    run = str(tmp_path / "run")
    with pytest.raises(MemoryEstimateError, match="estimated peak memory"):
        train(tiny_config(memory_capacity_bytes=8 * 1024 ** 2), missing, run)
    final = json.load(open(os.path.join(run, "final.json")))
    assert final["status"] == "failed" and "GiB" in final["reason"]
    steps, events = read_metrics(os.path.join(run, "metrics.jsonl"))
    assert steps == [] and [e["event"] for e in events] == ["memory_estimate", "run_failed"]


def test_nonfinite_loss_is_logged_as_string_and_step_skipped(tmp_path, tiny_config, ct_manifest, monkeypatch):
    calls = {"n": 0}
    forward = mae.MAE.forward

    def flaky(self, batch, coords):
        loss, extra = forward(self, batch, coords)
        calls["n"] += 1
        return (loss * float("nan") if calls["n"] == 3 else loss), extra

    monkeypatch.setattr(mae.MAE, "forward", flaky)
    run = str(tmp_path / "run")
    train(tiny_config(total_steps=4), ct_manifest, run)
    lines = open(os.path.join(run, "metrics.jsonl")).read().splitlines()
    third = json.loads([ln for ln in lines if '"step":3,' in ln and "event" not in ln][0],
                       parse_constant=lambda c: pytest.fail(f"bare {c} in metrics.jsonl"))
    assert third["loss"] == "NaN" and third["nonfinite_steps"] == 1
    assert json.load(open(os.path.join(run, "final.json")))["status"] == "succeeded"

    calls["n"] = 0
    monkeypatch.setattr(mae.MAE, "forward", lambda self, b, c: (forward(self, b, c)[0] * float("inf"), {}))
    with pytest.raises(RuntimeError, match="non-finite"):
        train(tiny_config(total_steps=6, max_nonfinite_steps=2), ct_manifest, str(tmp_path / "run2"))


def test_a_run_of_nonfinite_steps_across_log_lines_still_fails_the_run(tmp_path, tiny_config, ct_manifest, monkeypatch):
    """The verdicts stay on the device between log lines; a run of skipped steps that spans two of them is counted
    whole (steps 4-6 here: three in a row, over a limit of 2, though each window holds at most two)."""
    calls = {"n": 0}
    forward = mae.MAE.forward

    def flaky(self, batch, coords):
        loss, extra = forward(self, batch, coords)
        calls["n"] += 1
        return (loss * float("nan") if 4 <= calls["n"] <= 6 else loss), extra

    monkeypatch.setattr(mae.MAE, "forward", flaky)
    with pytest.raises(RuntimeError, match="non-finite for 3 consecutive steps"):
        train(tiny_config(total_steps=8, log_every=5, max_nonfinite_steps=2), ct_manifest, str(tmp_path / "run"))
    calls["n"] = 0
    train(tiny_config(total_steps=8, log_every=5, max_nonfinite_steps=3), ct_manifest, str(tmp_path / "run2"))
    steps, _ = read_metrics(os.path.join(tmp_path / "run2", "metrics.jsonl"))
    assert [(s["step"], s.get("nonfinite_steps")) for s in steps] == [(5, 2), (8, 3)]


def test_cli_help_and_train(tmp_path, ct_manifest, cache_dir):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-m", "hounsfield_trainer", "train", "--help"], cwd=TRAINER, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "--resume" in out and "--run-dir" in out
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"preset": "tiny", "total_steps": 2, "global_batch_size": 2, "log_every": 1,
                               "data": {"spacing": [3, 3, 3], "cache_dir": cache_dir}}))
    run = str(tmp_path / "run")
    proc = subprocess.run([sys.executable, "-m", "hounsfield_trainer", "train", "--config", str(cfg), "--manifest",
                           ct_manifest, "--run-dir", run], cwd=TRAINER, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert [s["step"] for s in _steps(run)] == [1, 2]
    bad = subprocess.run([sys.executable, "-m", "hounsfield_trainer", "train", "--config", str(cfg), "--manifest",
                          str(tmp_path / "missing.json"), "--run-dir", str(tmp_path / "r2")], cwd=TRAINER, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "cannot read manifest" in bad.stderr


def test_sigterm_checkpoints_the_step_reached_and_exits_75_and_the_run_resumes_from_it(tmp_path, tiny_config, ct_manifest):
    """A preemption (Slurm's SIGTERM, or the agent handing the run back): the step reached is saved, final.json
    says preempted, the exit code is 75, and --resume carries on from that step to the end."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import TRAINER
    from hounsfield_trainer.checkpoint import list_checkpoints
    from hounsfield_trainer.metrics_log import read_metrics

    cfg = tiny_config(total_steps=400, checkpoint_every=1000, log_every=1)
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    run = str(tmp_path / "run")
    cmd = [sys.executable, "-m", "hounsfield_trainer", "train", "--config", str(cfg_path), "--manifest", ct_manifest,
           "--run-dir", run]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, cwd=TRAINER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    metrics = os.path.join(run, "metrics.jsonl")
    deadline = time.time() + 120
    while time.time() < deadline and not (os.path.exists(metrics) and len(read_metrics(metrics)[0]) >= 3):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 75, err[-2000:]
    final = json.load(open(os.path.join(run, "final.json")))
    assert final["status"] == "preempted" and 3 <= final["step"] < 400
    assert [s for s, _ in list_checkpoints(run)] == [final["step"]]
    done = subprocess.run(cmd + ["--resume"], cwd=TRAINER, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    steps = [s["step"] for s in read_metrics(metrics)[0]]
    assert steps == list(range(1, 401))
    assert json.load(open(os.path.join(run, "final.json")))["status"] == "succeeded"


def test_gradient_accumulation_takes_the_same_steps_as_the_whole_batch(tmp_path, tiny_config, ct_manifest):
    """MAE's loss is a mean over samples with equal masked counts, so two slices of 4 accumulated give the step one
    batch of 8 gives: the same losses and gradient norms."""
    from hounsfield_trainer.metrics_log import read_metrics
    curves = []
    for micro in (1, 2):
        run = str(tmp_path / f"acc{micro}")
        train(tiny_config(global_batch_size=8, total_steps=6, optim={"accumulate_steps": micro}), ct_manifest, run)
        curves.append(read_metrics(os.path.join(run, "metrics.jsonl"))[0])
    for a, b in zip(*curves):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-4, abs=1e-6)
        assert b["grad_norm"] == pytest.approx(a["grad_norm"], rel=1e-3, abs=1e-6)
    with pytest.raises(Exception, match="not divisible by optim.accumulate_steps"):
        train(tiny_config(global_batch_size=8, total_steps=1, optim={"accumulate_steps": 3}), ct_manifest, str(tmp_path / "bad"))


@pytest.mark.parametrize("objective", ["mae", "dino"])
def test_activation_checkpointing_changes_memory_not_results(tmp_path, tiny_config, ct_manifest, objective):
    from hounsfield_trainer.estimate import training_memory
    from hounsfield_trainer.metrics_log import read_metrics
    over = {"objective": objective, "total_steps": 3, **({"model": {"head_prototypes": 64}} if objective == "dino" else {})}
    curves = []
    for ckpt in (False, True):
        run = str(tmp_path / f"ckpt-{ckpt}")
        train(tiny_config(activation_checkpointing=ckpt, **over), ct_manifest, run)
        curves.append(read_metrics(os.path.join(run, "metrics.jsonl"))[0])
    for a, b in zip(*curves):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-5, abs=1e-7)
        assert b["grad_norm"] == pytest.approx(a["grad_norm"], rel=1e-4, abs=1e-7)
    base = tiny_config(preset="base", objective=objective, global_batch_size=32)
    plain, checkpointed = (training_memory({**base, "activation_checkpointing": c}, 32, True)["activations"] for c in (False, True))
    assert checkpointed < plain * 0.6  # DINO keeps its head logits either way
    # Still too large for the device: refused before training, with the estimate.
    with pytest.raises(Exception, match="estimated peak memory .* exceeds"):
        train(tiny_config(activation_checkpointing=True, memory_capacity_bytes=2 ** 20, **over), ct_manifest, str(tmp_path / "small"))


def test_layerscale_starts_near_identity_and_drop_path_keeps_the_expectation():
    import torch
    from hounsfield_trainer.model import Block, stack_blocks
    torch.manual_seed(0)
    x = torch.randn(256, 5, 32)
    block = Block(32, 4, 4.0, layerscale=1e-5).eval()
    assert ((block(x) - x).norm() / x.norm()).item() < 1e-3
    plain = Block(32, 4, 4.0, drop_path=0.5)
    plain.load_state_dict(Block(32, 4, 4.0).state_dict())
    with torch.no_grad():
        expected = plain.eval()(x)
        plain.train()
        outs = torch.stack([plain(x) for _ in range(200)])
    # Each sample skips each branch about half the time, and the average of many passes is the eval output.
    skipped = (outs - x).abs().amax(dim=(2, 3)) == 0
    assert 0.15 < skipped.float().mean() < 0.35  # both branches dropped: 0.25
    assert ((outs.mean(0) - expected).norm() / (expected - x).norm()).item() < 0.15
    rates = [b.drop_path for b in stack_blocks(32, 4, 4.0, 5, {"drop_path": 0.4, "layerscale": 0.0})]
    assert rates == [0.0, 0.1, 0.2, pytest.approx(0.3), 0.4]
