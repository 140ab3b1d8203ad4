import json
import subprocess
import sys

import pytest

from conftest import TRAINER
from hounsfield_trainer.config import ConfigError, resolve_config
from hounsfield_trainer.estimate import (GIB, MemoryEstimateError, check_fits, param_counts, peak_bf16_flops,
                                         training_flops_per_sample, training_memory)
from hounsfield_trainer.objectives import build_objective


@pytest.mark.parametrize("objective", ["mae", "dino"])
def test_closed_form_parameter_count_matches_the_model(objective):
    cfg = resolve_config({"preset": "tiny", "objective": objective})
    model = build_objective(cfg)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    assert param_counts(cfg) == (trainable, frozen)


def test_base_preset_is_vit_b_sized_and_estimates_scale():
    # Region steps only: at small batches a whole-scan step's one volume of up to 32 crops sets the floor.
    cfg = resolve_config({"preset": "base", "global_batch_size": 64, "data": {"whole_volume_every": 0}})
    encoder_only = resolve_config({"preset": "base", "model": {"decoder_depth": 0}})
    assert 85e6 < param_counts(encoder_only)[0] < 120e6
    small, big = training_memory(cfg, 4, True), training_memory(cfg, 16, True)
    assert big["activations"] > 3.5 * small["activations"] and big["total"] > small["total"]
    assert training_flops_per_sample(cfg) > 1e11


def test_estimate_over_a_fake_capacity_fails_with_the_estimate():
    cfg = resolve_config({"preset": "large", "global_batch_size": 256})
    est = training_memory(cfg, 256, True)
    check_fits(est, 10_000 * GIB)
    with pytest.raises(MemoryEstimateError,
                       match=r"estimated peak memory \d+\.\d+ GiB exceeds 92% of the device's 80.00"):
        check_fits(est, 80 * GIB)


def test_estimate_cli_exit_code(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"preset": "base", "global_batch_size": 512}))
    proc = subprocess.run([sys.executable, "-m", "hounsfield_trainer", "estimate", "--config", str(cfg),
                           "--capacity-gib", "80"], cwd=TRAINER, capture_output=True, text=True)
    assert proc.returncode == 2 and "exceeds" in proc.stderr
    assert json.loads(proc.stdout)["total"] > 80 * GIB


def test_peak_table_and_config_validation():
    assert peak_bf16_flops("NVIDIA H100 80GB HBM3") == 989e12
    assert peak_bf16_flops("NVIDIA H200") == 989e12
    assert peak_bf16_flops("NVIDIA H100 PCIe") == 756e12
    assert peak_bf16_flops("Some GPU") is None
    with pytest.raises(ConfigError, match="unknown config key"):
        resolve_config({"optim": {"learning_rate": 1}})
    with pytest.raises(ConfigError, match="multiple of patch_size"):
        resolve_config({"model": {"crop_size": [60, 64, 32]}})


def test_whole_scan_steps_count_in_the_memory_estimate():
    """One volume of up to 32 crops per process is 16x a region step's 2 crops at batch 1: the estimate must size
    the larger step, or a run that passed the check runs out of memory at its first whole-scan step."""
    from hounsfield_trainer.config import resolve_config
    from hounsfield_trainer.estimate import training_memory
    on = resolve_config({"preset": "base", "global_batch_size": 1})
    off = resolve_config({"preset": "base", "global_batch_size": 1, "data": {"whole_volume_every": 0}})
    assert training_memory(on, 1, True)["activations"] > 10 * training_memory(off, 1, True)["activations"]
    big = resolve_config({"preset": "base", "global_batch_size": 64})  # 2 volumes x 32 crops = 64 x 2 crops
    big_off = resolve_config({"preset": "base", "global_batch_size": 64, "data": {"whole_volume_every": 0}})
    assert training_memory(big, 64, True)["activations"] <= 1.2 * training_memory(big_off, 64, True)["activations"]
