"""Checkpoints: checkpoints/step-N/ with model.safetensors (all objective weights; metadata names the encoder
prefix), optimizer.pt, trainer_state.pt (scheduler, step, RNG and data-sampler state), config.json,
preprocessing.json and finetune_starter.py. Written to a temporary folder, then renamed, so a step-N folder is
always complete."""
import inspect
import json
import os
import random
import re
import shutil

import numpy as np
import torch

from .safetensors_io import load_file, save_file

STARTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "finetune_starter.py")
_STEP_DIR = re.compile(r"^step-(\d+)$")


def rng_state():
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state):
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def _fsync_tree(path):
    for name in os.listdir(path):
        with open(os.path.join(path, name), "rb") as f:
            os.fsync(f.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_checkpoint(run_dir, step, objective, optimizer, scheduler, trainer_state, config, preprocessing):
    root = os.path.join(run_dir, "checkpoints")
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, f"step-{step}")
    tmp = os.path.join(root, f".tmp-step-{step}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    save_file(objective.state_dict(), os.path.join(tmp, "model.safetensors"),
              metadata={"encoder_prefix": objective.encoder_prefix})
    torch.save(optimizer.state_dict(), os.path.join(tmp, "optimizer.pt"))
    torch.save({**trainer_state, "step": step, "scheduler": scheduler.state_dict(), "rng": rng_state()},
               os.path.join(tmp, "trainer_state.pt"))
    _write_json(os.path.join(tmp, "config.json"), config)
    _write_json(os.path.join(tmp, "preprocessing.json"), preprocessing)
    if os.path.exists(STARTER):
        shutil.copyfile(STARTER, os.path.join(tmp, "finetune_starter.py"))
    _fsync_tree(tmp)
    if os.path.exists(final):
        old = final + f".old-{os.getpid()}"
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    return final


def list_checkpoints(run_dir):
    root = os.path.join(run_dir, "checkpoints")
    if not os.path.isdir(root):
        return []
    found = [(int(m.group(1)), os.path.join(root, n)) for n in os.listdir(root) if (m := _STEP_DIR.match(n))]
    return sorted(found)


def prune_checkpoints(run_dir, keep):
    if keep and keep > 0:
        for _, path in list_checkpoints(run_dir)[:-keep]:
            shutil.rmtree(path, ignore_errors=True)


def torch_load_own(path, map_location):
    """torch.load for files this trainer wrote (they hold numpy/python RNG state, which torch >= 2.6 refuses
    under its weights_only default). Never use it on files from elsewhere: weights travel as safetensors."""
    if "weights_only" in inspect.signature(torch.load).parameters:
        return torch.load(path, map_location=map_location, weights_only=False)
    return torch.load(path, map_location=map_location)


def load_checkpoint(path, objective, optimizer, scheduler, device):
    tensors, _ = load_file(os.path.join(path, "model.safetensors"))
    objective.load_state_dict(tensors, strict=True)
    optimizer.load_state_dict(torch_load_own(os.path.join(path, "optimizer.pt"), device))
    state = torch_load_own(os.path.join(path, "trainer_state.pt"), "cpu")
    scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return state
