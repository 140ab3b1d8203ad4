"""Trainer benchmark: tiny preset on this CPU; on a CUDA host also the base preset in bf16.

Prints only lines of the form `bench <name>: <value> <unit> (baseline <value> <unit>, ratio <r>)` on stdout.
Run: cd workers/trainer && OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/bench_trainer.py [--skip-gpu]
"""
import argparse
import contextlib
import json
import os
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from hounsfield_trainer.config import resolve_config  # noqa: E402
from hounsfield_trainer.data import CropDataset, make_loader, prepare_shard, prepare_volumes  # noqa: E402
from hounsfield_trainer.estimate import GIB, training_memory  # noqa: E402
from hounsfield_trainer.evaluate import Probe, write_slab_labels  # noqa: E402
from hounsfield_trainer.manifest import load_manifest, sha256_file  # noqa: E402
from hounsfield_trainer.metrics_log import read_metrics  # noqa: E402
from hounsfield_trainer.objectives import build_objective, sample_coords  # noqa: E402
from hounsfield_trainer.train import train  # noqa: E402

SAMPLE_CT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "test", "fixtures", "ct", "example_ct.nii.gz"))
MFU_TARGET = 0.40
DATA_WAIT_TARGET = 0.05


def line(name, value, unit, baseline, base_unit=None):
    ratio = value / baseline if baseline else float("nan")
    print(f"bench {name}: {value:.4g} {unit} (baseline {baseline:.4g} {base_unit or unit}, ratio {ratio:.3f})",
          flush=True)


def _manifest(folder):
    path = os.path.join(folder, "manifest.json")
    with open(path, "w") as f:
        json.dump({"volumes": [{"id": "example_ct", "path": SAMPLE_CT, "sha256": sha256_file(SAMPLE_CT)}]}, f)
    return path


