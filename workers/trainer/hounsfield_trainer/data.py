"""Volume preparation (verify, load, preprocess, cache) and the crop dataset.

Every sample is a pure function of (seed, global sample index): sample g of step s is g = s * global_batch + i.
So the data stream does not depend on the number of processes or loader workers, and resuming at step k only
needs k (the data sampling "RNG state" is the next sample index).
"""
import os
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler
from torch.utils.data._utils.collate import default_collate

from .cache import PreprocessCache, cache_settings, default_cache_dir
from .config import local_crop_size, whole_scan_volumes
from .manifest import materialize
from .nifti import VolumeError, load_nifti
from .preprocess import affine_zooms, io_orientation, ornt_from_codes, preprocess_volume


def _load_source(entry, path):
    geometry = entry.get("geometry") or {}
    if path.endswith(".npy"):
        try:
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError) as e:
            raise VolumeError(f"unreadable .npy: {e}") from None
        if arr.dtype != np.int16:
            raise VolumeError(f"preprocessed .npy volumes must be int16 HU, got {arr.dtype}")
        if "spacing" not in geometry:
            raise VolumeError(".npy volume without geometry.spacing in the manifest")
        return arr, ornt_from_codes(geometry.get("orientation", "RAS")), [float(s) for s in geometry["spacing"]]
    arr, affine = load_nifti(path)
    return arr, io_orientation(affine), [float(z) for z in affine_zooms(affine)]


def _check_geometry(entry, shape, zooms):
    """The manifest's geometry (when given) must describe the file; checked on cache hits too."""
    geometry = entry.get("geometry") or {}
    if "shape" in geometry and list(shape) != list(geometry["shape"]):
        raise VolumeError(f"wrong dims: manifest {list(geometry['shape'])}, file {list(shape)}")
    if "spacing" in geometry and not np.allclose(zooms, geometry["spacing"], rtol=1e-3, atol=1e-3):
        raise VolumeError(f"wrong spacing: manifest {geometry['spacing']}, file {list(zooms)}")


def _prepare_one(entry, cfg):
    """One manifest entry to a cached volume: (item, None), or (None, why it can't be used). Never raises: one bad
    file must never end a run. A module-level function, so worker processes can run it."""
    data_cfg = cfg["data"]
    cache = PreprocessCache(data_cfg["cache_dir"] or default_cache_dir())
    settings = cache_settings(data_cfg)
    key = cache.key(entry["sha256"], settings)
    try:
        info = cache.get(key)
        if info is None:
            path = materialize(entry, os.path.join(os.path.dirname(cache.root), "downloads"))
            arr, ornt, zooms = _load_source(entry, path)
            _check_geometry(entry, arr.shape, zooms)
            vol, _ = preprocess_volume(arr, ornt, zooms, data_cfg)
            info = cache.put(key, vol.numpy(), {"sha256": entry["sha256"].lower(), "shape": list(vol.shape),
                                                "source_shape": list(arr.shape), "source_zooms": zooms,
                                                "settings": settings})
        else:
            _check_geometry(entry, info["source_shape"], info["source_zooms"])
    except VolumeError as e:
        return None, str(e)
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"
    return {"id": entry.get("id"), "sha256": info["sha256"], "key": key, "path": info["path"],
            "shape": info["shape"], "weight": float(entry.get("weight", 1.0))}, None


def prepare_shard(entries, cfg, processes=1, shard=(0, 1)):
    """This shard's entries (every `shard[1]`-th from `shard[0]`) prepared by `processes` worker processes:
    [(index, item or None, reason or None)]. The cache makes it resumable: prepared entries are hits."""
    mine = [(i, e) for i, e in enumerate(entries) if i % shard[1] == shard[0]]
    if processes > 1 and len(mine) > 1:
        # spawn: a forked copy of a process that may hold CUDA or a process group is not safe.
        with ProcessPoolExecutor(min(processes, len(mine)), mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_prepare_one, [e for _, e in mine], [cfg] * len(mine)))
    else:
        results = [_prepare_one(e, cfg) for _, e in mine]
    return [(i, item, reason) for (i, _), (item, reason) in zip(mine, results)]


