"""Closed-form parameter, memory and FLOP estimates, so a run that cannot fit fails before it allocates anything."""
import math

import torch.nn.functional as F

from .config import local_crop_size, whole_scan_volumes

GIB = 1024 ** 3
CUDA_OVERHEAD_BYTES = int(1.0 * GIB)  # context, cuBLAS/cuDNN workspaces
FRAGMENTATION = 1.15


class MemoryEstimateError(RuntimeError):
    pass


def _block_params(d, mlp_ratio):
    h = int(d * mlp_ratio)
    return (3 * d * d + 3 * d) + (d * d + d) + (d * h + h + h * d + d) + 4 * d


def _head_params(d_in, m):
    h, b, k = m["head_hidden"], m["head_bottleneck"], m["head_prototypes"]
    return d_in * h + h + h * h + h + h * b + b + k * b


def _tokens(cfg):
    m = cfg["model"]
    n = math.prod(c // p for c, p in zip(m["crop_size"], m["patch_size"]))
    return n, math.prod(m["patch_size"]), math.prod(cfg["data"]["crop_grid"])


def _local_crops(cfg):
    """(DINO local crops per sample, patches in each)."""
    if cfg["objective"] != "dino":
        return 0, 0
    m = cfg["model"]
    return int(cfg["dino"]["local_crops_number"]), math.prod(c // p for c, p in zip(local_crop_size(cfg), m["patch_size"]))


def param_counts(cfg):
    """(trainable, frozen) parameter counts of the objective."""
    m = cfg["model"]
    d, g, r = m["dim"], m["global_dim"], m["mlp_ratio"]
    _, patch_voxels, _ = _tokens(cfg)
    dino = cfg["objective"] == "dino"
    local = patch_voxels * d + d + d + (d if dino else 0) + m["depth"] * _block_params(d, r) + 2 * d
    glob = 2 * d * g + g + g + m["global_depth"] * _block_params(g, r) + 2 * g
    encoder = local + glob
    if not dino:
        dd = m["decoder_dim"]
        decoder = (d * dd + dd) + dd + (g * dd + dd) + m["decoder_depth"] * _block_params(dd, r) + 2 * dd \
            + dd * patch_voxels + patch_voxels
        return encoder + decoder, 0
    student = encoder + 2 * _head_params(d, m) + _head_params(g, m)
    return student, student


def _stack_flops(tokens, d, depth, mlp_ratio):
    per_token = 2 * (4 * d * d + 2 * d * int(d * mlp_ratio))
    return depth * (tokens * per_token + 4 * tokens * tokens * d)


def training_flops_per_sample(cfg):
    """Model FLOPs (forward + backward = 3x forward) of one training sample; the MFU numerator."""
    m = cfg["model"]
    n, pv, k = _tokens(cfg)
    d, g, r = m["dim"], m["global_dim"], m["mlp_ratio"]
    fwd = k * 2 * n * pv * d
    if cfg["objective"] == "mae":
        keep = max(1, int(n * (1 - cfg["mae"]["mask_ratio"])))
        dd = m["decoder_dim"]
        fwd += k * _stack_flops(1 + keep, d, m["depth"], r)
        fwd += k * (_stack_flops(n, dd, m["decoder_depth"], r) + 2 * n * (d * dd + dd * pv))
        fwd += _stack_flops(k + 1, g, m["global_depth"], r)
        return 3 * fwd
    # DINO: per view, student forward+backward and teacher forward over all tokens (+ heads, approximated).
    enc = k * _stack_flops(1 + n, d, m["depth"], r) + _stack_flops(k + 1, g, m["global_depth"], r)
    heads = (k * (1 + n * cfg["dino"]["mask_ratio"]) + 1) * 2 * _head_params(d, m)
    lc, ln = _local_crops(cfg)
    local = lc * (2 * ln * pv * d + _stack_flops(1 + ln, d, m["depth"], r) + 2 * _head_params(d, m))  # student only
    return 2 * (3 * (fwd + enc + heads) + (fwd + enc + heads)) + 3 * local


def _activation_bytes(cfg, local_batch, bf16):
    """The larger of a region step's and (with data.whole_volume_every) a whole-scan step's activations: a few
    volumes of up to max_volume_crops crops each, padded to the largest."""
    n, pv, k = _tokens(cfg)
    region = _step_activation_bytes(cfg, local_batch, k, bf16)
    if int(cfg["data"].get("whole_volume_every", 0)) <= 0:
        return region
    cap = int(cfg["data"]["max_volume_crops"])
    return max(region, _step_activation_bytes(cfg, whole_scan_volumes(cfg, local_batch), cap, bf16))


def _step_activation_bytes(cfg, local_batch, k, bf16):
    m = cfg["model"]
    n, pv, _ = _tokens(cfg)
    act = 2 if bf16 else 4
    fused = hasattr(F, "scaled_dot_product_attention")

    checkpointing = bool(cfg.get("activation_checkpointing"))

    def stack(tokens, d, depth, heads):
        # Megatron-style count without dropout: ~17 values of width d per token per block (MLP 4x included),
        # plus the attention probabilities when attention is not fused. Checkpointed: each block keeps only its
        # input, and one block's activations exist at a time while it is recomputed.
        per = tokens * d * 17 * act + (0 if fused else heads * tokens * tokens * act * 2)
        return depth * tokens * d * act + per if checkpointing else depth * per

    crops = local_batch * k
    if cfg["objective"] == "mae":
        keep = max(1, int(n * (1 - cfg["mae"]["mask_ratio"])))
        total = crops * stack(1 + keep, m["dim"], m["depth"], m["heads"])
        total += crops * stack(n, m["decoder_dim"], m["decoder_depth"], m["decoder_heads"])
        total += crops * n * pv * 4 * 3  # inputs, targets, predictions in fp32
    else:
        total = 2 * crops * stack(1 + n, m["dim"], m["depth"], m["heads"])
        heads = crops * (1 + n * cfg["dino"]["mask_ratio"]) + local_batch  # crop CLS, masked patches, volume
        total += 2 * heads * m["head_prototypes"] * 4 * 4  # student/teacher logits, targets, log-softmax, fp32
        lc, ln = _local_crops(cfg)
        total += local_batch * lc * (stack(1 + ln, m["dim"], m["depth"], m["heads"]) + m["head_prototypes"] * 4 * 2)
    total += local_batch * stack(k + 1, m["global_dim"], m["global_depth"], m["global_heads"])
    return total


def training_memory(cfg, local_batch, bf16, cuda=True):
    """Estimated peak bytes of one training process, by component."""
    trainable, frozen = param_counts(cfg)
    parts = {
        "weights": 4 * (trainable + frozen),
        "grads": 4 * trainable,
        "adamw_state": 8 * trainable,
        "bf16_weight_copies": 2 * (trainable + frozen) if bf16 else 0,
        "activations": _activation_bytes(cfg, local_batch, bf16),
        "overhead": CUDA_OVERHEAD_BYTES if cuda else 0,
    }
    parts["total"] = int(sum(parts.values()) * FRAGMENTATION)
    parts["params"] = trainable + frozen
    return parts


def check_fits(estimate, capacity_bytes, headroom=0.92):
    if estimate["total"] > capacity_bytes * headroom:
        detail = ", ".join(f"{k} {v / GIB:.2f}" for k, v in estimate.items() if k not in ("total", "params"))
        raise MemoryEstimateError(
            f"estimated peak memory {estimate['total'] / GIB:.2f} GiB exceeds {headroom:.0%} of the device's "
            f"{capacity_bytes / GIB:.2f} GiB ({detail} GiB); lower global_batch_size, crop_grid or the preset, "
            f"or use more GPUs")


PEAK_BF16_TFLOPS = [("H200", 989.0), ("GH200", 989.0), ("H100 PCIE", 756.0), ("H100", 989.0), ("B200", 2250.0),
                    ("A100", 312.0), ("L40S", 362.0)]


def peak_bf16_flops(device_name):
    """Dense bf16 peak of a known card in FLOP/s, or None."""
    name = device_name.upper()
    for key, tflops in PEAK_BF16_TFLOPS:
        if key in name:
            return tflops * 1e12
    return None
