"""Run configuration: defaults, preset expansion and validation. The resolved config is plain JSON."""
import copy
import json

from .presets import preset

DEFAULTS = {
    "preset": "tiny",
    "model": {},
    "objective": "mae",
    "seed": 0,
    "global_batch_size": 8,
    "total_steps": 1000,
    "log_every": 10,
    "checkpoint_every": 500,
    "keep_checkpoints": 3,
    "device": "auto",
    "precision": "auto",
    # torch.compile: "auto" compiles on CUDA where torch has it, falling back to eager code if compiling fails.
    "compile": "auto",
    # Recompute each transformer block's activations in the backward pass instead of keeping them: about a block's
    # worth of activations instead of the whole stack's, for ~1/3 more compute. Same results.
    "activation_checkpointing": False,
    "memory_capacity_bytes": None,
    "max_nonfinite_steps": 20,
    "data": {
        "spacing": [1.5, 1.5, 3.0],
        "hu_window": [-1000.0, 1000.0],
        # Gaussian anti-aliasing before downsampling (part of the preprocessing contract and of the cache key).
        "antialias": True,
        "crop_grid": [1, 1, 2],
        "flip_prob": 0.5,
        "cache_dir": None,
        "num_workers": 0,
        "prefetch_factor": 2,
        "max_open_volumes": 64,
        # Consecutive samples drawn from one volume: a volume opened (or read cold from disk) serves this many.
        "regions_per_volume": 1,
        # Worker processes preparing the cache on each rank; 0: the cores of the node shared by its ranks.
        "prepare_processes": 0,
        # Every this many steps (0: never) a step trains on whole scans instead of crop_grid regions: each volume
        # tiled as the fine-tune starter tiles it (padded at the high end, absolute grid coordinates), so the global
        # transformer learns the grids it meets later. At most max_volume_crops crops per volume (a random window
        # of the grid beyond that), and as many volumes per process as keep the step's crop count.
        "whole_volume_every": 4,
        "max_volume_crops": 32,
    },
    "optim": {
        "lr": 1.5e-4,
        "min_lr_ratio": 0.01,
        "weight_decay": 0.05,
        # Each step's batch in this many slices, gradients accumulated (same data; MAE gives the same step, DINO's
        # Sinkhorn centring then sees a slice at a time).
        "accumulate_steps": 1,
        # Cosine from weight_decay to this by the last step (DINOv2: 0.04 -> 0.4); null keeps it constant.
        "weight_decay_end": None,
        "betas": [0.9, 0.95],
        "warmup_steps": 100,
        "grad_clip": 1.0,
    },
    "mae": {"mask_ratio": 0.75, "norm_pix_loss": False},
    # kNN and linear probe on frozen volume embeddings of a labelled CSV (path,label[,split]) every `every` steps.
    "eval": {"manifest": None, "every": 0, "knn_k": 5},
    "dino": {
        "student_temp": 0.1,
        # DINOv2: the teacher's temperature rises from 0.04 to 0.07 over the first 30 % of training.
        "teacher_temp": 0.07,
        "warmup_teacher_temp": 0.04,
        "teacher_temp_warmup_fraction": 0.3,
        # DINOv2's KoLeo regulariser on the student's crop embeddings (spreads them over the sphere).
        "koleo_weight": 0.1,
        "ema_start": 0.996,
        # iBOT masking as in DINOv2: half the crops masked, each with a fraction drawn from [mask_ratio_min,
        # mask_ratio] of its patches, in 3D blocks ("block") or patch by patch ("random").
        "mask_ratio": 0.5,
        "mask_ratio_min": 0.1,
        "mask_probability": 0.5,
        "mask_shape": "block",
        "ibot_weight": 1.0,
        # DINOv2's multi-crop: this many small crops per sample, seen by the student only and matched to the
        # teacher's targets for the crop they were cut from. Each is local_crop_fraction of crop_size per axis
        # (rounded down to whole patches), at the crops' own resolution, with its own flips and intensity jitter.
        "local_crops_number": 8,
        "local_crop_fraction": 0.5,
        "view_jitter": 0.25,
        "intensity_jitter": 0.1,
    },
}

OBJECTIVES = ("mae", "dino")


class ConfigError(ValueError):
    pass


def _merge(base, override, path=""):
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}{key}"
        if key not in base:
            raise ConfigError(f"unknown config key {where!r}")
        if isinstance(base[key], dict) and key != "model":
            if not isinstance(value, dict):
                raise ConfigError(f"{where!r} must be an object")
            out[key] = _merge(base[key], value, where + ".")
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_config(user):
    """Merge user settings over defaults and expand the model preset; the result is what config.json holds."""
    cfg = _merge(DEFAULTS, user or {})
    model = preset(cfg["preset"])
    for key, value in cfg["model"].items():
        if key not in model:
            raise ConfigError(f"unknown model key 'model.{key}'")
        model[key] = value
    cfg["model"] = model
    _validate(cfg)
    return cfg


