"""The encoder: a local 3D ViT over crops (anisotropic patches) and a global transformer over crop embeddings.

finetune_starter.py carries a copy of these classes (it must run alone); parameter names and arithmetic
must stay identical, which tests/test_finetune_starter.py checks.
"""
import math

import torch
import torch.utils.checkpoint
import torch.nn as nn
import torch.nn.functional as F


def sincos_3d(coords, dim):
    """Fixed 3D sin-cos embedding of (n, 3) coordinates; works for any grid size, so no interpolation."""
    per_axis = (dim // 6) * 2
    half = per_axis // 2
    omega = 1.0 / (10000 ** (torch.arange(half, dtype=torch.float32, device=coords.device) / max(half, 1)))
    parts = []
    for axis in range(3):
        angle = coords[:, axis:axis + 1].float() * omega[None]
        parts += [torch.sin(angle), torch.cos(angle)]
    emb = torch.cat(parts, dim=1)
    return F.pad(emb, (0, dim - emb.shape[1]))


def patch_grid(crop_size, patch_size):
    return [c // p for c, p in zip(crop_size, patch_size)]


def grid_coords(grid):
    return torch.stack(torch.meshgrid(*[torch.arange(g) for g in grid], indexing="ij"), -1).reshape(-1, 3)


def patchify(x, patch_size):
    """(n, 1, X, Y, Z) -> (n, patches, px*py*pz), patches in C order over the patch grid."""
    n, _, X, Y, Z = x.shape
    px, py, pz = patch_size
    x = x.reshape(n, X // px, px, Y // py, py, Z // pz, pz).permute(0, 1, 3, 5, 2, 4, 6)
    return x.reshape(n, -1, px * py * pz)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        """mask: (b, 1, 1, n) bool, False for keys to ignore (padding); None attends to all."""
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        if hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            attn = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
            if mask is not None:
                attn = attn.masked_fill(~mask, float("-inf"))
            out = attn.softmax(dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    """Pre-norm transformer block. `layerscale` > 0: each branch scaled by a learned per-channel factor starting
    there (DINOv2's LayerScale); `drop_path` > 0: in training each sample skips a branch with that probability
    (stochastic depth), the kept ones scaled up so the expectation is unchanged."""

    def __init__(self, dim, heads, mlp_ratio, layerscale=0.0, drop_path=0.0):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.ls1 = nn.Parameter(torch.full((dim,), float(layerscale))) if layerscale else None
        self.ls2 = nn.Parameter(torch.full((dim,), float(layerscale))) if layerscale else None
        self.drop_path = float(drop_path)

    def _branch(self, y, scale):
        if scale is not None:
            y = y * scale.to(y.dtype)
        if self.training and self.drop_path > 0:
            keep = torch.rand(y.shape[0], *([1] * (y.dim() - 1)), device=y.device) >= self.drop_path
            y = y * keep.to(y.dtype) / (1 - self.drop_path)
        return y

    def forward(self, x, mask=None):
        x = x + self._branch(self.attn(self.norm1(x), mask), self.ls1)
        return x + self._branch(self.mlp(self.norm2(x)), self.ls2)


def stack_blocks(dim, heads, mlp_ratio, depth, m):
    """A stack of blocks with the model's LayerScale, and drop-path rising linearly to its rate at the top."""
    rate = float(m.get("drop_path", 0.0))
    return nn.ModuleList(Block(dim, heads, mlp_ratio, m.get("layerscale", 0.0), rate * i / max(1, depth - 1))
                         for i in range(depth))


class LocalViT(nn.Module):
    def __init__(self, m, mask_token=False):
        super().__init__()
        self.patch_size = list(m["patch_size"])
        self.grid = patch_grid(m["crop_size"], m["patch_size"])
        dim = m["dim"]
        self.patch_embed = nn.Linear(int(math.prod(self.patch_size)), dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim)) if mask_token else None
        self.register_buffer("pos", sincos_3d(grid_coords(self.grid), dim)[None], persistent=False)
        self.blocks = stack_blocks(dim, m["heads"], m["mlp_ratio"], m["depth"], m)
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def _pos(self, shape):
        """Position embeddings of an input's patch grid: the crop's own, or (DINO's local crops) a smaller grid's,
        made once per size."""
        grid = [s // p for s, p in zip(shape, self.patch_size)]
        if grid == self.grid:
            return self.pos
        cache = self.__dict__.setdefault("_other_pos", {})
        key = (tuple(grid), self.pos.device)
        if key not in cache:
            cache[key] = sincos_3d(grid_coords(grid), self.pos.shape[-1])[None].to(self.pos.device)
        return cache[key]

    def forward(self, x, keep=None, mask=None):
        """Tokens [CLS, patches] after the final norm. keep: (n, L) patch ids to encode (MAE); mask: (n, N) bool
        patches replaced by the mask token (iBOT)."""
        t = self.patch_embed(patchify(x, self.patch_size))
        if mask is not None:
            t = torch.where(mask[..., None], self.mask_token.to(t.dtype), t)
        t = t + self._pos(x.shape[2:]).to(t.dtype)
        if keep is not None:
            t = torch.gather(t, 1, keep[..., None].expand(-1, -1, t.shape[-1]))
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1).to(t.dtype), t], dim=1)
        return self.norm(run_blocks(self, t))


def run_blocks(module, x, mask=None):
    """The module's blocks in turn; with activation checkpointing (set on the module), each block's activations are
    recomputed in the backward pass instead of kept."""
    for blk in module.blocks:
        if getattr(module, "checkpointing", False) and module.training and torch.is_grad_enabled():
            x = torch.utils.checkpoint.checkpoint(blk, x, mask, use_reentrant=False)
        else:
            x = blk(x, mask)
    return x


def crop_features(tokens):
    """Per-crop embedding: [CLS, mean of patch tokens]."""
    return torch.cat([tokens[:, 0], tokens[:, 1:].mean(dim=1)], dim=-1)


class GlobalTransformer(nn.Module):
    def __init__(self, m):
        super().__init__()
        g = m["global_dim"]
        self.dim = g
        self.in_proj = nn.Linear(2 * m["dim"], g)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, g))
        self.blocks = stack_blocks(g, m["global_heads"], m["mlp_ratio"], m["global_depth"], m)
        self.norm = nn.LayerNorm(g, eps=1e-6)

    def forward(self, feats, coords, valid=None):
        """feats (B, K, 2*dim), coords (K, 3) or per sample (B, K, 3) crop-grid positions, valid (B, K) bool: which
        crops are real (whole-scan batches are padded) -> (volume (B, g), crop context (B, K, g))."""
        b, k = feats.shape[:2]
        pos = sincos_3d(coords.reshape(-1, 3), self.dim).reshape(-1 if coords.dim() == 3 else 1, k, self.dim)
        x = self.in_proj(feats) + pos.to(feats.device, feats.dtype)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1).to(x.dtype), x], dim=1)
        mask = None if valid is None else torch.cat([valid.new_ones(b, 1), valid], dim=1)[:, None, None, :]
        x = self.norm(run_blocks(self, x, mask))
        return x[:, 0], x[:, 1:]


class Encoder(nn.Module):
    def __init__(self, m, mask_token=False):
        super().__init__()
        self.local = LocalViT(m, mask_token=mask_token)
        self.context = GlobalTransformer(m)

    def forward(self, crops, coords, valid=None):
        """crops (B, K, 1, X, Y, Z) -> {"crop": (B, K, 2*dim), "crop_context": (B, K, g), "volume": (B, g)}."""
        b, k = crops.shape[:2]
        feats = crop_features(self.local(crops.flatten(0, 1))).reshape(b, k, -1)
        volume, context = self.context(feats, coords, valid)
        return {"crop": feats, "crop_context": context, "volume": volume}


def init_weights(module):
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    for name, p in module.named_parameters():
        if name.endswith(("cls_token", "mask_token")):
            nn.init.normal_(p, std=0.02)
