"""DINO-style self-distillation with an iBOT masked-patch loss, at crop level (CLS) and volume level (global CLS).

The student sees two jittered, intensity-augmented views with masked patches, and small local crops (DINOv2's
multi-crop); the EMA teacher sees the two views unmasked.
Teacher targets are centred with Sinkhorn-Knopp (as in DINOv2): with EMA centring a small batch drawn from few
volumes collapses to uniform targets.
"""
import copy
import math

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from .data import sample_crops
from .distributed import mean_count_per_process
from .model import Block, Encoder, init_weights


class DINOHead(nn.Module):
    def __init__(self, dim, hidden, bottleneck, prototypes):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, bottleneck))
        self.prototypes = nn.Parameter(torch.randn(prototypes, bottleneck) * 0.02)

    def forward(self, x):
        # Cosine logits against normalised prototypes (DINO's weight-normalised last layer with g fixed to 1), in
        # float32 even under bf16 autocast: divided by a teacher temperature of 0.04 and exponentiated in Sinkhorn,
        # bf16's 8 bits of mantissa would quantise the targets.
        z = F.normalize(self.mlp(x).float(), dim=-1)
        with torch.autocast(device_type=z.device.type, enabled=False):
            return F.linear(z, F.normalize(self.prototypes.float(), dim=-1))


class DinoNet(nn.Module):
    def __init__(self, m):
        super().__init__()
        args = (m["head_hidden"], m["head_bottleneck"], m["head_prototypes"])
        self.encoder = Encoder(m, mask_token=True)
        self.crop_head = DINOHead(m["dim"], *args)
        self.patch_head = DINOHead(m["dim"], *args)
        self.volume_head = DINOHead(m["global_dim"], *args)

    def forward(self, views, coords, mask=None, valid=None):
        b, k = views.shape[:2]
        tokens = self.encoder.local(views.flatten(0, 1), mask=None if mask is None else mask.flatten(0, 1))
        feats = torch.cat([tokens[:, 0], tokens[:, 1:].mean(dim=1)], dim=-1).reshape(b, k, -1)
        volume, _ = self.encoder.context(feats, coords, valid)
        return self.crop_head(tokens[:, 0]), tokens[:, 1:], self.volume_head(volume), tokens[:, 0]


def koleo_loss(x, eps=1e-8):
    """Kozachenko-Leonenko entropy estimate (DINOv2's KoLeo): minus the mean log distance from each L2-normalised
    embedding to its nearest neighbour in the global batch. Lower when the embeddings spread out. Neighbours come
    from every process and are held fixed (each point is pushed away from its neighbour), so the loss and its
    gradients are the same on any number of processes."""
    x = F.normalize(x.float(), dim=-1)
    others, offset = x.detach(), 0
    if dist.is_available() and dist.is_initialized():
        parts = [torch.empty_like(others) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, others)
        offset = dist.get_rank() * x.shape[0]
        others = torch.cat(parts)
    if others.shape[0] < 2:
        return x.sum() * 0
    dots = x.detach() @ others.t()
    own = torch.arange(x.shape[0], device=x.device)
    dots[own, own + offset] = -2.0  # never one's own neighbour
    nearest = others[dots.argmax(dim=1)]
    return -torch.log((x - nearest).norm(dim=-1) + eps).mean()


def teacher_temp_at(c, step, total_steps):
    """The teacher temperature for a step: linear from warmup_teacher_temp to teacher_temp over the warm-up."""
    warm = int(c["teacher_temp_warmup_fraction"] * total_steps)
    if warm <= 0 or step >= warm:
        return c["teacher_temp"]
    return c["warmup_teacher_temp"] + (c["teacher_temp"] - c["warmup_teacher_temp"]) * step / warm


def _cross_entropy(teacher_probs, student_logits, temp):
    return -(teacher_probs * F.log_softmax(student_logits / temp, dim=-1)).sum(dim=-1)