def prepare_volumes(entries, cfg, on_skip=lambda entry, reason: None, processes=1):
    """Verified, cached volumes ready for cropping, in manifest order; unusable entries are reported through
    on_skip, never raised."""
    ready = []
    for i, item, reason in prepare_shard(entries, cfg, processes):
        if reason is not None:
            on_skip(entries[i], reason)
        else:
            ready.append(item)
    return ready


def block_mask(rng, grid, ratio):
    """About `ratio` of a patch grid masked in 3D blocks (iBOT's blockwise masking, in three dimensions): boxes of
    random extent are added until the count is reached, each box no larger than what is still missing."""
    mask = np.zeros(grid, dtype=bool)
    target = int(round(ratio * mask.size))
    count = 0
    for _ in range(100):
        missing = target - count
        if missing <= 0:
            break
        size = [int(rng.integers(1, g + 1)) for g in grid]
        while size[0] * size[1] * size[2] > max(missing, 1) and max(size) > 1:
            size[size.index(max(size))] -= 1
        start = [int(rng.integers(0, g - s + 1)) for g, s in zip(grid, size)]
        box = mask[tuple(slice(a, a + n) for a, n in zip(start, size))]
        count += box.size - int(np.count_nonzero(box))  # counted in the box, not over the grid, per block
        box[...] = True
    return mask.reshape(-1)


# Tags the stream volumes are drawn from, apart from each sample's own stream.
VOLUME_STREAM = 1


def flip_crops(x, flags):
    """x (*lead, ..., X, Y, Z) with each crop flipped in its place along the axes flags (*lead, 3) says: the flips
    the loader draws and leaves to the accelerator (an x or y flip in the loader's copy cost as much as the copy, a
    z flip, read backwards, up to 4x). Without flags, x as it is. torch.where, not a branch: the host never waits
    for the flags."""
    if flags is None:
        return x
    for axis in range(3):
        f = flags[..., axis]
        x = torch.where(f.reshape(*f.shape, *[1] * (x.dim() - f.dim())), x.flip(axis - 3), x)
    return x


def region_crops(region, crop):
    """A region (*lead, X, Y, Z) of adjacent crops cut into them on the accelerator: (*lead, k, 1, cx, cy, cz), in
    C order over the crop grid, as the masks and the loss pairings number them."""
    lead, (cx, cy, cz) = region.shape[:-3], crop
    gx, gy, gz = (n // c for n, c in zip(region.shape[-3:], crop))
    n = len(lead)
    r = region.reshape(*lead, gx, cx, gy, cy, gz, cz)
    r = r.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3, n + 5)
    return r.reshape(*lead, gx * gy * gz, 1, cx, cy, cz)


def sample_crops(batch, key, crop):
    """A batch's crops ("crops"), views ("views") or local crops ("locals") as float, cut from their regions where
    the loader sent regions (key + "_region") and flipped as drawn (flips; for local crops, local_flips): what the
    model sees, apart from DINO's intensity jitter."""
    x = batch[key] if key in batch else region_crops(batch[f"{key}_region"], crop)
    return flip_crops(x, batch.get("local_flips" if key == "locals" else "flips")).float()  # flipped at half the bytes


def sample_rng(seed, index):
    return np.random.Generator(np.random.PCG64([int(seed), int(index)]))


def extract_region(vol, start, size, out=None):
    """vol[start:start+size] with zero padding wherever the region leaves the volume, in the volume's own dtype
    (float16 from the cache: converted on the accelerator, half the bytes on the way there); into `out` when given
    (a buffer reused from sample to sample, for regions that are cut into crops here)."""
    if out is None:
        out = np.zeros(size, dtype=vol.dtype)
    elif not all(0 <= s and s + n <= dim for s, n, dim in zip(start, size, vol.shape)):
        out.fill(0)
    src, dst = [], []
    for s, n, dim in zip(start, size, vol.shape):
        a, b = max(s, 0), min(s + n, dim)
        if b <= a:
            return out
        src.append(slice(a, b))
        dst.append(slice(a - s, b - s))
    out[tuple(dst)] = vol[tuple(src)]
    return out


def whole_volume_step(cfg, step):
    """Whether training step `step` (1-based) trains on whole scans (data.whole_volume_every)."""
    every = int(cfg["data"]["whole_volume_every"])
    return every > 0 and step % every == 0


