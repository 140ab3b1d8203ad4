import nibabel as nib
import numpy as np
import pytest
import torch

from conftest import EXAMPLE_CT
from hounsfield_trainer.nifti import VolumeError, load_nifti
from hounsfield_trainer.preprocess import (affine_zooms, check_ct_like, io_orientation, preprocess_volume,
                                           tile_volume)

DATA = {"spacing": [3.0, 3.0, 3.0], "hu_window": [-1000.0, 1000.0]}


def _prep(path, data=DATA):
    arr, affine = load_nifti(path)
    return preprocess_volume(arr, io_orientation(affine), affine_zooms(affine), data)


def test_native_spacing_equals_nibabel_canonical_windowed():
    vol, spacing = _prep(EXAMPLE_CT)
    canon = nib.as_closest_canonical(nib.load(EXAMPLE_CT))
    assert nib.aff2axcodes(canon.affine) == ("R", "A", "S")
    hu = canon.get_fdata(dtype=np.float32)
    expected = (np.clip(hu, -1000, 1000) + 1000) / 2000
    assert tuple(vol.shape) == hu.shape == (122, 101, 112)
    assert spacing == [3.0, 3.0, 3.0]
    np.testing.assert_allclose(vol.numpy(), expected, atol=1e-6)
    assert vol.min().item() == 0.0 and vol.max().item() == 1.0  # the scan spans -1207..3382 HU


def test_resampled_shape_spacing_and_hu_range():
    vol, _ = _prep(EXAMPLE_CT, {"spacing": [4.0, 4.0, 6.0], "hu_window": [-200.0, 300.0]})
    assert tuple(vol.shape) == (92, 76, 56)  # round(122*3/4), round(101*3/4), round(112*3/6)
    assert 0.0 <= vol.min().item() and vol.max().item() <= 1.0
    hu = nib.load(EXAMPLE_CT).get_fdata(dtype=np.float32)
    ref = (np.clip(hu, -200, 300) + 200) / 500
    # Resampling keeps the intensity distribution, including the saturated tails of the window.
    assert abs(vol.mean().item() - ref.mean()) < 0.01
    assert abs((vol == 0).float().mean().item() - (ref == 0).mean()) < 0.02
    assert abs((vol == 1).float().mean().item() - (ref == 1).mean()) < 0.003
    assert (vol == 1).any()


def test_reoriented_copy_gives_the_same_array(tmp_path):
    img = nib.load(EXAMPLE_CT)
    ornt = nib.orientations.ornt_transform(nib.orientations.io_orientation(img.affine),
                                           nib.orientations.axcodes2ornt(("P", "I", "L")))
    odd = img.as_reoriented(ornt)
    assert nib.aff2axcodes(odd.affine) == ("P", "I", "L")
    path = str(tmp_path / "pil.nii.gz")
    nib.save(odd, path)
    ref, _ = _prep(EXAMPLE_CT)
    got, spacing = _prep(path)
    assert spacing == [3.0, 3.0, 3.0]
    torch.testing.assert_close(got, ref, rtol=0, atol=0)


def test_io_orientation_matches_nibabel_for_oblique_affines():
    rng = np.random.default_rng(0)
    for _ in range(50):
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        aff = np.eye(4)
        aff[:3, :3] = q * rng.uniform(0.5, 5, size=3)
        expected = nib.orientations.io_orientation(aff)
        assert [(int(a), int(s)) for a, s in expected] == io_orientation(aff)


def test_not_ct_like_values_are_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(VolumeError, match="no air"):
        check_ct_like(rng.uniform(0, 1500, size=(32, 32, 32)).astype(np.float32))  # MR-like intensities
    with pytest.raises(VolumeError, match="near-constant"):
        check_ct_like(np.full((16, 16, 16), -1000, np.float32))
    with pytest.raises(VolumeError, match="non-finite"):
        check_ct_like(np.full((16, 16, 16), np.nan, np.float32))
    check_ct_like(load_nifti(EXAMPLE_CT)[0])


def test_tiling_covers_the_volume_and_pads_with_zero():
    vol = torch.rand(70, 40, 33)
    crops, coords, grid = tile_volume(vol, [32, 32, 16])
    assert grid == [3, 2, 3] and crops.shape == (18, 1, 32, 32, 16)
    i = int(((coords == torch.tensor([2.0, 1.0, 2.0])).all(1)).nonzero())
    torch.testing.assert_close(crops[i, 0, :6, :8, :1], vol[64:70, 32:40, 32:33])
    assert crops[i, 0, 6:].abs().sum() == 0


def test_downsampling_is_antialiased_and_the_starter_does_the_same():
    """Stripes one voxel wide, downsampled threefold: without anti-aliasing they come back as a false pattern,
    with it as their mean. The fine-tune starter's copy of the contract gives the same volume, voxel for voxel."""
    import importlib.util
    import os
    import nibabel as nib
    from conftest import EXAMPLE_CT, TRAINER
    from hounsfield_trainer.config import preprocessing_contract, resolve_config
    from hounsfield_trainer.embed import preprocess_nifti
    from hounsfield_trainer.preprocess import resample_and_window

    stripes = np.zeros((12, 12, 60), np.float32) - 1000
    stripes[:, :, ::2] = 1000
    aliased = resample_and_window(stripes, [1, 1, 1], [1, 1, 3], [-1000, 1000], smooth=False)
    smoothed = resample_and_window(stripes, [1, 1, 1], [1, 1, 3], [-1000, 1000], smooth=True)
    assert aliased[6, 6].std() > 0.2
    assert smoothed[6, 6, 2:-2].std() < 0.02 and abs(smoothed[6, 6, 2:-2].mean() - 0.5) < 0.02

    spec = importlib.util.spec_from_file_location("starter_pp", os.path.join(TRAINER, "finetune_starter.py"))
    starter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(starter)
    cfg = resolve_config({"preset": "tiny", "data": {"spacing": [4.5, 5.0, 7.5]}})  # from 3 mm: shrinks every axis
    img = nib.load(EXAMPLE_CT)
    theirs = starter.preprocess(np.asanyarray(img.dataobj), img.affine, preprocessing_contract(cfg))
    torch.testing.assert_close(theirs, preprocess_nifti(EXAMPLE_CT, cfg), rtol=0, atol=0)
    old = {**preprocessing_contract(cfg)}
    old.pop("antialias")  # a release made before anti-aliasing: the starter keeps its preprocessing
    unsmoothed = resolve_config({"preset": "tiny", "data": {"spacing": [4.5, 5.0, 7.5], "antialias": False}})
    torch.testing.assert_close(starter.preprocess(np.asanyarray(img.dataobj), img.affine, old), preprocess_nifti(EXAMPLE_CT, unsmoothed), rtol=0, atol=0)
