"""The training loop and the run-directory contract (see README.md)."""
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
import warnings

import torch
import torch.distributed as dist

from .checkpoint import list_checkpoints, load_checkpoint, prune_checkpoints, save_checkpoint
from .config import ConfigError, preprocessing_contract
from .data import CropDataset, make_loader, prepare_shard
from .distributed import barrier, gather_objects, init_distributed, mean_across, shutdown
from .estimate import check_fits, peak_bf16_flops, training_flops_per_sample, training_memory
from .manifest import load_manifest
from .metrics_log import MetricsLog, NullLog
from .evaluate import Probe, load_labelled
from .objectives import build_objective, sample_coords, unwrap
from .optim import build_optimizer, weight_decay_at

# Settings that may change between a run and its resumption without changing the training curve.
RUNTIME_KEYS = {("data", "num_workers"), ("data", "cache_dir"), ("data", "prefetch_factor"), ("data", "max_open_volumes"), ("data", "prepare_processes"),
                ("memory_capacity_bytes",), ("compile",), ("activation_checkpointing",), ("device",), ("log_every",), ("keep_checkpoints",), ("eval",)}


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def _strip_runtime(cfg):
    out = json.loads(json.dumps(cfg))
    for key in RUNTIME_KEYS:
        node = out
        for part in key[:-1]:
            node = node[part]
        node.pop(key[-1], None)
    return out


def _persist_config(run_dir, cfg, resume):
    path = os.path.join(run_dir, "config.json")
    if resume and os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if _strip_runtime(old) != _strip_runtime(cfg):
            raise ConfigError("resume refused: config differs from the run's config.json in training settings")
    _write_json(path, cfg)
    _write_json(os.path.join(run_dir, "preprocessing.json"), preprocessing_contract(cfg))


def _local_world():
    return int(os.environ.get("LOCAL_WORLD_SIZE") or os.environ.get("SLURM_NTASKS_PER_NODE", "1").split("(")[0] or 1)


def _prepare_data(ctx, cfg, manifest_path, log):
    def report(entry, reason):
        log.event("volume_skipped", path=entry.get("path") or entry.get("url"), id=entry.get("id"), reason=reason)
        print(f"hounsfield: skipped volume {entry.get('id')}: {reason}", file=sys.stderr)

    # Every process prepares its share of the manifest with its own worker processes (a no-op on a warm cache),
    # into the shared cache; the shares are gathered and rank 0 reports what was skipped.
    entries = load_manifest(manifest_path)
    processes = int(cfg["data"]["prepare_processes"]) or max(1, (os.cpu_count() or 1) // max(1, _local_world()))
    try:
        mine = prepare_shard(entries, cfg, processes, (ctx.rank, ctx.world))
    except Exception as e:  # the manifest or the cache folder itself, not one volume
        mine = f"data preparation failed: {type(e).__name__}: {e}"
    shares = gather_objects(ctx, mine)
    failed = next((s for s in shares if isinstance(s, str)), None)
    if failed:
        raise RuntimeError(failed)
    result = []
    for i, item, reason in sorted((r for share in shares for r in share), key=lambda r: r[0]):
        if reason is not None:
            if ctx.is_main:
                report(entries[i], reason)
        else:
            result.append(item)
    if not result:
        raise RuntimeError("no usable volumes in the manifest (every entry was skipped; see volume_skipped events)")
    barrier(ctx)
    missing = [v["id"] for v in result if not os.path.exists(v["path"])]
    if missing:
        raise RuntimeError(f"preprocessed cache not visible on this node for {missing[:3]}: use a shared cache_dir")
    return result


class Window:
    """Accumulates per-step values between two log lines, on the device: read once per line, not once per step."""

    def __init__(self):
        self.t0, self.data_wait, self.steps, self.samples = time.perf_counter(), 0.0, 0, 0
        self.loss, self.grad_norm, self.parts = 0.0, 0.0, {}

    def add(self, loss, grad_norm, parts, samples):
        self.steps += 1
        self.samples += samples
        self.loss = self.loss + loss.detach().float()
        self.grad_norm = self.grad_norm + grad_norm.detach().float()
        for k, v in parts.items():
            self.parts[k] = self.parts.get(k, 0.0) + v.float()


class NonFinite:
    """Counts of steps whose loss or gradients were not finite, kept on the device. Such a step is skipped: on the
    host where that costs nothing (CPU), on the device where reading the verdict would stall it every step (fused
    AdamW skips its whole update, moments and step count included, when `found_inf` is set, as under GradScaler)."""

    def __init__(self, device, previous):
        self.previous = previous
        self.total = torch.zeros((), device=device)
        self.run = torch.zeros((), device=device)
        self.worst = torch.zeros((), device=device)

    def step(self, optimizer, loss, grad_norm, on_device):
        bad = (~(torch.isfinite(loss.detach()) & torch.isfinite(grad_norm))).float()
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(bad, op=dist.ReduceOp.MAX)  # one verdict for all: a step skipped on some would split them
        self.total += bad
        self.run = (self.run + 1) * bad
        self.worst = torch.maximum(self.worst, self.run)
        if on_device:
            optimizer.found_inf = bad
            optimizer.step()
        elif not bad.item():
            optimizer.step()

    def check(self, limit, step):
        """At a log step: fail if more than `limit` consecutive steps were skipped since the last check."""
        worst = int(self.worst.item())
        if worst > limit:
            raise RuntimeError(f"loss or gradients non-finite for {worst} consecutive steps (by step {step})")
        self.worst.zero_()
        self.worst += self.run

    def count(self):
        return self.previous + int(self.total.item())


# Set by SIGTERM (a Slurm preemption, the agent handing the run back): the run checkpoints and stops.
_SIGNALLED = threading.Event()


def _stop_signalled(ctx, step, log_every):
    """Whether SIGTERM reached this run: checked every step in one process; in several, at log steps with one
    collective, since all of them must stop at the same step (and a check every step would sync every step)."""
    if not ctx.enabled:
        return _SIGNALLED.is_set()
    if step % log_every:
        return False
    flag = torch.tensor([1.0 if _SIGNALLED.is_set() else 0.0], device=ctx.device if ctx.device.type == "cuda" else "cpu")
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag.item())