def whole_volumes_per_process(cfg, world):
    """Volumes each process takes in a whole-scan step."""
    return whole_scan_volumes(cfg, cfg["global_batch_size"] // world)


def volume_window(rng, shape, crop, max_crops):
    """The crop grid that tiles a volume as the fine-tune starter does (ceil per axis, padded at the high end), and
    where a window of at most max_crops of it starts (the largest axis shrunk first): (grid, window, origin)."""
    grid = [max(1, -(-n // c)) for n, c in zip(shape, crop)]
    window = list(grid)
    while int(np.prod(window)) > max_crops:
        window[window.index(max(window))] -= 1
    origin = [int(rng.integers(0, g - w + 1)) for g, w in zip(grid, window)]
    return grid, window, origin


class CropDataset(Dataset):
    """Item g: a region of crop_grid adjacent crops from one volume, with flips and the objective's masks; in a
    whole-scan step (data.whole_volume_every), the volume's whole crop grid with its coordinates."""

    def __init__(self, volumes, cfg):
        self.volumes = volumes
        self.seed = cfg["seed"]
        self.crop = list(cfg["model"]["crop_size"])
        self.grid = list(cfg["data"]["crop_grid"])
        self.flip_prob = cfg["data"]["flip_prob"]
        self.objective = cfg["objective"]
        self.dino = cfg["dino"]
        self.patch_grid = [c // p for c, p in zip(self.crop, cfg["model"]["patch_size"])]
        self.n_patches = int(np.prod(self.patch_grid))
        w = np.array([v["weight"] for v in volumes], dtype=np.float64)
        self.cum = np.cumsum(w / w.sum())
        # Open memmaps, least recently used first: each holds a descriptor and a mapping, and a loader worker that
        # kept every volume it touched open would hit the open-file or map-count limit on a large dataset.
        self.max_open = int(cfg["data"]["max_open_volumes"])
        self.per_volume = int(cfg["data"]["regions_per_volume"])
        self.local_n = int(self.dino["local_crops_number"]) if self.objective == "dino" else 0
        self.local_size = local_crop_size(cfg)
        self.batch = int(cfg["global_batch_size"])
        self.whole_every = int(cfg["data"]["whole_volume_every"])
        self.max_volume_crops = int(cfg["data"]["max_volume_crops"])
        self._arrays = OrderedDict()

    def __len__(self):
        return 2 ** 62

    def _array(self, i):
        if i in self._arrays:
            self._arrays.move_to_end(i)
            return self._arrays[i]
        while len(self._arrays) >= self.max_open:
            _, old = self._arrays.popitem(last=False)
            mm = getattr(old, "_mmap", None)
            if mm is not None:
                mm.close()  # now, not whenever the array is collected
        arr = self._arrays[i] = np.load(self.volumes[i]["path"], mmap_mode="r")
        return arr

    def _scratch(self, slot, size, dtype):
        """A region buffer kept for the next sample (slot: one per region a sample holds at once)."""
        buf = self.__dict__.setdefault("_buffers", {}).get(slot)
        if buf is None or buf.shape != tuple(size) or buf.dtype != dtype:
            buf = self._buffers[slot] = np.empty(size, dtype=dtype)
        return buf

    def _region(self, rng, vol, grid, jitter=None, start=None, out=None):
        """A region of `grid` crops (at `start`, or drawn) and the flips of its view, as flags per axis. Flips apply
        to each crop in its place, on the accelerator (flip_crops): flipping the region would move crops, and the
        losses pair the crops of two views by index. Into `out` (sent as it is), or else into a reused buffer (cut
        into crops here)."""
        size = [c * g for c, g in zip(self.crop, grid)]
        if jitter is not None:
            start = [s + int(rng.integers(-j, j + 1)) for s, j in zip(jitter[0], jitter[1])]
        elif start is None:
            start = [int(rng.integers(min(0, d - n), max(0, d - n) + 1)) for d, n in zip(vol.shape, size)]
        flips = np.array([rng.random() < self.flip_prob for _ in range(3)])
        if out is None:
            out = self._scratch(jitter is not None, size, vol.dtype)
        return extract_region(vol, start, size, out), flips, start

    def _split(self, region, grid, out=None):
        """The region's crops (k, 1, x, y, z), for whole-scan samples, whose grids differ from sample to sample
        (collate pads them by crop); into `out` when given."""
        (cx, cy, cz), (gx, gy, gz) = self.crop, grid
        if out is None:
            out = np.empty((gx * gy * gz, 1, cx, cy, cz), dtype=region.dtype)
        np.copyto(out.reshape(gx, gy, gz, cx, cy, cz), region.reshape(gx, cx, gy, cy, gz, cz).transpose(0, 2, 4, 1, 3, 5))
        return out

    def __getitem__(self, index):
        rng = sample_rng(self.seed, index)
        # The volume is drawn per group of regions_per_volume consecutive samples (still a function of the index
        # alone), the regions in it per sample.
        pick = rng.random()
        if self.per_volume > 1:
            group = np.random.Generator(np.random.PCG64([int(self.seed), int(index // self.per_volume), VOLUME_STREAM]))
            pick = group.random()
        vi = min(int(np.searchsorted(self.cum, pick, side="right")), len(self.volumes) - 1)
        vol = self._array(vi)
        grid, extra = self.grid, {}
        whole = self.whole_every and (index // self.batch + 1) % self.whole_every == 0
        # A region sample's regions go as they are, one copy from the volume each, and the accelerator cuts them
        # into crops (region_crops); a whole-scan sample is cut here: its grid is its own, and collate pads the
        # batch crop by crop.
        if whole:
            _, grid, origin = volume_window(rng, vol.shape, self.crop, self.max_volume_crops)
            region, flips, start = self._region(rng, vol, grid, start=[o * c for o, c in zip(origin, self.crop)])
            coords = np.stack(np.meshgrid(*[np.arange(o, o + w) for o, w in zip(origin, grid)], indexing="ij"), -1)
            extra = {"coords": torch.from_numpy(coords.reshape(-1, 3).astype(np.float32)),
                     "crop_valid": torch.ones(int(np.prod(grid)), dtype=torch.bool)}
            sent = None
        else:
            size = [c * g for c, g in zip(self.crop, grid)]
            sent = np.empty((2 if self.objective == "dino" else 1, *size), dtype=vol.dtype)  # one per view
            region, flips, start = self._region(rng, vol, grid, out=sent[0])
        k = int(np.prod(grid))
        if self.objective == "mae":
            noise = rng.random((k, self.n_patches), dtype=np.float32)
            crops = {"crops": torch.from_numpy(self._split(region, grid))} if whole else {"crops_region": torch.from_numpy(sent[0])}
            return {**crops, "noise": torch.from_numpy(noise), "flips": torch.from_numpy(flips), **extra}
        jitter = [int(c * self.dino["view_jitter"]) for c in self.crop]
        second = self._region(rng, vol, grid, jitter=(start, jitter), out=None if whole else sent[1])
        if whole:
            views = np.empty((2, k, 1, *self.crop), dtype=region.dtype)
            for v, r in enumerate((region, second[0])):
                self._split(r, grid, out=views[v])
            views = {"views": torch.from_numpy(views)}
        else:
            views = {"views_region": torch.from_numpy(sent)}
        jitter = []
        for _ in range(2):
            # Drawn here (a function of the sample index), applied where the views are made float (DINO.forward).
            jitter.append([1.0 + self.dino["intensity_jitter"] * (2 * rng.random() - 1),
                           self.dino["intensity_jitter"] * (2 * rng.random() - 1)])
        out = {**views, "jitter": torch.tensor(jitter, dtype=torch.float32),
               "flips": torch.from_numpy(np.stack([flips, second[1]])), "mask": torch.from_numpy(self._masks(rng, k)),
               **extra}
        if self.local_n:
            out.update(self._locals(rng, region, grid))
        return out

    def _locals(self, rng, region, grid):
        """DINOv2's local crops: each cut at a random place inside one crop of the first view's region (local_crop
        says which, numbered as region_crops numbers them), with its own flips (local_flips, applied on the
        accelerator as the views' are) and intensity jitter."""
        n, size, amp = self.local_n, self.local_size, self.dino["intensity_jitter"]
        out = np.empty((n, 1, *size), dtype=region.dtype)
        crop_of = np.empty(n, dtype=np.int64)
        jitter = np.empty((n, 2), dtype=np.float32)
        flips = np.zeros((n, 3), dtype=bool)
        for i in range(n):
            crop_of[i] = int(rng.integers(int(np.prod(grid))))
            cell = np.unravel_index(crop_of[i], grid)
            at = [c * cs + int(rng.integers(0, cs - ls + 1)) for c, cs, ls in zip(cell, self.crop, size)]
            out[i, 0] = region[tuple(slice(a, a + ls) for a, ls in zip(at, size))]
            flips[i] = [rng.random() < self.flip_prob for _ in range(3)]
            jitter[i] = [1.0 + amp * (2 * rng.random() - 1), amp * (2 * rng.random() - 1)]
        return {"locals": torch.from_numpy(out), "local_crop": torch.from_numpy(crop_of),
                "local_jitter": torch.from_numpy(jitter), "local_flips": torch.from_numpy(flips)}

    def _masks(self, rng, k):
        """iBOT masks of both views' crops: a crop is masked with mask_probability, a fraction drawn from
        [mask_ratio_min, mask_ratio] of its patches, in blocks or patch by patch."""
        d = self.dino
        mask = np.zeros((2, k, self.n_patches), dtype=bool)
        for v in range(2):
            for c in range(k):
                if rng.random() >= d["mask_probability"]:
                    continue
                ratio = d["mask_ratio_min"] + (d["mask_ratio"] - d["mask_ratio_min"]) * rng.random()
                if d["mask_shape"] == "block":
                    mask[v, c] = block_mask(rng, self.patch_grid, ratio)
                else:
                    mask[v, c] = rng.random(self.n_patches) < ratio
        return mask


class StepSampler(Sampler):
    """This rank's global sample indices for steps start_step+1 .. total_steps, one list per step: step s owns
    indices [(s-1) * global_batch, s * global_batch); a whole-scan step uses the first few of them."""

    def __init__(self, cfg, start_step, rank, world):
        self.cfg, self.start, self.total, self.batch = cfg, start_step, cfg["total_steps"], cfg["global_batch_size"]
        self.local = self.batch // world
        self.rank = rank
        self.whole = whole_volumes_per_process(cfg, world)

    def __iter__(self):
        for step in range(self.start, self.total):
            # A whole-scan step's volumes are the step's first indices, shared out in order: N processes taking n
            # each train on the same volumes as one process taking N * n.
            n = self.whole if whole_volume_step(self.cfg, step + 1) else self.local
            base = step * self.batch + self.rank * n
            yield list(range(base, base + n))

    def __len__(self):
        return self.total - self.start


# Per key, the axis along which a sample's crops run (padded to the batch's largest grid in a whole-scan step).
CROP_AXIS = {"crops": 0, "noise": 0, "coords": 0, "crop_valid": 0, "views": 1, "mask": 1}


def collate(samples):
    """default_collate, except that whole-scan samples, whose grids differ, are padded to the largest one (padded
    crops are zeros with crop_valid False; the objectives leave them out)."""
    if "crop_valid" not in samples[0]:
        return default_collate(samples)
    k = max(s["crop_valid"].shape[0] for s in samples)
    out = {}
    for key in samples[0]:
        axis = CROP_AXIS.get(key)
        parts = []
        for s in samples:
            t = s[key]
            if axis is not None and t.shape[axis] < k:
                pad = list(t.shape)
                pad[axis] = k - t.shape[axis]
                t = torch.cat([t, t.new_zeros(pad)], dim=axis)
            parts.append(t)
        out[key] = torch.stack(parts)
    return out


def make_loader(dataset, cfg, start_step, rank, world, cuda):
    workers = int(cfg["data"]["num_workers"])
    extra = {"persistent_workers": cuda, "prefetch_factor": cfg["data"]["prefetch_factor"]} if workers > 0 else {}
    return DataLoader(dataset, batch_sampler=StepSampler(cfg, start_step, rank, world), collate_fn=collate,
                      num_workers=workers, pin_memory=cuda, **extra)
