"""AdamW without weight decay on biases, norms and tokens; linear warmup then cosine decay."""
import inspect
import math

import torch


class WarmupCosine:
    """LR multiplier; a class rather than a closure so LambdaLR's state_dict can save it."""

    def __init__(self, warmup_steps, total_steps, min_ratio):
        self.warmup_steps, self.total_steps, self.min_ratio = warmup_steps, total_steps, min_ratio

    def __call__(self, step):
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        span = max(1, self.total_steps - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / span)
        return self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def build_optimizer(model, cfg, cuda):
    o = cfg["optim"]
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or name.endswith(("cls_token", "mask_token")) else decay).append(p)
    groups = [{"params": decay, "weight_decay": o["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}]
    kwargs = {"lr": o["lr"], "betas": tuple(o["betas"])}
    if cuda and "fused" in inspect.signature(torch.optim.AdamW).parameters:
        kwargs["fused"] = True
    optimizer = torch.optim.AdamW(groups, **kwargs)
    schedule = WarmupCosine(o["warmup_steps"], cfg["total_steps"], o["min_lr_ratio"])
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def weight_decay_at(o, step, total_steps):
    """The decayed group's weight decay at a step: cosine from weight_decay to weight_decay_end (if set)."""
    end = o.get("weight_decay_end")
    if end is None:
        return o["weight_decay"]
    progress = min(1.0, max(0, step) / max(1, total_steps))
    return end + (o["weight_decay"] - end) * 0.5 * (1 + math.cos(math.pi * progress))