def forward_only_rate(cfg, manifest, device, steps, bf16):
    """Samples/s of forward passes without gradients over the same data pipeline: the reference for training."""
    cfg = {**cfg, "total_steps": steps + 3}
    volumes = prepare_volumes(load_manifest(manifest), cfg)
    model = build_objective(cfg).to(device).eval()
    loader = iter(make_loader(CropDataset(volumes, cfg), cfg, 0, 0, 1, device.type == "cuda"))
    coords = sample_coords(cfg).to(device)
    autocast = torch.autocast(device_type=device.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    with torch.no_grad(), autocast:
        for i in range(steps + 3):
            if i == 3:
                if device.type == "cuda":
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
            batch = {k: v.to(device, non_blocking=True) for k, v in next(loader).items()}
            model(batch, coords)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return steps * cfg["global_batch_size"] / (time.perf_counter() - t0)


def constant_predictor_mse(cfg, manifest, samples=64):
    """MSE of predicting every voxel by the data mean: what a model that learned nothing scores."""
    ds = CropDataset(prepare_volumes(load_manifest(manifest), cfg), cfg)
    # The variance over every voxel the model sees: the same whether a region is cut into crops or not.
    drawn = [ds[i] for i in range(samples)]
    x = torch.cat([(s["crops_region"] if "crops_region" in s else s["crops"]).float().flatten() for s in drawn])
    return x.var().item()


def cpu_bench(folder, manifest, steps=100):
    cfg = resolve_config({"preset": "tiny", "global_batch_size": 8, "total_steps": steps, "log_every": 1,
                          "checkpoint_every": steps, "keep_checkpoints": 1,
                          "data": {"spacing": [3.0, 3.0, 3.0], "cache_dir": os.path.join(folder, "cache")},
                          "optim": {"lr": 1e-3, "warmup_steps": 10}})
    run = os.path.join(folder, "cpu-run")
    train(cfg, manifest, run)
    recs, _ = read_metrics(os.path.join(run, "metrics.jsonl"))
    losses = [r["loss"] for r in recs]
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    rate = (len(recs) - 10) * cfg["global_batch_size"] / (recs[-1]["ts"] - recs[9]["ts"])
    line("trainer.loss_first", first, "mse", constant_predictor_mse(cfg, manifest))
    line("trainer.loss_last", last, "mse", first)
    line("trainer.cpu_volumes_per_s", rate, "volumes/s",
         forward_only_rate(cfg, manifest, torch.device("cpu"), 30, bf16=False), "volumes/s forward-only")


# ms per sample of the loader before views stayed float16 and crops were copied once into place (same settings, this
# machine, measured with the code of the previous commit): the baseline of trainer.<objective>.loader_ms_per_sample.
LOADER_MS_BEFORE = {"mae": 5.3, "dino": 16.1}


def loader_ms_bench(folder, samples=40):
    """One sample's CPU cost in the loader (base preset, 128x128x64 crops, grid 1x1x2, sample CT at 1 mm, page
    cache warm), for MAE and DINO."""
    for objective in ("mae", "dino"):
        # Region samples only, as the baseline was measured (a whole-scan step's volumes carry up to 16x the crops).
        cfg = resolve_config({"preset": "base", "objective": objective,
                              "data": {"spacing": [1.0, 1.0, 1.0], "cache_dir": os.path.join(folder, "cache-1mm"),
                                       "whole_volume_every": 0}})
        ds = CropDataset(prepare_volumes(load_manifest(_manifest(folder)), cfg), cfg)
        ds[0]
        t0 = time.perf_counter()
        for i in range(1, samples + 1):
            ds[i]
        line(f"trainer.{objective}.loader_ms_per_sample", (time.perf_counter() - t0) / samples * 1000, "ms",
             LOADER_MS_BEFORE[objective], "ms before")


def prepare_bench(folder, volumes=32, processes=2):
    """Cold-cache preparation (load, reorient, resample to 1 mm, window, cache) of distinct volumes: with
    `processes` worker processes against one."""
    import nibabel as nib
    import numpy as np
    img = nib.load(SAMPLE_CT)
    data = np.asanyarray(img.dataobj).astype(np.int16)
    entries = []
    for i in range(volumes):
        path = os.path.join(folder, f"prep{i}.nii.gz")
        copy = data.copy()
        copy[0, 0, 0] += i + 1  # distinct bytes, so distinct cache keys
        nib.save(nib.Nifti1Image(copy, img.affine), path)
        entries.append({"id": f"prep{i}", "path": path, "sha256": sha256_file(path)})
    rates = []
    for n in (1, processes):
        cfg = resolve_config({"preset": "tiny", "data": {"spacing": [1.0, 1.0, 1.0],
                                                         "cache_dir": os.path.join(folder, f"prep-cache-{n}")}})
        t0 = time.perf_counter()
        rows = prepare_shard(entries, cfg, n)
        assert all(item for _, item, _ in rows)
        rates.append(volumes / (time.perf_counter() - t0))
    line("trainer.prepare_volumes_per_s", rates[1], "volumes/s", rates[0], "volumes/s one process")


def probe_bench(folder, manifest, steps=300, seeds=(0, 1, 2, 3, 4)):
    """Held-out linear-probe accuracy (which quarter of the body axis a piece of the sample CT comes from: 4-slice
    slabs cut into in-plane halves, 36 of 112 held out) of a short MAE pretraining against the same probe on a
    randomly initialised encoder, over seeds: the medians on the line, every seed's figures on stderr. Whole slabs
    gave 9 held-out examples, one of them 0.11 of the accuracy; after 100 steps the MAE loss had only reached the
    constant predictor's."""
    labels = write_slab_labels(SAMPLE_CT, os.path.join(folder, "slabs"), slices=4, parts=4, tiles=2)
    trained, random = [], []
    for seed in seeds:
        cfg = resolve_config({"preset": "tiny", "seed": seed, "global_batch_size": 8, "total_steps": steps,
                              "log_every": steps, "checkpoint_every": steps, "keep_checkpoints": 1,
                              "data": {"spacing": [3.0, 3.0, 3.0], "cache_dir": os.path.join(folder, "cache")},
                              "optim": {"lr": 1e-3, "warmup_steps": 10}, "eval": {"manifest": labels, "every": steps}})
        run = os.path.join(folder, f"probe-{seed}")
        train(cfg, manifest, run)
        trained.append([r for r in read_metrics(os.path.join(run, "metrics.jsonl"))[0] if "eval/linear_acc" in r][-1]["eval/linear_acc"])
        torch.manual_seed(seed)
        random.append(Probe(cfg).measure(build_objective(cfg).export_encoder(), seed=seed)["eval/linear_acc"])
    median = lambda xs: sorted(xs)[len(xs) // 2]
    print(f"probe accuracy over seeds {list(seeds)}: pretrained {[round(x, 3) for x in trained]} (min {min(trained):.3f}), "
          f"random init {[round(x, 3) for x in random]} (max {max(random):.3f})", file=sys.stderr)
    line("trainer.probe_accuracy", median(trained), "fraction", median(random), "fraction random-init encoder")


def loader_rate(folder, cfg, volumes=200, batches=20):
    """Samples/s of the data loader alone, over many distinct cached volumes (not one page-cached file): copies of
    the sample CT's cached volume, each shifted, so every read is its own file."""
    import numpy as np
    src = prepare_volumes(load_manifest(_manifest(folder)), cfg)[0]
    vol = np.load(src["path"])
    many = os.path.join(folder, "many")
    os.makedirs(many, exist_ok=True)
    entries = []
    for i in range(volumes):
        path = os.path.join(many, f"v{i}.npy")
        np.save(path, np.roll(vol, i, axis=2))
        entries.append({"path": path, "weight": 1.0})
    loader = make_loader(CropDataset(entries, cfg), cfg, 0, 0, 1, torch.cuda.is_available())
    it = iter(loader)
    next(it)  # workers started
    t0 = time.perf_counter()
    for _ in range(batches):
        next(it)
    return batches * cfg["global_batch_size"] / (time.perf_counter() - t0)


def gpu_bench(folder, manifest, device, preset="base", batch=32, steps=60, skip=20, spacing=1.5, workers=4,
              objectives=("mae", "dino")):
    """Base preset in bf16 on a CUDA device, for each objective: throughput, MFU, data wait, peak memory against
    the estimate, and the loader alone. With --quick it runs the same code on the CPU with the tiny preset (a
    check that it still works, not a measurement)."""
    cuda = device.type == "cuda"
    name = torch.cuda.get_device_name(device) if cuda else "cpu (path check only)"
    print(f"accelerator bench on {name}", file=sys.stderr)
    for objective in objectives:
        cfg = resolve_config({"preset": preset, "objective": objective, "global_batch_size": batch, "total_steps": steps,
                              "log_every": max(1, min(10, steps // 3)), "checkpoint_every": 10 ** 9,
                              "precision": "bf16", "device": device.type,
                              "data": {"spacing": [spacing] * 3, "num_workers": workers,
                                       "cache_dir": os.path.join(folder, "cache")},
                              "optim": {"lr": 1.5e-4, "warmup_steps": 10}})
        run = os.path.join(folder, f"gpu-run-{objective}")
        train(cfg, manifest, run)
        recs = [r for r in read_metrics(os.path.join(run, "metrics.jsonl"))[0] if r["step"] > skip and "loss" in r]
        rate = sum(r["volumes_per_s"] for r in recs) / len(recs)
        line(f"trainer.{objective}.gpu_samples_per_s", rate, "samples/s",
             forward_only_rate(cfg, manifest, device, max(3, steps // 3), bf16=cuda), "samples/s forward-only")
        if all("mfu" in r for r in recs):
            line(f"trainer.{objective}.mfu", sum(r["mfu"] for r in recs) / len(recs), "fraction", MFU_TARGET,
                 "fraction target")
        else:
            print(f"no dense bf16 peak known for {name}: mfu not reported", file=sys.stderr)
        line(f"trainer.{objective}.data_wait", sum(r["data_wait_fraction"] for r in recs) / len(recs), "fraction",
             DATA_WAIT_TARGET, "fraction target")
        line(f"trainer.{objective}.loader_samples_per_s", loader_rate(folder, cfg, volumes=200 if cuda else 8,
                                                                      batches=20 if cuda else 2),
             "samples/s", rate, "samples/s the accelerator trains at")
        if cuda:
            peak = max(r["gpu_mem_bytes"] for r in recs) / GIB
            estimate = training_memory(cfg, batch, True)["total"] / GIB
            line(f"trainer.{objective}.peak_gib", peak, "GiB", estimate, "GiB estimated")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--skip-gpu", action="store_true")
    p.add_argument("--gpu-batch", type=int, default=32)
    p.add_argument("--gpu-check", action="store_true",
                   help="only the accelerator figures (npm run bench:trainer:gpu), for MAE and DINO")
    p.add_argument("--quick", action="store_true",
                   help="with --gpu-check: the same code with the tiny preset on the CPU, in seconds (a check that it "
                        "still runs, not a measurement)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="hounsfield-bench-") as folder:
        manifest = _manifest(folder)
        if args.gpu_check and args.quick:
            gpu_bench(folder, manifest, torch.device("cpu"), preset="tiny", batch=2, steps=6, skip=0, spacing=3.0,
                      workers=1)
            return
        if args.gpu_check:
            if not torch.cuda.is_available():
                print("no CUDA device here: run this on a GPU machine, or add --quick for the CPU path check",
                      file=sys.stderr)
                sys.exit(2)
            gpu_bench(folder, manifest, torch.device("cuda", 0), batch=args.gpu_batch)
            return
        cpu_bench(folder, manifest)
        loader_ms_bench(folder)
        prepare_bench(folder)
        probe_bench(folder, manifest)
        if torch.cuda.is_available() and not args.skip_gpu:
            gpu_bench(folder, manifest, torch.device("cuda", 0), batch=args.gpu_batch)
        elif not args.skip_gpu:
            print("no CUDA device: GPU figures skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
