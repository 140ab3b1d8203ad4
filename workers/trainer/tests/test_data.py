import json
import os
import shutil

import nibabel as nib
import numpy as np
import pytest
import torch

from conftest import EXAMPLE_CT_SM, ct_entry, write_manifest
from hounsfield_trainer.data import CropDataset, make_loader, prepare_volumes, sample_crops
from hounsfield_trainer.preprocess import tile_volume
from hounsfield_trainer.manifest import ManifestError, load_manifest
from hounsfield_trainer.metrics_log import read_metrics
from hounsfield_trainer.train import train


def model_view(sample, key, crop=(64, 64, 32)):
    """One sample's crops, views or local crops as the model sees them: cut from their regions and flipped on the
    accelerator (sample_crops), as a batch of one would be."""
    return sample_crops({k: v[None] for k, v in sample.items()}, key, list(crop))[0]


def voxels(sample):
    """A sample's voxels as the loader sent them: a region, or a whole-scan sample's crops."""
    return sample["crops_region"] if "crops_region" in sample else sample["crops"]


def _nifti(path, data, spacing=3.0):
    nib.save(nib.Nifti1Image(data, np.diag([spacing, spacing, spacing, 1.0])), str(path))
    return str(path)


def _broken_volumes(tmp_path):
    raw = open(EXAMPLE_CT_SM, "rb").read()
    truncated = tmp_path / "truncated.nii.gz"
    truncated.write_bytes(raw[: len(raw) // 3])
    flat = _nifti(tmp_path / "flat.nii.gz", np.zeros((64, 64, 1), np.int16) - 1000)
    mr = _nifti(tmp_path / "mr.nii.gz", np.random.default_rng(0).uniform(0, 1, (40, 40, 40)).astype(np.float32))
    return [
        ct_entry(str(truncated), id="truncated"),
        ct_entry(EXAMPLE_CT_SM, id="wrong-dims", geometry={"shape": [122, 101, 31]}),
        ct_entry(flat, id="2d"),
        ct_entry(mr, id="not-ct"),
    ]


def test_broken_volumes_are_skipped_and_reported(tmp_path, tiny_config):
    manifest = write_manifest(tmp_path / "m.json", [ct_entry(EXAMPLE_CT_SM, id="good")] + _broken_volumes(tmp_path))
    run = str(tmp_path / "run")
    assert train(tiny_config(total_steps=2), manifest, run) == "succeeded"
    steps, events = read_metrics(os.path.join(run, "metrics.jsonl"))
    skipped = {e["id"]: e["reason"] for e in events if e["event"] == "volume_skipped"}
    assert set(skipped) == {"truncated", "wrong-dims", "2d", "not-ct"}
    assert "truncated" in skipped["truncated"] or "unreadable" in skipped["truncated"]
    assert "wrong dims" in skipped["wrong-dims"]
    assert "3D" in skipped["2d"]
    assert "not CT-like" in skipped["not-ct"]
    assert all(e["path"] for e in events if e["event"] == "volume_skipped")
    assert [e["volumes"] for e in events if e["event"] == "run_started"] == [1]
    assert [s["step"] for s in steps] == [1, 2]
    assert json.load(open(os.path.join(run, "final.json")))["status"] == "succeeded"


def test_sha256_mismatch_is_refused(tmp_path, tiny_config):
    wrong = dict(ct_entry(EXAMPLE_CT_SM, id="tampered"), sha256="0" * 64)
    manifest = write_manifest(tmp_path / "m.json", [wrong])
    run = str(tmp_path / "run")
    with pytest.raises(RuntimeError, match="no usable volumes"):
        train(tiny_config(total_steps=2), manifest, run)
    _, events = read_metrics(os.path.join(run, "metrics.jsonl"))
    reasons = [e["reason"] for e in events if e["event"] == "volume_skipped"]
    assert len(reasons) == 1 and reasons[0].startswith("sha256 mismatch")
    final = json.load(open(os.path.join(run, "final.json")))
    assert final["status"] == "failed" and "no usable volumes" in final["reason"]
    assert not os.path.exists(os.path.join(run, "checkpoints"))


def test_url_entry_is_downloaded_and_verified(tmp_path, tiny_config):
    cfg = tiny_config(data={"cache_dir": str(tmp_path / "cache")})
    entry = {"id": "remote", "url": "file://" + EXAMPLE_CT_SM, "sha256": ct_entry(EXAMPLE_CT_SM)["sha256"]}
    ready = prepare_volumes([entry], cfg)
    assert ready[0]["shape"] == [122, 101, 30]
    assert os.listdir(tmp_path / "downloads") == [entry["sha256"] + ".nii.gz"]


def test_malformed_manifest_entries_are_rejected(tmp_path):
    with pytest.raises(ManifestError, match="sha256"):
        load_manifest(write_manifest(tmp_path / "a.json", [{"path": EXAMPLE_CT_SM, "sha256": "abc"}]))
    with pytest.raises(ManifestError, match="path or url"):
        load_manifest(write_manifest(tmp_path / "b.json", [{"sha256": "0" * 64}]))


def test_cache_hit_reads_no_source_file(tmp_path, tiny_config):
    src = str(tmp_path / "ct.nii.gz")
    shutil.copyfile(EXAMPLE_CT_SM, src)
    cfg = tiny_config(data={"cache_dir": str(tmp_path / "cache")})
    entries = [ct_entry(src)]
    first = prepare_volumes(entries, cfg)
    os.unlink(src)
    skipped = []
    second = prepare_volumes(entries, cfg, on_skip=lambda e, r: skipped.append(r))
    assert second == first and not skipped
    assert first[0]["shape"] == [122, 101, 30]
    other = tiny_config(data={"cache_dir": str(tmp_path / "cache"), "spacing": [4.0, 4.0, 4.0]})
    assert prepare_volumes(entries, other, on_skip=lambda e, r: skipped.append(r)) == []
    assert skipped and "not found" in skipped[0]


def test_int16_npy_volume_with_manifest_geometry(tmp_path, tiny_config):
    hu = np.asarray(nib.load(EXAMPLE_CT_SM).dataobj)
    lps = np.ascontiguousarray(hu[::-1, ::-1, :]).astype(np.int16)
    npy = str(tmp_path / "ct.npy")
    np.save(npy, lps)
    cfg = tiny_config(data={"cache_dir": str(tmp_path / "cache")})
    from_npy = prepare_volumes([ct_entry(npy, geometry={"spacing": [3, 3, 3], "orientation": "LPS"})], cfg)
    from_nii = prepare_volumes([ct_entry(EXAMPLE_CT_SM)], cfg)
    np.testing.assert_array_equal(np.load(from_npy[0]["path"]), np.load(from_nii[0]["path"]))
    skipped = []
    prepare_volumes([ct_entry(npy, geometry={"orientation": "LPS"})], tiny_config(
        data={"cache_dir": str(tmp_path / "cache2")}), on_skip=lambda e, r: skipped.append(r))
    assert "geometry.spacing" in skipped[0]


def test_samples_are_a_function_of_the_index_only(tmp_path, tiny_config):
    cfg = tiny_config(data={"cache_dir": str(tmp_path / "cache")})
    volumes = prepare_volumes([ct_entry(EXAMPLE_CT_SM)], cfg)
    a, b = CropDataset(volumes, cfg), CropDataset(volumes, cfg)
    torch.testing.assert_close(a[5]["crops_region"], b[5]["crops_region"])
    torch.testing.assert_close(a[5]["noise"], b[5]["noise"])
    assert not torch.equal(a[5]["noise"], a[4]["noise"])
    assert a[5]["crops_region"].shape == (64, 64, 64) and model_view(a[5], "crops").shape == (2, 1, 64, 64, 32)
    serial = list(make_loader(a, cfg, 4, 0, 1, cuda=False))
    workers = list(make_loader(a, {**cfg, "data": {**cfg["data"], "num_workers": 1}}, 4, 0, 1, cuda=False))
    assert len(serial) == cfg["total_steps"] - 4
    for x, y in zip(serial, workers):
        assert x.keys() == y.keys()
        for key in x:
            torch.testing.assert_close(x[key], y[key])
    torch.testing.assert_close(serial[0]["noise"][1], a[4 * 2 + 1]["noise"])


def test_dino_views_pair_crops_of_the_same_place(tmp_path, tiny_config):
    """Crop k of one view and crop k of the other cover the same voxels (here: no jitter), whatever each view's flips:
    the loss pairs them by index. Every voxel value is unique, so equal value sets mean the same place."""
    cfg = tiny_config(objective="dino", data={"crop_grid": [1, 1, 2], "flip_prob": 0.5},
                      dino={"view_jitter": 0.0, "intensity_jitter": 0.0})
    shape = (80, 72, 96)
    path = str(tmp_path / "unique.npy")
    np.save(path, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    ds = CropDataset([{"path": path, "weight": 1.0}], cfg)
    flipped_apart = 0
    for index in range(40):
        views = model_view(ds[index], "views")  # (2 views, k crops, 1, x, y, z)
        for k in range(views.shape[1]):
            a, b = views[0, k].flatten().sort().values, views[1, k].flatten().sort().values
            assert torch.equal(a, b), f"sample {index}: crop {k} of the two views covers different voxels"
            flipped_apart += int(not torch.equal(views[0, k], views[1, k]))
    assert flipped_apart > 10  # the views did flip differently, so the pairing was tested


def test_dino_local_crops_are_boxes_inside_the_crop_they_are_matched_to(tmp_path, tiny_config):
    """Each local crop is a full box of local_crop_fraction of a crop per axis, cut from inside the crop whose
    targets it is trained against (local_crop), flipped on its own. Voxel values are unique, so each value names
    its place in the volume."""
    cfg = tiny_config(objective="dino", data={"crop_grid": [1, 2, 2], "flip_prob": 0.5, "whole_volume_every": 0},
                      dino={"view_jitter": 0.0, "local_crops_number": 6})
    shape = (80, 150, 96)
    path = str(tmp_path / "unique.npy")
    np.save(path, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    ds = CropDataset([{"path": path, "weight": 1.0}], cfg)
    flipped, crops_used = 0, set()
    for index in range(30):
        s = ds[index]
        views, locs, crop_of = model_view(s, "views"), model_view(s, "locals"), s["local_crop"]
        assert locs.shape == (6, 1, 32, 32, 16) and s["local_jitter"].shape == (6, 2)
        for i in range(locs.shape[0]):
            j = int(crop_of[i])
            crops_used.add(j)
            values = locs[i, 0]
            assert set(values.flatten().tolist()) <= set(views[0, j].flatten().tolist()), \
                f"sample {index}: local crop {i} is not inside crop {j}"
            where = np.stack(np.unravel_index(values.numpy().astype(np.int64), shape), -1).reshape(-1, 3)
            assert (where.max(0) - where.min(0) + 1).tolist() == [32, 32, 16], "not one box of the local size"
            flipped += int(not torch.equal(values, values.flatten().sort().values.reshape(values.shape)))
    assert flipped > 20 and crops_used == {0, 1, 2, 3}


def test_open_volumes_stay_bounded_however_many_are_read(tmp_path, tiny_config):
    """Thousands of cached volumes: the descriptors (and mappings) a loader holds stay flat, and data read through
    a closed-and-reopened volume is still right."""
    cfg = tiny_config(data={"crop_grid": [1, 1, 1], "max_open_volumes": 16})
    volumes = []
    for i in range(2000):
        path = str(tmp_path / f"v{i}.npy")
        np.save(path, np.full((4, 4, 4), float(i), dtype=np.float16))  # padded to a crop
        volumes.append({"path": path, "weight": 1.0})
    ds = CropDataset(volumes, cfg)

    def open_fds():
        return len(os.listdir("/proc/self/fd"))

    before = open_fds()
    seen = set()
    for index in range(3000):
        item = voxels(ds[index])
        values = set(np.unique(item.numpy()).tolist()) - {0.0}
        assert len(values) <= 1  # one volume per sample, its own value
        seen |= values
    assert len(seen) > 1000  # most volumes were opened, far more than the limit
    assert len(ds._arrays) == 16
    assert open_fds() - before <= 16


def test_ibot_masks_are_3d_blocks_on_about_half_the_crops_within_the_ratio_range(tmp_path, tiny_config):
    """DINOv2's masking, in 3D: half the crops masked, each by a fraction in [0.1, 0.5] of its patches, and the
    masked patches clustered in blocks (a masked patch's neighbours are masked far more often than at random)."""
    from hounsfield_trainer.data import block_mask

    def neighbour_agreement(masks, grid):
        hits = total = 0
        for m in masks:
            g = m.reshape(grid)
            for axis in range(3):
                a, b = np.take(g, range(grid[axis] - 1), axis=axis), np.take(g, range(1, grid[axis]), axis=axis)
                hits += int((a & b).sum())
                total += int(a.sum())
        return hits / max(total, 1)

    rng = np.random.default_rng(0)
    grid = [8, 8, 8]
    blocks = [block_mask(rng, grid, 0.3) for _ in range(200)]
    scattered = [rng.random(512) < 0.3 for _ in range(200)]
    assert all(abs(m.mean() - 0.3) < 0.05 for m in blocks)
    assert neighbour_agreement(blocks, grid) > 0.6 > 0.4 > neighbour_agreement(scattered, grid)

    cfg = tiny_config(objective="dino")
    path = str(tmp_path / "v.npy")
    np.save(path, np.zeros((64, 64, 64), dtype=np.float16))
    ds = CropDataset([{"path": path, "weight": 1.0}], cfg)
    masks = torch.cat([ds[i]["mask"].flatten(0, 1) for i in range(100)])  # (crops, patches)
    fractions = masks.float().mean(dim=1)
    masked = fractions > 0
    assert 0.4 < masked.float().mean() < 0.6
    assert fractions[masked].min() >= 0.09 and fractions[masked].max() <= 0.51


def test_preparation_in_worker_processes_and_shards_matches_serial(tmp_path, tiny_config):
    """Cold caches prepared serially, by two worker processes, and as two shards (two ranks): the same volumes,
    byte for byte, and the same entries skipped with the same reasons, each prepared once."""
    from hounsfield_trainer.data import prepare_shard
    from conftest import EXAMPLE_CT
    entries = [ct_entry(EXAMPLE_CT_SM, id="small"), ct_entry(EXAMPLE_CT, id="full")] + _broken_volumes(tmp_path)

    def run(name, processes, shards):
        cfg = tiny_config(data={"cache_dir": str(tmp_path / name)})
        rows = sorted((r for s in range(shards) for r in prepare_shard(entries, cfg, processes, (s, shards))), key=lambda r: r[0])
        assert [r[0] for r in rows] == list(range(len(entries)))  # every entry once
        return [(item and (item["id"], np.load(item["path"]).tobytes()), reason) for _, item, reason in rows]

    serial = run("serial", 1, 1)
    assert [x for x, _ in serial if x][0][0] == "small" and sum(1 for x, _ in serial if x) == 2
    assert sum(1 for _, reason in serial if reason) == 4
    assert run("parallel", 2, 1) == serial
    assert run("sharded", 1, 2) == serial


def test_consecutive_samples_share_a_volume_when_asked_and_the_weights_still_hold(tmp_path, tiny_config):
    cfg = tiny_config(data={"crop_grid": [1, 1, 1], "regions_per_volume": 4})
    volumes = []
    for i, weight in enumerate([1.0, 3.0]):
        path = str(tmp_path / f"w{i}.npy")
        np.save(path, np.full((4, 4, 4), float(i + 1), dtype=np.float16))
        volumes.append({"path": path, "weight": weight})
    ds = CropDataset(volumes, cfg)
    source = [int(voxels(ds[g]).max()) for g in range(800)]
    groups = [source[j:j + 4] for j in range(0, 800, 4)]
    assert all(len(set(g)) == 1 for g in groups)  # four regions from each opened volume
    assert 0.68 < sum(g[0] == 2 for g in groups) / len(groups) < 0.82  # weight 3 of 4
    single = CropDataset(volumes, tiny_config(data={"crop_grid": [1, 1, 1]}))
    assert sum(len(set(int(voxels(single[g]).max()) for g in range(j, j + 4))) > 1 for j in range(0, 400, 4)) > 20


def test_whole_scan_samples_are_tiled_as_the_fine_tune_starter_tiles(tmp_path, tiny_config):
    """In a whole-scan step a volume comes as the starter feeds it at inference (tile_volume: padded at the high end,
    crops in C order, absolute grid coordinates), so the global transformer trains on the grids it meets later; a
    grid over max_volume_crops comes as a window of those same tiles and coordinates."""
    shape = (150, 140, 70)
    path = str(tmp_path / "vol.npy")
    vol = np.random.default_rng(0).random(shape).astype(np.float16)
    np.save(path, vol)
    crops, coords, _ = tile_volume(torch.from_numpy(vol.astype(np.float32)), [64, 64, 32])
    assert crops.shape[0] == 27  # a 3 x 3 x 3 grid
    for limit, expect in ((32, 27), (12, 12)):
        cfg = tiny_config(data={"flip_prob": 0.0, "whole_volume_every": 1, "max_volume_crops": limit})
        ds = CropDataset([{"path": path, "weight": 1.0}], cfg)
        for index in range(3):
            s = ds[index]
            assert s["crops"].shape[0] == expect and s["crop_valid"].all() and s["noise"].shape[0] == expect
            for crop, at in zip(s["crops"], s["coords"]):
                i = int(((coords == at).all(1)).nonzero())  # the starter's tile at the same grid position
                torch.testing.assert_close(crop.float(), crops[i])
            if expect < 27:
                assert s["coords"].max(0).values.tolist() <= [2, 2, 2]


def test_whole_scan_steps_come_every_n_steps_padded_to_the_largest_grid(tmp_path, tiny_config):
    """Every whole_volume_every-th step brings whole scans of different sizes, padded to the largest grid (padded
    crops zero and not valid), as many volumes per process as keep the step's crop count; the others, regions."""
    paths = []
    for i, shape in enumerate(((64, 64, 32), (130, 64, 60))):  # one crop, and a 3 x 1 x 2 grid
        paths.append(str(tmp_path / f"v{i}.npy"))
        np.save(paths[-1], np.ones(shape, np.float16))
    cfg = tiny_config(global_batch_size=8, total_steps=6, data={"whole_volume_every": 3, "max_volume_crops": 4})
    ds = CropDataset([{"path": p, "weight": 1.0} for p in paths], cfg)
    batches = list(make_loader(ds, cfg, 0, 0, 1, cuda=False))
    for step, b in enumerate(batches, start=1):
        if step % 3:
            assert "crop_valid" not in b and b["crops_region"].shape == (8, 64, 64, 64)
            continue
        assert b["crops"].shape[0] == 4  # 8 samples x 2 crops = 16 crops, at most 4 per volume
        k = b["crop_valid"].sum(1).tolist()
        assert set(k) <= {1, 4} and b["crops"].shape[1] == max(k) and b["coords"].shape == (4, max(k), 3)
        for i, n in enumerate(k):
            assert b["crops"][i, n:].abs().sum() == 0 and not b["crop_valid"][i, n:].any()


def test_flips_drawn_by_the_loader_flip_each_crop_in_its_place_on_the_accelerator(tmp_path, tiny_config):
    """The loader copies regions as they are and draws the flips; the accelerator cuts the crops and applies them:
    with every flip drawn, each crop (MAE crops, both DINO views, the local crops) is the unflipped one flipped on
    all three axes in its place, and whole-scan crops likewise."""
    shape = (80, 72, 96)
    path = str(tmp_path / "unique.npy")
    np.save(path, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    for objective, every, keys in (("mae", 0, ["crops"]), ("mae", 1, ["crops"]), ("dino", 0, ["views", "locals"])):
        make = lambda p: CropDataset([{"path": path, "weight": 1.0}], tiny_config(
            objective=objective, data={"flip_prob": p, "whole_volume_every": every}, dino={"intensity_jitter": 0.0}))
        flipped, plain = make(1.0), make(0.0)
        for index in range(3):
            a, b = flipped[index], plain[index]
            for key in keys:
                ours, theirs = model_view(a, key), model_view(b, key)
                assert not torch.equal(ours, theirs)
                torch.testing.assert_close(ours, torch.flip(theirs, (-3, -2, -1)))


def test_each_crop_is_flipped_along_exactly_the_axes_its_own_view_drew(tmp_path, tiny_config):
    """flip_prob 0.5: every MAE crop, DINO view and local crop is the unflipped one flipped along the axes set in its
    own row of flips (local_flips), no other view's and no other axis (a sample draws the same numbers whatever
    flip_prob is, so the unflipped sample is the same sample)."""
    shape = (80, 72, 96)
    path = str(tmp_path / "unique.npy")
    np.save(path, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    mixed = 0
    for objective, every in (("mae", 0), ("mae", 1), ("dino", 0)):
        make = lambda p: CropDataset([{"path": path, "weight": 1.0}], tiny_config(
            objective=objective, data={"flip_prob": p, "whole_volume_every": every}, dino={"intensity_jitter": 0.0}))
        drawn, plain = make(0.5), make(0.0)
        for index in range(8):
            a, b = drawn[index], plain[index]
            keys = [("crops", a["flips"][None])] if objective == "mae" else [("views", a["flips"]), ("locals", a["local_flips"])]
            for key, rows in keys:
                ours, theirs = model_view(a, key), model_view(b, key)
                if key == "crops":
                    ours, theirs = ours[None], theirs[None]
                for v, row in enumerate(rows):
                    dims = [axis - 3 for axis in range(3) if row[axis]]
                    torch.testing.assert_close(ours[v], torch.flip(theirs[v], dims) if dims else theirs[v])
                    mixed += int(0 < len(dims) < 3)
    assert mixed > 20  # flags that differ between axes and views were drawn, so a swap would have shown


def test_regions_are_cut_into_crops_in_the_order_masks_and_coordinates_number_them(tmp_path, tiny_config):
    """Crop j of a region sample, cut on the accelerator, is the region's cell j in C order over the crop grid (as
    grid_coords and the masks number crops), and the region is the volume's voxels from where it starts."""
    shape = (140, 150, 96)
    path = str(tmp_path / "unique.npy")
    vol = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    np.save(path, vol)
    cfg = tiny_config(data={"crop_grid": [2, 2, 3], "flip_prob": 0.0, "whole_volume_every": 0})
    ds = CropDataset([{"path": path, "weight": 1.0}], cfg)
    for index in range(3):
        s = ds[index]
        region, crops = s["crops_region"].numpy(), model_view(s, "crops").numpy()
        start = np.argwhere(vol == region[0, 0, 0])[0]
        np.testing.assert_array_equal(region, vol[start[0]:start[0] + 128, start[1]:start[1] + 128, start[2]:start[2] + 96])
        assert crops.shape == (12, 1, 64, 64, 32)
        for j, (gx, gy, gz) in enumerate(np.ndindex(2, 2, 3)):
            np.testing.assert_array_equal(crops[j, 0], region[gx * 64:(gx + 1) * 64, gy * 64:(gy + 1) * 64, gz * 32:(gz + 1) * 32])
