"""Volume preprocessing: reorient to RAS, resample to the target spacing, window HU to [0, 1], tile into crops.

finetune_starter.py repeats these steps operation for operation; tests keep the two in step.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from .nifti import VolumeError

_AXIS_CODES = {"R": (0, 1), "L": (0, -1), "A": (1, 1), "P": (1, -1), "S": (2, 1), "I": (2, -1)}


def io_orientation(affine):
    """Per voxel axis, (world axis, direction): nibabel's io_orientation algorithm, without nibabel."""
    rzs = np.asarray(affine, dtype=np.float64)[:3, :3]
    zooms = np.sqrt((rzs * rzs).sum(axis=0))
    zooms[zooms == 0] = 1
    p, s, qs = np.linalg.svd(rzs / zooms, full_matrices=False)
    keep = s > s.max() * 3 * np.finfo(s.dtype).eps
    r = p[:, keep] @ qs[keep]
    ornt = []
    for in_ax in range(3):
        col = r[:, in_ax]
        if np.allclose(col, 0):
            raise VolumeError("affine is degenerate: a voxel axis has no world direction")
        out_ax = int(np.argmax(np.abs(col)))
        ornt.append((out_ax, 1 if col[out_ax] > 0 else -1))
        r[out_ax, :] = 0
    return ornt


def ornt_from_codes(codes):
    codes = codes.upper()
    if len(codes) != 3 or sorted(_AXIS_CODES[c][0] for c in codes if c in _AXIS_CODES) != [0, 1, 2]:
        raise VolumeError(f"bad orientation code {codes!r}")
    return [_AXIS_CODES[c] for c in codes]


def to_ras(arr, ornt, zooms):
    """Flip and transpose so that array axes run L->R, P->A, I->S; returns (array, zooms in RAS order)."""
    perm = [0, 0, 0]
    for in_ax, (out_ax, sign) in enumerate(ornt):
        if sign < 0:
            arr = np.flip(arr, axis=in_ax)
        perm[out_ax] = in_ax
    return np.ascontiguousarray(np.transpose(arr, perm)), [float(zooms[i]) for i in perm]


def affine_zooms(affine):
    return np.sqrt((np.asarray(affine, dtype=np.float64)[:3, :3] ** 2).sum(axis=0))


def target_shape(shape, spacing, target):
    return [max(1, int(math.floor(n * s / t + 0.5))) for n, s, t in zip(shape, spacing, target)]


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


def resample_and_window(arr_ras, spacing, target, hu_window, smooth=True):
    """Trilinear resampling in HU (anti-aliased where it shrinks), then clip to the window and scale to [0, 1];
    returns a float32 tensor."""
    x = torch.from_numpy(np.ascontiguousarray(arr_ras, dtype=np.float32))[None, None]
    size = target_shape(arr_ras.shape, spacing, target)
    if list(size) != list(arr_ras.shape):
        if smooth:
            x = antialias(x, size)
        x = F.interpolate(x, size=size, mode="trilinear", align_corners=False)
    lo, hi = float(hu_window[0]), float(hu_window[1])
    return x[0, 0].clamp(lo, hi).sub(lo).div(hi - lo)


def check_ct_like(arr):
    """Reject volumes whose values cannot be CT in Hounsfield units (MR, unscaled raw values, normalised data)."""
    sample = np.asarray(arr[::2, ::2, ::2], dtype=np.float32)
    if not np.isfinite(sample).all():
        raise VolumeError("not CT-like: non-finite voxel values")
    lo, hi = np.percentile(sample, [0.5, 99.5])
    if hi - lo < 100:
        raise VolumeError(f"not CT-like: near-constant values ({lo:.1f}..{hi:.1f})")
    if lo > -500:
        raise VolumeError(f"not CT-like: no air (0.5th percentile {lo:.1f} HU > -500 HU)")
    if lo < -4000 or hi > 40000:
        raise VolumeError(f"not CT-like: values outside the HU range ({lo:.1f}..{hi:.1f})")


def preprocess_volume(arr, ornt, zooms, data_cfg):
    """Raw HU array in file voxel order -> normalised float32 tensor in RAS at the configured spacing."""
    if arr.ndim != 3 or min(arr.shape) < 4:
        raise VolumeError(f"wrong dims: need a 3D volume with >= 4 voxels per axis, got {tuple(arr.shape)}")
    check_ct_like(arr)
    ras, spacing = to_ras(arr, ornt, zooms)
    if not all(0 < s < 50 for s in spacing):
        raise VolumeError(f"implausible voxel spacing {spacing} mm")
    return resample_and_window(ras, spacing, data_cfg["spacing"], data_cfg["hu_window"], data_cfg.get("antialias", True)), spacing


def tile_volume(vol, crop_size):
    """Pad (value 0) at the high end to a multiple of crop_size and cut into crops; returns (crops, grid coords)."""
    grid = [max(1, math.ceil(n / c)) for n, c in zip(vol.shape, crop_size)]
    padded = vol.new_zeros([g * c for g, c in zip(grid, crop_size)])
    padded[: vol.shape[0], : vol.shape[1], : vol.shape[2]] = vol
    cx, cy, cz = crop_size
    crops = (padded.reshape(grid[0], cx, grid[1], cy, grid[2], cz)
             .permute(0, 2, 4, 1, 3, 5).reshape(-1, 1, cx, cy, cz))
    coords = torch.stack(torch.meshgrid(*[torch.arange(g) for g in grid], indexing="ij"), -1).reshape(-1, 3)
    return crops, coords.float(), grid
