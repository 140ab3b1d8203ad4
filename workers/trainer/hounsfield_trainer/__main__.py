"""Command line: python3 -m hounsfield_trainer {train,estimate,presets} ..."""
import argparse
import json
import sys

from .config import load_config
from .estimate import GIB, MemoryEstimateError, check_fits, training_flops_per_sample, training_memory
from .presets import PRESETS


def _parser():
    p = argparse.ArgumentParser(prog="python3 -m hounsfield_trainer",
                                description="Self-supervised pretraining of a volumetric CT encoder.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train (or resume) a run; writes metrics.jsonl, checkpoints/ and final.json; "
                                     "on SIGTERM it checkpoints the step reached and exits 75")
    t.add_argument("--config", required=True, help="run config JSON (see README.md)")
    t.add_argument("--manifest", required=True, help="dataset manifest JSON")
    t.add_argument("--run-dir", required=True, help="output folder (the agent tails it)")
    t.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --run-dir")
    t.add_argument("--prune-uploaded-only", action="store_true",
                   help="keep_checkpoints deletes only checkpoints marked as uploaded (checkpoints/step-N/.uploaded, "
                        "written by the agent once the server has them); the others are kept")
    t.add_argument("--stop-at-step", type=int, default=None,
                   help="checkpoint and exit at this step without final.json (e.g. before a Slurm time limit)")
    e = sub.add_parser("estimate", help="print parameter, memory and FLOP estimates for a config")
    e.add_argument("--config", required=True)
    e.add_argument("--world-size", type=int, default=1)
    e.add_argument("--capacity-gib", type=float, default=None, help="fail (exit 2) if the estimate exceeds this")
    e.add_argument("--fp32", action="store_true", help="estimate without bf16 autocast")
    sub.add_parser("presets", help="print the model presets")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "presets":
        print(json.dumps(PRESETS, indent=2))
        return 0
    if args.command == "estimate":
        cfg = load_config(args.config)
        est = training_memory(cfg, cfg["global_batch_size"] // args.world_size, not args.fp32)
        out = dict(est)
        out["train_flops_per_sample"] = training_flops_per_sample(cfg)
        print(json.dumps(out, indent=2))
        if args.capacity_gib:
            try:
                check_fits(est, args.capacity_gib * GIB)
            except MemoryEstimateError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
        return 0
    from .train import train

    cfg = load_config(args.config)
    try:
        status = train(cfg, args.manifest, args.run_dir, resume=args.resume, stop_at_step=args.stop_at_step,
                       prune_uploaded_only=args.prune_uploaded_only)
    except Exception as err:
        print(f"hounsfield: run failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"hounsfield: run {status}")
    # 75 (EX_TEMPFAIL): stopped by SIGTERM after a checkpoint; the agent hands the run back to the queue.
    return 75 if status == "preempted" else 0


if __name__ == "__main__":
    sys.exit(main())