def train(cfg, manifest_path, run_dir, resume=False, stop_at_step=None, prune_uploaded_only=False):
    """Run (or resume) training. Returns "succeeded", "stopped" (at stop_at_step) or "preempted" (SIGTERM: a
    checkpoint at the step reached, final.json says so); raises after writing final.json on failure.
    `prune_uploaded_only` (under the agent): keep_checkpoints deletes only checkpoints marked as on the server."""
    os.makedirs(run_dir, exist_ok=True)
    _SIGNALLED.clear()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: _SIGNALLED.set())
    ctx = init_distributed(cfg["device"])
    log = MetricsLog(os.path.join(run_dir, "metrics.jsonl")) if ctx.is_main else NullLog()
    final = os.path.join(run_dir, "final.json")
    if ctx.is_main and os.path.exists(final):
        os.unlink(final)
    try:
        status, step = _train(ctx, cfg, manifest_path, run_dir, resume, stop_at_step, log, prune_uploaded_only)
        if ctx.is_main and status in ("succeeded", "preempted"):
            _write_json(final, {"status": status, "step": step, "ts": time.time()})
        return status
    except Exception as e:
        if ctx.is_main:
            reason = f"{type(e).__name__}: {e}"
            log.event("run_failed", reason=reason)
            _write_json(final, {"status": "failed", "reason": reason, "ts": time.time()})
        raise
    finally:
        log.close()
        shutdown(ctx)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _train(ctx, cfg, manifest_path, run_dir, resume, stop_at_step, log, prune_uploaded_only):
    cuda = ctx.device.type == "cuda"
    if cfg["device"] == "cuda" and not cuda:
        raise RuntimeError("device 'cuda' requested but CUDA is not available")
    # bf16 autocast on CUDA only: CPU autocast in torch 1.13 feeds bf16 into fp32 LayerNorm weights and fails.
    bf16 = cuda and cfg["precision"] in ("auto", "bf16")
    batch, world, total = cfg["global_batch_size"], ctx.world, cfg["total_steps"]
    if batch % world:
        raise ConfigError(f"global_batch_size {batch} is not divisible by the {world} processes")
    if ctx.is_main:
        _persist_config(run_dir, cfg, resume)

    estimate = training_memory(cfg, batch // world, bf16, cuda)
    capacity = cfg["memory_capacity_bytes"] or (torch.cuda.get_device_properties(ctx.device).total_memory
                                                 if cuda else None)
    log.event("memory_estimate", bytes=estimate["total"], capacity_bytes=capacity, params=estimate["params"])
    if capacity:
        check_fits(estimate, capacity)

    volumes = _prepare_data(ctx, cfg, manifest_path, log)
    every = int(cfg["eval"]["every"])
    # Every process checks the labelled manifest (a bad line stops them all alike); the main one measures.
    if every:
        load_labelled(cfg["eval"]["manifest"])
    probe = Probe(cfg) if every and ctx.is_main else None

    torch.manual_seed(cfg["seed"])
    objective = build_objective(cfg).to(ctx.device)
    optimizer, scheduler = build_optimizer(objective, cfg, cuda)
    start, skipped = 0, 0
    checkpoints = list_checkpoints(run_dir) if resume else []
    if checkpoints:
        saved = load_checkpoint(checkpoints[-1][1], objective, optimizer, scheduler, ctx.device)
        start, skipped = saved["step"], saved.get("nonfinite_steps", 0)
        log.event("resumed", step=start, checkpoint=os.path.relpath(checkpoints[-1][1], run_dir))
    log.event("run_started", step=start, world_size=world, device=ctx.device.type, params=estimate["params"],
              volumes=len(volumes))

    model = objective
    if ctx.enabled:
        model = torch.nn.parallel.DistributedDataParallel(
            objective, device_ids=[ctx.device.index] if cuda else None, broadcast_buffers=False)
    if cfg["compile"] and cuda and hasattr(torch, "compile"):
        if cfg["compile"] == "auto":
            torch._dynamo.config.suppress_errors = True  # a graph that won't compile runs as it is
        model = torch.compile(model)

    loader = make_loader(CropDataset(volumes, cfg), cfg, start, ctx.rank, world, cuda)
    host_batch = getattr(objective, "host_batch", lambda b: b)
    coords = sample_coords(cfg).to(ctx.device)
    params = [p for p in objective.parameters() if p.requires_grad]
    clip = cfg["optim"]["grad_clip"] if cfg["optim"]["grad_clip"] > 0 else math.inf
    autocast = (lambda: torch.autocast(device_type=ctx.device.type, dtype=torch.bfloat16)) if bf16 else \
        contextlib.nullcontext
    voxels = math.prod(cfg["model"]["crop_size"]) * math.prod(cfg["data"]["crop_grid"])
    flops = training_flops_per_sample(cfg) * (batch // world)
    peak = peak_bf16_flops(torch.cuda.get_device_name(ctx.device)) if cuda else None
    nonfinite = NonFinite(ctx.device, skipped)
    skip_on_device = cuda and bool(optimizer.defaults.get("fused"))
    micro = int(cfg["optim"]["accumulate_steps"])
    if (batch // world) % micro:
        raise ConfigError(f"the per-process batch {batch // world} is not divisible by optim.accumulate_steps {micro}")

    window, it, step = Window(), iter(loader), start
    for step in range(start + 1, total + 1):
        t = time.perf_counter()
        sample = next(it)
        window.data_wait += time.perf_counter() - t
        # Sliced and completed on the host (sizes known there, e.g. DINO's masked-token indices), then sent.
        slices = [_to_device(host_batch(s), ctx.device, cuda) for s in _slices(sample, micro)]
        # Schedules are functions of the step, so a resumed run takes them up where it stopped.
        optimizer.param_groups[0]["weight_decay"] = weight_decay_at(cfg["optim"], step - 1, total)
        if hasattr(objective, "before_step"):
            objective.before_step(step, total)
        optimizer.zero_grad(set_to_none=True)
        loss, parts = _forward_backward(model, slices, coords, autocast, ctx.enabled)
        grad_norm = torch.nn.utils.clip_grad_norm_(params, clip)
        nonfinite.step(optimizer, loss, grad_norm, skip_on_device)
        lr = optimizer.param_groups[0]["lr"]
        with warnings.catch_warnings():
            # A skipped (non-finite) first step makes torch warn about the call order; the schedule stays on step.
            warnings.simplefilter("ignore", UserWarning)
            scheduler.step()
        objective.after_step(step, total)
        window.add(loss, grad_norm, parts, len(sample["flips"]))

        preempted = _stop_signalled(ctx, step, cfg["log_every"])
        last = step == total or step == stop_at_step or preempted
        if probe and (step % every == 0 or last):
            t = time.perf_counter()
            log.log(step, probe.measure(objective.export_encoder(), seed=cfg["seed"]))
            window.t0 += time.perf_counter() - t
        if step % cfg["log_every"] == 0 or last:
            nonfinite.check(cfg["max_nonfinite_steps"], step)
            _log_window(ctx, log, step, window, lr, voxels, flops, peak, nonfinite.count())
            window = Window()
        if step % cfg["checkpoint_every"] == 0 or last:
            t = time.perf_counter()
            if ctx.is_main:
                trainer_state = {"data_sampler": {"seed": cfg["seed"], "next_index": step * batch},
                                 "nonfinite_steps": nonfinite.count(), "world_size": world}
                path = save_checkpoint(run_dir, step, unwrap(model), optimizer, scheduler, trainer_state, cfg,
                                       preprocessing_contract(cfg))
                prune_checkpoints(run_dir, cfg["keep_checkpoints"], uploaded_only=prune_uploaded_only)
                log.event("checkpoint", step=step, path=os.path.relpath(path, run_dir))
            window.t0 += time.perf_counter() - t
        if step == stop_at_step:
            barrier(ctx)
            return "stopped", step
        if preempted:
            barrier(ctx)
            log.event("preempted", step=step)
            return "preempted", step
    barrier(ctx)
    return "succeeded", step


def _slices(sample, micro):
    """The batch in `micro` equal slices (one when not accumulating gradients; fewer for a whole-scan step's
    few volumes)."""
    micro = math.gcd(micro, len(next(iter(sample.values()))))  # equal slices, so each weighs 1 / micro
    if micro == 1:
        return [sample]
    return [{k: v.chunk(micro)[i] for k, v in sample.items()} for i in range(micro)]


def _to_device(batch, device, cuda):
    # From pinned memory a copy is asynchronous; from pageable memory CUDA waits for the stream first.
    return {k: (v.pin_memory() if cuda and not v.is_pinned() else v).to(device, non_blocking=True)
            for k, v in batch.items()}


def _forward_backward(model, slices, coords, autocast, distributed):
    """One step's loss and gradients over the batch's slices when accumulating (memory of one slice at a time;
    gradients synchronised once, on the last slice). Returns the mean loss and parts over the slices."""
    micro = len(slices)
    if micro == 1:
        with autocast():
            loss, parts = model(slices[0], coords)
        loss.backward()
        return loss, parts
    total, sums = 0.0, {}
    for i, part in enumerate(slices):
        sync = contextlib.nullcontext() if not distributed or i == micro - 1 else model.no_sync()
        with sync:
            with autocast():
                loss, parts = model(part, coords)
            (loss / micro).backward()
        total = total + loss.detach() / micro
        for k, v in parts.items():
            sums[k] = sums.get(k, 0.0) + v / micro
    return total, sums


def _log_window(ctx, log, step, w, lr, voxels, flops, peak, skipped):
    names = sorted(w.parts)
    local = [float(w.loss) / w.steps, float(w.grad_norm) / w.steps, w.data_wait] + [float(w.parts[k]) / w.steps for k in names]
    reduced = mean_across(ctx, local)
    elapsed = max(time.perf_counter() - w.t0, 1e-9)
    values = {"loss": reduced[0], "lr": lr, "grad_norm": reduced[1],
              "volumes_per_s": w.samples * ctx.world / elapsed,
              "voxels_per_s": w.samples * ctx.world * voxels / elapsed,
              "data_wait_fraction": min(1.0, reduced[2] / elapsed)}
    values.update({k: v for k, v in zip(names, reduced[3:])})
    if skipped:
        values["nonfinite_steps"] = skipped
    if ctx.device.type == "cuda":
        values["gpu_mem_bytes"] = torch.cuda.max_memory_allocated(ctx.device)
        torch.cuda.reset_peak_memory_stats(ctx.device)
        if peak:
            values["mfu"] = flops * w.steps / elapsed / peak
    log.log(step, values)
