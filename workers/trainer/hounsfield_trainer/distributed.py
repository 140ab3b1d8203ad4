"""Process-group setup from torchrun variables, falling back to Slurm's (srun without torchrun)."""
import os
import re
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist


@dataclass
class DistContext:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self):
        return self.rank == 0

    @property
    def enabled(self):
        return self.world > 1


def first_host(nodelist):
    """First host of a Slurm nodelist: 'gpu[07-09,12],cpu1' -> 'gpu07'."""
    first = re.match(r"[^,\[]+(\[[^\]]*\])?", nodelist.strip())
    if not first:
        raise ValueError(f"cannot parse Slurm nodelist {nodelist!r}")
    host = first.group(0)
    if "[" not in host:
        return host
    prefix, ranges = host.split("[", 1)
    return prefix + re.split(r"[-,\]]", ranges)[0]


def env_settings(env=None):
    env = os.environ if env is None else env
    rank = int(env.get("RANK", env.get("SLURM_PROCID", 0)))
    world = int(env.get("WORLD_SIZE", env.get("SLURM_NTASKS", 1)))
    local_rank = int(env.get("LOCAL_RANK", env.get("SLURM_LOCALID", 0)))
    addr = env.get("MASTER_ADDR")
    if not addr:
        nodelist = env.get("SLURM_JOB_NODELIST") or env.get("SLURM_NODELIST")
        addr = first_host(nodelist) if nodelist else "127.0.0.1"
    port = env.get("MASTER_PORT")
    if not port:
        # Distinct per job so two jobs sharing a node do not collide.
        port = str(20000 + int(env.get("SLURM_JOB_ID", 9500)) % 20000)
    return {"rank": rank, "world": world, "local_rank": local_rank, "master_addr": addr, "master_port": port}


def init_distributed(device_pref="auto"):
    s = env_settings()
    cuda = torch.cuda.is_available() and device_pref in ("auto", "cuda")
    if cuda:
        torch.cuda.set_device(s["local_rank"] % torch.cuda.device_count())
        device = torch.device("cuda", torch.cuda.current_device())
    else:
        device = torch.device("cpu")
    if s["world"] > 1 and not dist.is_initialized():
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = s["master_addr"], s["master_port"]
        # The first collectives wait for every process's share of a cold cache: minutes to hours on a large
        # dataset, longer than the library's default timeout.
        minutes = float(os.environ.get("HOUNSFIELD_DIST_TIMEOUT_MINUTES", "240"))
        dist.init_process_group("nccl" if cuda else "gloo", init_method="env://", rank=s["rank"],
                                world_size=s["world"], timeout=timedelta(minutes=minutes))
    return DistContext(s["rank"], s["world"], s["local_rank"], device)


def shutdown(ctx):
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()


def barrier(ctx):
    if ctx.enabled:
        dist.barrier()


def gather_objects(ctx, obj):
    """Every process's `obj`, in rank order, on every process."""
    if not ctx.enabled:
        return [obj]
    out = [None] * ctx.world
    dist.all_gather_object(out, obj)
    return out


def mean_across(ctx, values):
    """Average a list of floats over all processes (one collective)."""
    t = torch.tensor(values, dtype=torch.float64, device=ctx.device if ctx.device.type == "cuda" else "cpu")
    if ctx.enabled:
        dist.all_reduce(t)
        t /= ctx.world
    return t.tolist()


@torch.no_grad()
def mean_count_per_process(count):
    """A local count (tensor) averaged over processes: a local sum divided by it makes the DDP-averaged loss the mean
    over the global batch, as in one process, even when processes hold different numbers of items (masked tokens,
    the real crops of padded whole-scan batches). A collective on the device, not a host synchronisation."""
    count = count.detach().float().clone()
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(count)
        count /= dist.get_world_size()
    return count
