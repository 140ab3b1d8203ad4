import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import EXAMPLE_CT
from hounsfield_trainer.embed import embed_volume, preprocess_nifti
from hounsfield_trainer.model import Encoder
from hounsfield_trainer.safetensors_io import load_file
from hounsfield_trainer.train import train

RELEASE_FILES = ["config.json", "model.safetensors", "preprocessing.json", "finetune_starter.py"]


def _release(tmp_path, cfg, manifest, name):
    run = str(tmp_path / f"run-{name}")
    train(cfg, manifest, run)
    ckpt = os.path.join(run, "checkpoints", f"step-{cfg['total_steps']}")
    folder = tmp_path / f"release-{name}"
    folder.mkdir()
    for f in RELEASE_FILES:
        shutil.copyfile(os.path.join(ckpt, f), folder / f)
    return str(folder)


def _trainer_embeddings(folder, cfg):
    tensors, meta = load_file(os.path.join(folder, "model.safetensors"))
    prefix = meta["encoder_prefix"]
    encoder = Encoder(cfg["model"], mask_token=cfg["objective"] == "dino")
    encoder.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)})
    return embed_volume(encoder.eval(), preprocess_nifti(EXAMPLE_CT, cfg), cfg["model"]["crop_size"])


def _import_starter(folder):
    spec = importlib.util.spec_from_file_location("starter_under_test", os.path.join(folder, "finetune_starter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_starter_alone_reproduces_trainer_embeddings(tmp_path, tiny_config, ct_manifest):
    cfg = tiny_config(total_steps=3)
    folder = _release(tmp_path, cfg, ct_manifest, "mae")
    out = str(tmp_path / "emb.npz")
    # -I: isolated interpreter, so nothing from this repository is importable; only the copied files exist.
    proc = subprocess.run([sys.executable, "-I", os.path.join(folder, "finetune_starter.py"), "--reader", "builtin",
                           "embed", EXAMPLE_CT, "--out", out], cwd=folder, capture_output=True, text=True,
                          env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PATH": os.environ["PATH"]})
    assert proc.returncode == 0, proc.stderr
    got = np.load(out)
    ref = _trainer_embeddings(folder, cfg)
    assert list(got["grid"]) == ref["grid"] == [2, 2, 4]  # 122x101x112 at 3 mm in 64x64x32 crops
    for key in ("crop", "crop_context", "volume"):
        np.testing.assert_allclose(got[key], ref[key].numpy(), rtol=0, atol=1e-6)
    assert got["crop"].shape == (16, 192) and got["volume"].shape == (96,)


def test_starter_loads_dino_teacher_and_runs_a_linear_probe(tmp_path, tiny_config, ct_manifest):
    # With LayerScale and drop-path (as the larger presets have): the starter loads and reproduces them.
    cfg = tiny_config(objective="dino", total_steps=1, model={"head_prototypes": 64, "layerscale": 0.1, "drop_path": 0.2})
    folder = _release(tmp_path, cfg, ct_manifest, "dino")
    starter = _import_starter(folder)
    encoder, config, contract = starter.load_encoder(folder)
    out = starter.embed_nifti(encoder, contract, EXAMPLE_CT, reader="nibabel")
    ref = _trainer_embeddings(folder, cfg)
    torch.testing.assert_close(out["volume"], ref["volume"], rtol=0, atol=1e-6)
    builtin = starter.embed_nifti(encoder, contract, EXAMPLE_CT, reader="builtin")
    torch.testing.assert_close(builtin["crop"], out["crop"], rtol=0, atol=0)

    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(150, 8, generator=gen)
    labels = (feats[:, 0] + 0.5 * feats[:, 3] > 0).long()
    held_out = torch.arange(150) % 3 == 0
    _, _, accuracy = starter.linear_probe(feats, labels, held_out, epochs=300)
    assert accuracy >= 0.9
    # Measured on held-out rows only: labels the probe never saw, drawn at random, give chance, not training fit.
    noise = torch.randint(0, 2, (150,), generator=gen)
    _, _, chance = starter.linear_probe(feats, torch.where(held_out, noise, labels), held_out, epochs=300)
    assert chance < 0.8

    # Layer-wise learning-rate decay: every encoder parameter in one group, the lowest layers learning slowest.
    groups = starter.layerwise_lr_groups(encoder, 1e-3, decay=0.5)
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(p.numel() for p in encoder.parameters())
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    assert lr_of[id(encoder.local.patch_embed.weight)] < lr_of[id(encoder.local.blocks[-1].mlp[0].weight)] < \
        lr_of[id(encoder.context.blocks[-1].mlp[0].weight)] == 1e-3


def test_starter_refuses_mismatched_weights(tmp_path, tiny_config, ct_manifest):
    folder = _release(tmp_path, tiny_config(total_steps=1), ct_manifest, "bad")
    cfg = json.load(open(os.path.join(folder, "config.json")))
    cfg["model"]["depth"] = 3
    json.dump(cfg, open(os.path.join(folder, "config.json"), "w"))
    with pytest.raises(RuntimeError, match="Missing key"):
        _import_starter(folder).load_encoder(folder)


def test_starter_probe_takes_the_trainers_probe_features():
    from hounsfield_trainer.evaluate import probe_features
    starter = _import_starter(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    g = torch.Generator().manual_seed(0)
    out = {"volume": torch.randn(96, generator=g), "crop": torch.randn(5, 192, generator=g)}
    torch.testing.assert_close(starter.probe_features(out), probe_features(out))
