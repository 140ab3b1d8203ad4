import gzip

import nibabel as nib
import numpy as np
import pytest

from conftest import EXAMPLE_CT, EXAMPLE_CT_SM
from hounsfield_trainer.nifti import VolumeError, load_nifti, read_nifti_builtin


@pytest.mark.parametrize("path", [EXAMPLE_CT, EXAMPLE_CT_SM])
def test_builtin_reader_matches_nibabel_on_real_ct(path):
    arr, affine = read_nifti_builtin(path)
    img = nib.load(path)
    assert arr.shape == img.shape
    np.testing.assert_array_equal(arr, img.get_fdata(dtype=np.float32))
    np.testing.assert_allclose(affine, img.affine, atol=1e-6)


def test_fixture_facts():
    arr, affine = read_nifti_builtin(EXAMPLE_CT)
    assert arr.shape == (122, 101, 112)
    assert (arr.min(), arr.max()) == (-1207.0, 3382.0)
    np.testing.assert_allclose(np.abs(np.diag(affine)[:3]), [3, 3, 3])
    assert nib.aff2axcodes(affine) == ("R", "A", "S")


def test_qform_scaling_big_endian_and_uncompressed(tmp_path):
    data = (np.arange(6 * 5 * 4, dtype=np.int16).reshape(6, 5, 4) - 60)
    rot = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], dtype=float)
    affine = np.eye(4)
    affine[:3, :3] = rot * [0.7, 0.8, 2.5]
    affine[:3, 3] = [10, -20, 30]
    hdr = nib.Nifti1Header(endianness=">")
    img = nib.Nifti1Image(data, affine, header=hdr)
    img.set_qform(affine, code=1)
    img.set_sform(None, code=0)
    img.header.set_slope_inter(2.0, -1024.0)
    path = str(tmp_path / "q.nii")
    nib.save(img, path)
    arr, aff = read_nifti_builtin(path)
    ref = nib.load(path)
    assert ref.header.endianness == ">"
    np.testing.assert_allclose(aff, ref.affine, atol=1e-5)
    np.testing.assert_array_equal(arr, ref.get_fdata(dtype=np.float32))
    assert arr.min() == -60 * 2 - 1024


def test_truncated_file_is_a_volume_error(tmp_path):
    raw = gzip.decompress(open(EXAMPLE_CT_SM, "rb").read())
    path = tmp_path / "cut.nii.gz"
    path.write_bytes(gzip.compress(raw)[:-5000])
    for backend in ("builtin", "nibabel"):
        with pytest.raises(VolumeError):
            load_nifti(str(path), backend=backend)
    plain = tmp_path / "cut.nii"
    plain.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(VolumeError, match="truncated"):
        load_nifti(str(plain), backend="builtin")


def test_not_a_nifti(tmp_path):
    path = tmp_path / "x.nii"
    path.write_bytes(b"\0" * 400)
    with pytest.raises(VolumeError, match="not a NIfTI"):
        read_nifti_builtin(str(path))