@torch.no_grad()
def sinkhorn_knopp(logits, temp, iterations=3):
    """Teacher targets with equal prototype usage over the global batch (DINOv2's centering). Sums and the sample
    count are all-reduced, so N processes give the same targets as one process holding the whole batch."""
    distributed = dist.is_available() and dist.is_initialized()

    def total(x):
        if distributed:
            dist.all_reduce(x)
        return x

    logits = logits.float()
    peak = logits.max().reshape(1) if logits.numel() else logits.new_full((1,), -1e30)
    if distributed:
        dist.all_reduce(peak, op=dist.ReduceOp.MAX)  # one shift for all ranks: it cancels in the global sum
    q = torch.exp((logits - peak) / temp).t()
    k = q.shape[0]
    b = total(q.new_full((1,), float(q.shape[1]))).clamp(min=1)
    q /= total(q.sum())
    for _ in range(iterations):
        q /= total(q.sum(dim=1, keepdim=True))
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    return (q * b).t()


def local_targets(local_crop, k):
    """Rows of the teacher's per-crop targets (b*k, sample-major) for local crops (b, n) cut from crop local_crop."""
    b = local_crop.shape[0]
    return (torch.arange(b, device=local_crop.device)[:, None] * k + local_crop).reshape(-1)


def masked_tokens(patch_tokens, index):
    """patch_tokens (n, N, d) at the (crop, patch) rows of `index` (from DINO.host_batch): the tokens, in the order,
    that boolean indexing with the mask gives."""
    return patch_tokens[index[:, 0], index[:, 1]]


