"""Hounsfield fine-tuning starter: load a released CT encoder and turn NIfTI scans into embeddings.

Put this file next to the release's config.json, model.safetensors and preprocessing.json. It needs only torch and
numpy (nibabel is used when installed; otherwise a built-in NIfTI-1 reader is used).

    python3 finetune_starter.py embed scan.nii.gz --out scan_embedding.npz
    python3 finetune_starter.py probe labels.csv        # CSV rows: path,label[,split] -> held-out accuracy of a linear probe

    from finetune_starter import load_encoder, embed_nifti
    encoder, config, contract = load_encoder(".")
    out = embed_nifti(encoder, contract, "scan.nii.gz")   # out["volume"]: (global_dim,), out["crop"]: (crops, 2*dim)

The preprocessing below is the input contract of preprocessing.json: reorient to RAS, trilinear resampling to
spacing_mm, clip to hu_window and scale to [0, 1], pad with 0 and tile into crops. Model code is a copy of the
trainer's (hounsfield_trainer/model.py); parameter names and arithmetic are identical.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- NIfTI-1 (used when nibabel is not installed)
_NIFTI_DTYPES = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 256: "i1", 512: "u2", 768: "u4", 1024: "i8",
                 1280: "u8"}


def read_nifti(path, reader="auto"):
    """(float32 array in file voxel order, 4x4 affine)."""
    if reader in ("auto", "nibabel"):
        try:
            import nibabel as nib
        except ImportError:
            if reader == "nibabel":
                raise
        else:
            img = nib.load(path)
            arr = np.asarray(img.get_fdata(dtype=np.float32))
            return _squeeze3d(arr), np.asarray(img.affine, dtype=np.float64)
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:2] == b"\x1f\x8b":
        buf = gzip.decompress(buf)
    endian = "<" if struct.unpack("<i", buf[:4])[0] == 348 else ">"
    if struct.unpack(endian + "i", buf[:4])[0] != 348 or buf[344:347] != b"n+1":
        raise ValueError(f"{path}: not a single-file NIfTI-1 image")
    u = lambda fmt, off: struct.unpack_from(endian + fmt, buf, off)
    dim, datatype, pixdim = u("8h", 40), u("h", 70)[0], u("8f", 76)
    shape = tuple(int(v) for v in dim[1:1 + dim[0]])
    dtype = np.dtype(endian + _NIFTI_DTYPES[datatype])
    count = int(np.prod(shape))
    offset = int(u("f", 108)[0])
    if len(buf) < offset + count * dtype.itemsize:
        raise ValueError(f"{path}: truncated voxel data")
    arr = np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(shape, order="F").astype(np.float32)
    slope, inter = u("2f", 112)
    if np.isfinite(slope) and slope != 0 and (slope != 1 or (np.isfinite(inter) and inter != 0)):
        arr = arr * np.float32(slope) + np.float32(inter if np.isfinite(inter) else 0.0)
    qform_code, sform_code = u("2h", 252)
    if sform_code > 0:
        affine = np.vstack([np.array(u("4f", off), dtype=np.float64) for off in (280, 296, 312)] + [[0, 0, 0, 1]])
    elif qform_code > 0:
        b, c, d = (float(v) for v in u("3f", 256))
        a = math.sqrt(max(0.0, 1.0 - (b * b + c * c + d * d)))
        rot = np.array([[a * a + b * b - c * c - d * d, 2 * b * c - 2 * a * d, 2 * b * d + 2 * a * c],
                        [2 * b * c + 2 * a * d, a * a + c * c - b * b - d * d, 2 * c * d - 2 * a * b],
                        [2 * b * d - 2 * a * c, 2 * c * d + 2 * a * b, a * a + d * d - c * c - b * b]])
        zooms = np.array([pixdim[1], pixdim[2], pixdim[3] * (-1.0 if pixdim[0] < 0 else 1.0)])
        affine = np.eye(4)
        affine[:3, :3] = rot * zooms
        affine[:3, 3] = np.array(u("3f", 268), dtype=np.float64)
    else:
        z = np.array([-pixdim[1], pixdim[2], pixdim[3]], dtype=np.float64)
        affine = np.diag([*z, 1.0])
        affine[:3, 3] = -(np.array((shape + (1, 1))[:3], dtype=np.float64) - 1) / 2 * z
    return _squeeze3d(arr), affine


def _squeeze3d(arr):
    while arr.ndim > 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError(f"expected a 3D volume, got shape {arr.shape}")
    return arr


# ---------------------------------------------------------------- preprocessing (preprocessing.json)
def _orientation(affine):
    rzs = np.asarray(affine, dtype=np.float64)[:3, :3]
    zooms = np.sqrt((rzs * rzs).sum(axis=0))
    zooms[zooms == 0] = 1
    p, s, qs = np.linalg.svd(rzs / zooms, full_matrices=False)
    keep = s > s.max() * 3 * np.finfo(s.dtype).eps
    r = p[:, keep] @ qs[keep]
    ornt = []
    for in_ax in range(3):
        col = r[:, in_ax]
        out_ax = int(np.argmax(np.abs(col)))
        ornt.append((out_ax, 1 if col[out_ax] > 0 else -1))
        r[out_ax, :] = 0
    return ornt, np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))


def antialias(x, size):
    """Gaussian smoothing along each axis that resampling to `size` shrinks (sigma = (factor - 1) / 2 voxels, as
    scikit-image's resize does; edges replicated), so fine structure averages into the coarser grid instead of
    aliasing into it. x: (1, 1, X, Y, Z) float32."""
    for axis in range(3):
        factor = x.shape[2 + axis] / size[axis]
        if factor <= 1:
            continue
        sigma = (factor - 1) / 2
        radius = int(math.ceil(3 * sigma))
        t = torch.arange(-radius, radius + 1, dtype=torch.float32)
        kernel = torch.exp(-0.5 * (t / sigma) ** 2)
        shape = [1, 1, 1, 1, 1]
        shape[2 + axis] = kernel.numel()
        pad = [0] * 6
        pad[2 * (2 - axis)] = pad[2 * (2 - axis) + 1] = radius
        x = F.conv3d(F.pad(x, pad, mode="replicate"), (kernel / kernel.sum()).reshape(shape))
    return x


def preprocess(arr, affine, contract):
    """Raw HU volume + affine -> float32 tensor (x, y, z) in RAS at spacing_mm, values in [0, 1]."""
    if contract.get("orientation", "RAS") != "RAS":
        raise ValueError("this starter implements the RAS contract only")
    ornt, zooms = _orientation(affine)
    perm = [0, 0, 0]
    for in_ax, (out_ax, sign) in enumerate(ornt):
        if sign < 0:
            arr = np.flip(arr, axis=in_ax)
        perm[out_ax] = in_ax
    arr = np.ascontiguousarray(np.transpose(arr, perm))
    spacing = [float(zooms[i]) for i in perm]
    x = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))[None, None]
    size = [max(1, int(math.floor(n * s / t + 0.5))) for n, s, t in zip(arr.shape, spacing, contract["spacing_mm"])]
    if list(size) != list(arr.shape):
        if contract.get("antialias"):
            x = antialias(x, size)
        x = F.interpolate(x, size=size, mode="trilinear", align_corners=False)
    lo, hi = (float(v) for v in contract["hu_window"])
    return x[0, 0].clamp(lo, hi).sub(lo).div(hi - lo)


def tile(vol, crop_size):
    grid = [max(1, math.ceil(n / c)) for n, c in zip(vol.shape, crop_size)]
    padded = vol.new_zeros([g * c for g, c in zip(grid, crop_size)])
    padded[: vol.shape[0], : vol.shape[1], : vol.shape[2]] = vol
    cx, cy, cz = crop_size
    crops = (padded.reshape(grid[0], cx, grid[1], cy, grid[2], cz)
             .permute(0, 2, 4, 1, 3, 5).reshape(-1, 1, cx, cy, cz))
    coords = torch.stack(torch.meshgrid(*[torch.arange(g) for g in grid], indexing="ij"), -1).reshape(-1, 3)
    return crops, coords.float(), grid


# ---------------------------------------------------------------- model (copy of hounsfield_trainer/model.py)
def sincos_3d(coords, dim):
    per_axis = (dim // 6) * 2
    half = per_axis // 2
    omega = 1.0 / (10000 ** (torch.arange(half, dtype=torch.float32, device=coords.device) / max(half, 1)))
    parts = []
    for axis in range(3):
        angle = coords[:, axis:axis + 1].float() * omega[None]
        parts += [torch.sin(angle), torch.cos(angle)]
    emb = torch.cat(parts, dim=1)
    return F.pad(emb, (0, dim - emb.shape[1]))


def grid_coords(grid):
    return torch.stack(torch.meshgrid(*[torch.arange(g) for g in grid], indexing="ij"), -1).reshape(-1, 3)


def patchify(x, patch_size):
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

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        if hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            attn = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
            out = attn.softmax(dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    """Pre-norm transformer block; with LayerScale (config "layerscale" > 0) each branch has a learned per-channel
    scale. Drop-path is a training-time regulariser: add it here when fine-tuning if you want it."""

    def __init__(self, dim, heads, mlp_ratio, layerscale=0.0):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.ls1 = nn.Parameter(torch.full((dim,), float(layerscale))) if layerscale else None
        self.ls2 = nn.Parameter(torch.full((dim,), float(layerscale))) if layerscale else None

    def forward(self, x):
        a, m = self.attn(self.norm1(x)), None
        x = x + (a if self.ls1 is None else a * self.ls1)
        m = self.mlp(self.norm2(x))
        return x + (m if self.ls2 is None else m * self.ls2)


class LocalViT(nn.Module):
    def __init__(self, m, mask_token=False):
        super().__init__()
        self.patch_size = list(m["patch_size"])
        self.grid = [c // p for c, p in zip(m["crop_size"], m["patch_size"])]
        dim = m["dim"]
        self.patch_embed = nn.Linear(int(math.prod(self.patch_size)), dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim)) if mask_token else None
        self.register_buffer("pos", sincos_3d(grid_coords(self.grid), dim)[None], persistent=False)
        self.blocks = nn.ModuleList(Block(dim, m["heads"], m["mlp_ratio"], m.get("layerscale", 0.0)) for _ in range(m["depth"]))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        t = self.patch_embed(patchify(x, self.patch_size))
        t = t + self.pos.to(t.dtype)
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1).to(t.dtype), t], dim=1)
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t)


class GlobalTransformer(nn.Module):
    def __init__(self, m):
        super().__init__()
        g = m["global_dim"]
        self.dim = g
        self.in_proj = nn.Linear(2 * m["dim"], g)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, g))
        self.blocks = nn.ModuleList(Block(g, m["global_heads"], m["mlp_ratio"], m.get("layerscale", 0.0))
                                    for _ in range(m["global_depth"]))
        self.norm = nn.LayerNorm(g, eps=1e-6)

    def forward(self, feats, coords):
        x = self.in_proj(feats) + sincos_3d(coords, self.dim).to(feats.device, feats.dtype)[None]
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1).to(x.dtype), x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 0], x[:, 1:]


class Encoder(nn.Module):
    def __init__(self, m, mask_token=False):
        super().__init__()
        self.local = LocalViT(m, mask_token=mask_token)
        self.context = GlobalTransformer(m)


# ---------------------------------------------------------------- weights
_ST_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
              "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_, "BF16": np.int16}


def read_safetensors(path):
    """(tensors, metadata) from a .safetensors file, without the safetensors package."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        dtype = np.dtype(_ST_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(buf, dtype=dtype, count=(b - a) // dtype.itemsize, offset=8 + n + a)
        t = torch.from_numpy(arr.astype(dtype.newbyteorder("="), copy=True)).reshape(info["shape"])
        tensors[name] = t.view(torch.bfloat16) if info["dtype"] == "BF16" else t
    return tensors, metadata


def load_encoder(folder=".", device="cpu"):
    """Build the encoder from config.json and load model.safetensors; returns (encoder, config, contract)."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "preprocessing.json")) as f:
        contract = json.load(f)
    tensors, metadata = read_safetensors(os.path.join(folder, "model.safetensors"))
    prefix = metadata.get("encoder_prefix", "encoder.")
    state = {k[len(prefix):]: v.float() for k, v in tensors.items() if k.startswith(prefix)}
    encoder = Encoder(config["model"], mask_token="local.mask_token" in state)
    encoder.load_state_dict(state, strict=True)
    return encoder.to(device).eval(), config, contract


@torch.no_grad()
def embed(encoder, vol, crop_size, chunk=8):
    """Per-crop embeddings [CLS, mean patch] (crops, 2*dim), their global context (crops, g), a volume vector (g)."""
    crops, coords, grid = tile(vol, crop_size)
    device = next(encoder.parameters()).device
    feats = []
    for i in range(0, crops.shape[0], chunk):
        tokens = encoder.local(crops[i:i + chunk].to(device))
        feats.append(torch.cat([tokens[:, 0], tokens[:, 1:].mean(dim=1)], dim=-1))
    feats = torch.cat(feats)[None]
    volume, context = encoder.context(feats, coords.to(device))
    return {"crop": feats[0].cpu(), "crop_context": context[0].cpu(), "volume": volume[0].cpu(), "grid": grid}


def embed_nifti(encoder, contract, path, reader="auto"):
    arr, affine = read_nifti(path, reader)
    return embed(encoder, preprocess(arr, affine, contract), contract["crop_size_voxels"])


# ---------------------------------------------------------------- example: a linear probe on volume embeddings
def held_out_split(paths, fraction=3):
    """About one path in `fraction` held out, chosen by a hash of the path (stable across runs and machines)."""
    import hashlib
    return torch.tensor([int(hashlib.sha256(p.encode()).hexdigest()[:8], 16) % fraction == 0 for p in paths])


def probe_features(out):
    """A scan's features for the probe, as the trainer's probe takes them: the global token beside the mean crop
    embedding, each L2-normalised (MAE never trains the global token's output)."""
    import torch.nn.functional as F
    return torch.cat([F.normalize(out["volume"].float(), dim=-1), F.normalize(out["crop"].float().mean(0), dim=-1)])


def linear_probe(features, labels, held_out, epochs=200, lr=1e-2, weight_decay=1e-4, seed=0):
    """Fit a linear classifier on the frozen embeddings not held out (features: (n, d), labels: (n,) int64,
    held_out: (n,) bool) and return it, the normalisation, and its accuracy on the held-out rows alone."""
    torch.manual_seed(seed)
    train = ~held_out
    if not train.any() or not held_out.any():
        raise ValueError("a probe needs training and held-out rows")
    mean, std = features[train].mean(0, keepdim=True), features[train].std(0, keepdim=True) + 1e-6
    probe = nn.Linear(features.shape[1], int(labels.max()) + 1)
    opt = torch.optim.AdamW(probe.parameters(), lr=lr, weight_decay=weight_decay)
    x = (features - mean) / std
    for _ in range(epochs):
        opt.zero_grad()
        F.cross_entropy(probe(x[train]), labels[train]).backward()
        opt.step()
    with torch.no_grad():
        accuracy = (probe(x[held_out]).argmax(1) == labels[held_out]).float().mean().item()
    return probe, (mean, std), accuracy


def layerwise_lr_groups(encoder, base_lr, decay=0.75, weight_decay=0.05):
    """Optimizer groups for fine-tuning with layer-wise learning-rate decay: the last block of the global
    transformer learns at base_lr, each block below it at `decay` times the one above, down to the patch
    embedding; norms and biases without weight decay. Use: torch.optim.AdamW(layerwise_lr_groups(encoder, 1e-4))."""
    first = [encoder.local.patch_embed, encoder.local.cls_token] + ([encoder.local.mask_token] if encoder.local.mask_token is not None else [])
    layers = [first] + [[b] for b in encoder.local.blocks] + \
        [[encoder.local.norm, encoder.context.in_proj, encoder.context.cls_token]] + \
        [[b] for b in encoder.context.blocks]
    layers[-1] = layers[-1] + [encoder.context.norm]  # the final norm learns with the last block
    groups = []
    for depth, modules in enumerate(layers):
        lr = base_lr * decay ** (len(layers) - 1 - depth)
        params = [p for m in modules for p in ([m] if isinstance(m, nn.Parameter) else m.parameters())]
        decayed = [p for p in params if p.ndim >= 2 and p.shape[0] > 1]
        plain = [p for p in params if not (p.ndim >= 2 and p.shape[0] > 1)]
        groups += [{"params": decayed, "lr": lr, "weight_decay": weight_decay}, {"params": plain, "lr": lr, "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weights", default=os.path.dirname(os.path.abspath(__file__)),
                   help="folder with config.json, model.safetensors, preprocessing.json")
    p.add_argument("--reader", choices=["auto", "nibabel", "builtin"], default="auto")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("embed", help="embed one NIfTI scan")
    e.add_argument("scan")
    e.add_argument("--out", help=".npz file for crop, crop_context, volume and grid")
    pr = sub.add_parser("probe", help="a linear probe from a CSV of path,label[,split]; accuracy on held-out scans")
    pr.add_argument("csv")
    args = p.parse_args(argv)
    encoder, _, contract = load_encoder(args.weights)
    if args.command == "embed":
        out = embed_nifti(encoder, contract, args.scan, args.reader)
        if args.out:
            np.savez(args.out, crop=out["crop"].numpy(), crop_context=out["crop_context"].numpy(),
                     volume=out["volume"].numpy(), grid=np.array(out["grid"]))
        print(f"{len(out['crop'])} crops on a {out['grid']} grid; volume embedding of size {out['volume'].numel()}")
        return 0
    rows = [[c.strip() for c in line.strip().split(",")] for line in open(args.csv) if line.strip()]
    rows = [r for r in rows if r[:2] != ["path", "label"]]
    names = sorted({r[1] for r in rows})
    feats = torch.stack([probe_features(embed_nifti(encoder, contract, r[0], args.reader)) for r in rows])
    labels = torch.tensor([names.index(r[1]) for r in rows])
    # A split column says which scans are held out (`test`); without one, about a third, chosen by path.
    held_out = torch.tensor([r[2] == "test" for r in rows]) if all(len(r) == 3 for r in rows) else held_out_split([r[0] for r in rows])
    _, _, accuracy = linear_probe(feats, labels, held_out)
    print(f"linear probe on {int((~held_out).sum())} scans, classes {names}: held-out accuracy {accuracy:.3f} "
          f"on {int(held_out.sum())} scans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
