"""Checkpoints: checkpoints/step-N/ with model.safetensors (all objective weights; metadata names the encoder
prefix), optimizer and trainer_state (scheduler, step, RNG and data-sampler state) as safetensors + JSON, config.json,
preprocessing.json and finetune_starter.py. Written to a temporary folder, then renamed, so a step-N folder is
always complete."""
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
    """Every generator's state as tensors, ints and strings only, so the file loads with weights_only=True: a
    checkpoint travels between machines (the agent uploads it; another worker resumes from it), and unpickling
    anything richer would run code its uploader chose."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    version, py_state, gauss_next = random.getstate()
    state = {
        "python": {"version": version, "state": torch.tensor(py_state, dtype=torch.int64), "gauss_next": gauss_next},
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos), "has_gauss": int(has_gauss), "gauss": float(gauss)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state):
    py = state["python"]
    random.setstate((py["version"], tuple(int(v) for v in py["state"].tolist()), py["gauss_next"]))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["gauss"]))
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
    save_state(optimizer.state_dict(), os.path.join(tmp, "optimizer"))
    save_state({**trainer_state, "step": step, "scheduler": scheduler.state_dict(), "rng": rng_state()},
               os.path.join(tmp, "trainer_state"))
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


# Written into checkpoints/step-N/ by the agent once the server lists that checkpoint with this sha256.
UPLOADED_MARK = ".uploaded"


def prune_checkpoints(run_dir, keep, uploaded_only=False):
    """Deletes the checkpoints older than the newest `keep`. `uploaded_only` (under the agent): only those the agent
    marked as on the server, so a checkpoint written while the server was out of reach is never lost."""
    if keep and keep > 0:
        for _, path in list_checkpoints(run_dir)[:-keep]:
            if not uploaded_only or os.path.exists(os.path.join(path, UPLOADED_MARK)):
                shutil.rmtree(path, ignore_errors=True)


def _split(obj, tensors, path=""):
    """A state dict as JSON with every tensor replaced by a reference into `tensors` (and tuples marked)."""
    if isinstance(obj, torch.Tensor):
        tensors[path] = obj.detach().cpu().contiguous()
        return {"$tensor": path}
    if isinstance(obj, dict):
        return {"$dict": [[_split(k, tensors, f"{path}/k{i}"), _split(v, tensors, f"{path}/{i}")] for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, (list, tuple)):
        items = [_split(v, tensors, f"{path}/{i}") for i, v in enumerate(obj)]
        return {"$tuple": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"checkpoint state holds a {type(obj).__name__} at {path or '/'}: only tensors, numbers, strings and containers travel")


def _merge(obj, tensors, device):
    if isinstance(obj, list):
        return [_merge(v, tensors, device) for v in obj]
    if isinstance(obj, dict):
        if "$tensor" in obj:
            return tensors[obj["$tensor"]].to(device)
        if "$tuple" in obj:
            return tuple(_merge(v, tensors, device) for v in obj["$tuple"])
        return {_merge(k, tensors, device): _merge(v, tensors, device) for k, v in obj["$dict"]}
    return obj


def save_state(state, stem):
    """Optimizer and trainer state as `<stem>.safetensors` + `<stem>.json`: no pickle, so loading a checkpoint
    another machine uploaded (a run resumed elsewhere) can't run code — torch.load's weights_only mode can't
    hold an optimizer's float hyperparameters on every torch this trainer supports."""
    tensors = {}
    skeleton = _split(state, tensors)
    save_file(tensors, stem + ".safetensors")
    _write_json(stem + ".json", skeleton)


def load_state(stem, device):
    tensors, _ = load_file(stem + ".safetensors")
    with open(stem + ".json") as f:
        return _merge(json.load(f), tensors, device)


def load_checkpoint(path, objective, optimizer, scheduler, device):
    tensors, _ = load_file(os.path.join(path, "model.safetensors"))
    objective.load_state_dict(tensors, strict=True)
    optimizer.load_state_dict(load_state(os.path.join(path, "optimizer"), device))
    state = load_state(os.path.join(path, "trainer_state"), "cpu")
    scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return state