class DINO(nn.Module):
    encoder_prefix = "teacher.encoder."

    def __init__(self, cfg):
        super().__init__()
        self.c = cfg["dino"]
        self.crop = list(cfg["model"]["crop_size"])
        self.student = DinoNet(cfg["model"])
        init_weights(self.student)
        self.teacher = copy.deepcopy(self.student)
        for param in self.teacher.parameters():
            param.requires_grad_(False)
        for block in self.teacher.modules():
            if isinstance(block, Block):
                block.drop_path = 0.0  # stochastic depth is the student's regulariser; the teacher's targets stay whole
        # A tensor, changed in place: as a Python number that changes every warm-up step, a compiled forward would
        # be recompiled for each new value.
        self.register_buffer("teacher_temp", torch.tensor(teacher_temp_at(self.c, 0, 1)), persistent=False)

    def before_step(self, step, total_steps):
        self.teacher_temp.fill_(teacher_temp_at(self.c, step - 1, total_steps))

    @staticmethod
    def host_batch(batch):
        """Adds each view's masked (crop, patch) positions, found on the host: the number of masked tokens sets the
        size of the iBOT head's input, and finding it on the device would make the host wait for it every step."""
        for v in range(2):
            batch[f"mask_index_{v}"] = batch["mask"][:, v].flatten(0, 1).nonzero()
        if "crop_valid" in batch:  # a padded whole-scan batch: the real crops, likewise
            batch["crop_index"] = batch["crop_valid"].reshape(-1).nonzero().squeeze(1)
        return batch

    def forward(self, batch, coords):
        # Views arrive as stored (float16): cut into crops, made float, flipped and intensity-jittered here, on the
        # accelerator.
        scale, shift = (batch["jitter"][..., i].reshape(*batch["jitter"].shape[:2], 1, 1, 1, 1, 1) for i in range(2))
        views, mask = sample_crops(batch, "views", self.crop) * scale + shift, batch["mask"]
        st, tt = self.c["student_temp"], self.teacher_temp
        masked = [mask[:, v].flatten(0, 1) for v in range(2)]
        if "mask_index_0" not in batch:
            batch = self.host_batch(dict(batch))
        index = [batch[f"mask_index_{v}"] for v in range(2)]
        # A whole-scan batch: its own grid coordinates, and only its real crops in the crop-level losses.
        coords, valid, real = batch.get("coords", coords), batch.get("crop_valid"), batch.get("crop_index")

        def at_masked(patch_tokens, v):
            return masked_tokens(patch_tokens, index[v])

        def crops_only(x):
            return x if real is None else x.index_select(0, real)

        with torch.no_grad():
            t_out = [self.teacher(views[:, v], coords, valid=valid) for v in range(2)]
            # iBOT: the patch head runs on masked positions only (the 65k-prototype logits dominate memory).
            t_patch = [self.teacher.patch_head(at_masked(t_out[v][1], v)) for v in range(2)]
            t_crop = sinkhorn_knopp(torch.cat([crops_only(t_out[0][0]), crops_only(t_out[1][0])]), tt).chunk(2)
            t_vol = sinkhorn_knopp(torch.cat([t_out[0][2], t_out[1][2]]), tt).chunk(2)
            t_patch = sinkhorn_knopp(torch.cat(t_patch), tt).split([len(t) for t in t_patch])
        s_out = [self.student(views[:, v], coords, mask=mask[:, v], valid=valid) for v in range(2)]

        # Crop level, as DINOv2 weighs it: the mean over every (student crop, teacher target) pair, the two cross-view
        # pairs of each real global crop and each local crop against its crop's targets in both views; the pair
        # count averaged over processes, so N processes match one however their crops are padded.
        pair_sum = sum(_cross_entropy(t_crop[1 - v], crops_only(s_out[v][0]), st).sum() for v in range(2))
        pairs = 2 * t_crop[0].shape[0]
        local_n = batch["locals"].shape[1] if "locals" in batch else 0
        if local_n:
            b, k = views.shape[0], views.shape[2]
            lj = batch["local_jitter"]
            locs = sample_crops(batch, "locals", self.crop) * lj[..., 0].reshape(b, local_n, 1, 1, 1, 1) + \
                lj[..., 1].reshape(b, local_n, 1, 1, 1, 1)
            s_local = self.student.crop_head(self.student.encoder.local(locs.flatten(0, 1))[:, 0])
            target = local_targets(batch["local_crop"], k)
            if valid is not None:  # rows of the real crops alone
                target = (torch.cumsum(valid.reshape(-1).long(), 0) - 1)[target]
            pair_sum = pair_sum + sum(_cross_entropy(t_crop[u][target], s_local, st).sum() for u in range(2))
            pairs += 2 * s_local.shape[0]
        # new_full: a fill on the device, where torch.tensor(..., device=) would copy from pageable host memory.
        crop_loss = pair_sum / mean_count_per_process(views.new_full((), float(pairs)))
        vol_loss = ibot_loss = 0.0
        for v in range(2):
            u = 1 - v
            vol_loss = vol_loss + _cross_entropy(t_vol[u], s_out[v][2], st).mean() / 2
            s_patch = self.student.patch_head(at_masked(s_out[v][1], v))
            count = mean_count_per_process(masked[v].sum()).clamp(min=1)
            ibot_loss = ibot_loss + _cross_entropy(t_patch[v], s_patch, st).sum() / count / 2
        # KoLeo on region steps only: its neighbours are gathered from every process, which needs equal counts, and
        # a whole-scan step's processes hold different numbers of real crops.
        koleo = sum(koleo_loss(s_out[v][3]) for v in range(2)) / 2 if real is None else views.new_zeros(())
        loss = crop_loss + vol_loss + self.c["ibot_weight"] * ibot_loss + self.c["koleo_weight"] * koleo
        parts = {"loss_crop": crop_loss, "loss_volume": vol_loss, "loss_ibot": ibot_loss, "loss_koleo": koleo}
        return loss, {k: v.detach() for k, v in parts.items()}

    @torch.no_grad()
    def after_step(self, step, total_steps):
        m0 = self.c["ema_start"]
        momentum = 1 - (1 - m0) * (math.cos(math.pi * step / total_steps) + 1) / 2
        for t, s in zip(self.teacher.parameters(), self.student.parameters()):
            t.mul_(momentum).add_(s.detach(), alpha=1 - momentum)

    def export_encoder(self):
        return self.teacher.encoder
