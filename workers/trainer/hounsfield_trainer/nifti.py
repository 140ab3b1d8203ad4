"""NIfTI-1 loading: nibabel where importable, else a built-in reader (GPU hosts ship without nibabel)."""
import gzip
import os
import struct
import zlib

import numpy as np

DTYPES = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 256: "i1", 512: "u2", 768: "u4", 1024: "i8", 1280: "u8"}


class VolumeError(ValueError):
    """A volume that cannot be used for training; the message is the reason reported for skipping it."""


def _read_bytes(path):
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        raw = f.read()
    if head == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise VolumeError(f"truncated or corrupt gzip stream: {e}") from None
    return raw


def _quaternion_affine(q, pixdim, offset):
    b, c, d = (float(v) for v in q)
    w2 = 1.0 - (b * b + c * c + d * d)
    a = np.sqrt(w2) if w2 > 0 else 0.0
    rot = np.array([
        [a * a + b * b - c * c - d * d, 2 * b * c - 2 * a * d, 2 * b * d + 2 * a * c],
        [2 * b * c + 2 * a * d, a * a + c * c - b * b - d * d, 2 * c * d - 2 * a * b],
        [2 * b * d - 2 * a * c, 2 * c * d + 2 * a * b, a * a + d * d - c * c - b * b],
    ])
    qfac = -1.0 if pixdim[0] < 0 else 1.0
    zooms = np.array([pixdim[1], pixdim[2], pixdim[3] * qfac], dtype=np.float64)
    aff = np.eye(4)
    aff[:3, :3] = rot * zooms
    aff[:3, 3] = np.asarray(offset, dtype=np.float64)
    return aff


def _base_affine(shape, zooms):
    # Same fallback as nibabel (Analyze convention): x flipped, origin at the volume centre.
    z = np.array([-zooms[0], zooms[1], zooms[2]], dtype=np.float64)
    aff = np.diag([*z, 1.0])
    aff[:3, 3] = -(np.array(shape[:3], dtype=np.float64) - 1) / 2 * z
    return aff


def parse_header(buf):
    if len(buf) < 348:
        raise VolumeError(f"file too short for a NIfTI-1 header ({len(buf)} bytes)")
    for endian in "<>":
        if struct.unpack(endian + "i", buf[:4])[0] == 348:
            break
    else:
        raise VolumeError("not a NIfTI-1 file (sizeof_hdr != 348)")
    u = lambda fmt, off: struct.unpack_from(endian + fmt, buf, off)
    dim = u("8h", 40)
    datatype = u("h", 70)[0]
    pixdim = u("8f", 76)
    slope, inter = u("2f", 112)
    qform_code, sform_code = u("2h", 252)
    magic = bytes(buf[344:348])
    if magic not in (b"n+1\x00", b"ni1\x00"):
        raise VolumeError(f"bad NIfTI magic {magic!r}")
    ndim = dim[0]
    if not 1 <= ndim <= 7:
        raise VolumeError(f"bad dim[0]={ndim}")
    shape = tuple(int(v) for v in dim[1:1 + ndim])
    hdr = {
        "endian": endian, "shape": shape, "datatype": datatype, "pixdim": pixdim,
        "vox_offset": int(u("f", 108)[0]), "scl_slope": slope, "scl_inter": inter,
        "qform_code": qform_code, "sform_code": sform_code, "single_file": magic == b"n+1\x00",
    }
    if sform_code > 0:
        rows = [np.array(u("4f", off), dtype=np.float64) for off in (280, 296, 312)]
        hdr["affine"] = np.vstack(rows + [[0, 0, 0, 1]])
    elif qform_code > 0:
        hdr["affine"] = _quaternion_affine(u("3f", 256), pixdim, u("3f", 268))
    else:
        hdr["affine"] = _base_affine(shape + (1, 1), pixdim[1:4])
    return hdr


def read_nifti_builtin(path):
    """Return (float32 array in file voxel order, 4x4 affine)."""
    buf = _read_bytes(path)
    hdr = parse_header(buf)
    if hdr["datatype"] not in DTYPES:
        raise VolumeError(f"unsupported NIfTI datatype {hdr['datatype']}")
    dtype = np.dtype(hdr["endian"] + DTYPES[hdr["datatype"]])
    shape = hdr["shape"]
    count = int(np.prod(shape, dtype=np.int64))
    if hdr["single_file"]:
        data, offset = buf, hdr["vox_offset"]
    else:
        data, offset = _read_bytes(_image_path(path)), hdr["vox_offset"]
    need = offset + count * dtype.itemsize
    if len(data) < need:
        raise VolumeError(f"truncated voxel data: {len(data)} bytes, header needs {need}")
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape, order="F")
    return _scale(arr, hdr["scl_slope"], hdr["scl_inter"]), hdr["affine"]


def _image_path(path):
    for hdr_ext, img_ext in ((".hdr.gz", ".img.gz"), (".hdr", ".img")):
        if path.endswith(hdr_ext):
            return path[: -len(hdr_ext)] + img_ext
    raise VolumeError("two-file NIfTI header without a .hdr name")


def _scale(arr, slope, inter):
    out = arr.astype(np.float32)
    if np.isfinite(slope) and slope != 0:
        inter = inter if np.isfinite(inter) else 0.0
        if slope != 1 or inter != 0:
            out = out * np.float32(slope) + np.float32(inter)
    return out


def _read_nibabel(path):
    import nibabel as nib

    try:
        img = nib.load(path)
        arr = np.asarray(img.get_fdata(dtype=np.float32))
    except VolumeError:
        raise
    except Exception as e:  # nibabel raises many types (EOFError, zlib.error, ImageFileError, ValueError)
        raise VolumeError(f"unreadable NIfTI: {type(e).__name__}: {e}") from None
    return arr, np.asarray(img.affine, dtype=np.float64)


def have_nibabel():
    try:
        import nibabel  # noqa: F401
        return True
    except ImportError:
        return False


def load_nifti(path, backend="auto"):
    """Load a NIfTI volume as (float32 array, affine); 4D files with one time point are squeezed to 3D."""
    if not os.path.exists(path):
        raise VolumeError(f"file not found: {path}")
    if backend == "nibabel" or (backend == "auto" and have_nibabel()):
        arr, affine = _read_nibabel(path)
    else:
        arr, affine = read_nifti_builtin(path)
    while arr.ndim > 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise VolumeError(f"expected a 3D volume, got shape {tuple(arr.shape)}")
    return arr, affine