def _validate(cfg):
    m, d = cfg["model"], cfg["data"]
    if cfg["objective"] not in OBJECTIVES:
        raise ConfigError(f"objective must be one of {OBJECTIVES}")
    for c, p in zip(m["crop_size"], m["patch_size"]):
        if c % p:
            raise ConfigError(f"crop_size {m['crop_size']} is not a multiple of patch_size {m['patch_size']}")
    for name in ("dim", "global_dim", "decoder_dim"):
        heads = m[name.replace("dim", "heads")]
        if m[name] % heads:
            raise ConfigError(f"model.{name}={m[name]} is not divisible by its heads ({heads})")
    lo, hi = d["hu_window"]
    if not lo < hi:
        raise ConfigError("data.hu_window must be [low, high] with low < high")
    if any(s <= 0 for s in d["spacing"]) or len(d["spacing"]) != 3:
        raise ConfigError("data.spacing must be three positive numbers (mm)")
    dn = cfg["dino"]
    if not 0 <= dn["mask_ratio_min"] <= dn["mask_ratio"] <= 1 or not 0 <= dn["mask_probability"] <= 1:
        raise ConfigError("dino masking needs 0 <= mask_ratio_min <= mask_ratio <= 1 and mask_probability in [0, 1]")
    if int(dn["local_crops_number"]) < 0 or not 0 < float(dn["local_crop_fraction"]) <= 1:
        raise ConfigError("dino.local_crops_number must be >= 0 and dino.local_crop_fraction in (0, 1]")
    if dn["mask_shape"] not in ("block", "random"):
        raise ConfigError("dino.mask_shape must be block or random")
    if int(cfg["optim"]["accumulate_steps"]) < 1:
        raise ConfigError("optim.accumulate_steps must be >= 1")
    e = cfg["eval"]
    if int(e["every"]) < 0 or int(e["knn_k"]) < 1:
        raise ConfigError("eval.every must be >= 0 and eval.knn_k >= 1")
    if int(e["every"]) > 0 and not e["manifest"]:
        raise ConfigError("eval.every needs eval.manifest (a CSV of path,label[,split])")
    if int(d["regions_per_volume"]) < 1:
        raise ConfigError("data.regions_per_volume must be >= 1")
    if int(d["whole_volume_every"]) < 0 or int(d["max_volume_crops"]) < 1:
        raise ConfigError("data.whole_volume_every must be >= 0 and data.max_volume_crops >= 1")
    if int(d["max_open_volumes"]) < 1:
        raise ConfigError("data.max_open_volumes must be >= 1")
    if any(g < 1 for g in d["crop_grid"]):
        raise ConfigError("data.crop_grid entries must be >= 1")
    if cfg["global_batch_size"] < 1 or cfg["total_steps"] < 1:
        raise ConfigError("global_batch_size and total_steps must be >= 1")
    if cfg["compile"] not in (True, False, "auto"):
        raise ConfigError("compile must be true, false or auto")
    if cfg["precision"] not in ("auto", "bf16", "fp32"):
        raise ConfigError("precision must be auto, bf16 or fp32")


def whole_scan_volumes(cfg, local_batch):
    """Volumes a process takes in a whole-scan step: as many as keep a region step's crops, at least one."""
    k = 1
    for g in cfg["data"]["crop_grid"]:
        k *= int(g)
    return min(local_batch, max(1, local_batch * k // int(cfg["data"]["max_volume_crops"])))


def local_crop_size(cfg):
    """The size of a DINO local crop in voxels: local_crop_fraction of crop_size per axis, in whole patches."""
    m, f = cfg["model"], float(cfg["dino"]["local_crop_fraction"])
    return [max(p, int(c * f) // p * p) for c, p in zip(m["crop_size"], m["patch_size"])]


def load_config(path):
    with open(path) as f:
        return resolve_config(json.load(f))


def preprocessing_contract(cfg):
    """The input contract a user of the weights must reproduce (written as preprocessing.json)."""
    d, m = cfg["data"], cfg["model"]
    lo, hi = d["hu_window"]
    return {
        "format_version": 1,
        "orientation": "RAS",
        "array_axis_order": ["x: index grows Left->Right", "y: Posterior->Anterior", "z: Inferior->Superior"],
        "spacing_mm": list(map(float, d["spacing"])),
        "resampling": ("Gaussian anti-aliasing along each axis that shrinks (sigma = (factor - 1) / 2 voxels, kernel "
                       "radius ceil(3 sigma), replicate padding), then " if d["antialias"] else "") +
                      "trilinear (torch.nn.functional.interpolate, align_corners=False) to round(shape*spacing/target)",
        "antialias": bool(d["antialias"]),
        "hu_window": [float(lo), float(hi)],
        "normalization": "clip HU to hu_window, then (hu - low) / (high - low), giving [0, 1]",
        "pad_value": 0.0,
        "crop_size_voxels": list(m["crop_size"]),
        "crop_size_mm": [c * s for c, s in zip(m["crop_size"], d["spacing"])],
        "patch_size_voxels": list(m["patch_size"]),
        "tiling": "volume padded with pad_value at the high end of each axis to a multiple of crop_size, "
                  "then cut into a grid of non-overlapping crops; grid coordinates feed the global transformer",
        "dtype": "float32",
    }
