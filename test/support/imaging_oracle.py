"""Independent reference for the indexer's tests: geometry and HU statistics read with nibabel and pydicom
(Debian's), and the same voxels re-saved in other layouts, to check that the voxel hash ignores storage.

usage: imaging_oracle.py nifti FILE
       imaging_oracle.py dicom DIR [OUT.nii]      (OUT: the series written as NIfTI, RAS affine)
       imaging_oracle.py variants FILE OUTDIR     (the volume as .nii, as NIfTI-2 float32, reoriented)
       imaging_oracle.py compare A B              (two NIfTI files in nibabel's closest canonical (RAS) layout:
                                                   shapes, affines and how far their voxels differ)
       imaging_oracle.py slice-spacing FILE       (a single DICOM slice's voxel sizes as nibabel's wrapper takes them)
Prints one JSON object."""
import json
import os
import sys

import nibabel as nib
import numpy as np


def stats(a):
    a = np.asarray(a, dtype=np.float64).ravel()
    return {
        "huMin": float(a.min()),
        "huMax": float(a.max()),
        "huP1": float(np.percentile(a, 1, method="lower")),
        "huP99": float(np.percentile(a, 99, method="lower")),
        "huMean": float(a.mean()),
    }


def nifti(path):
    img = nib.load(path)
    data = np.asarray(img.dataobj)
    scaled = img.get_fdata(dtype=np.float64)
    return {
        "dims": list(img.shape),
        "spacing": [float(z) for z in img.header.get_zooms()[:3]],
        "orientation": "".join(nib.aff2axcodes(img.affine)),
        "affine": img.affine.tolist(),
        "datatype": str(data.dtype),
        **stats(scaled),
    }


def dicom(folder, out=None):
    import pydicom

    slices = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
    iop = np.array([float(v) for v in slices[0].ImageOrientationPatient])
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    slices.sort(key=lambda s: float(np.dot([float(v) for v in s.ImagePositionPatient], normal)))
    pos = np.array([[float(v) for v in s.ImagePositionPatient] for s in slices])
    dist = pos @ normal
    gaps = np.diff(dist)
    ps = [float(v) for v in slices[0].PixelSpacing]  # row spacing, column spacing
    n = len(slices)
    step = (pos[-1] - pos[0]) / (n - 1) if n > 1 else normal * float(slices[0].SliceThickness)
    lps = np.eye(4)
    lps[:3, 0] = row * ps[1]
    lps[:3, 1] = col * ps[0]
    lps[:3, 2] = step
    lps[:3, 3] = pos[0]
    ras = np.diag([-1, -1, 1, 1]) @ lps
    # pixel_array is (rows, columns); voxel axis 0 runs along a row (columns), axis 1 down the columns (rows).
    vol = np.stack([s.pixel_array.astype(np.float64) * float(getattr(s, "RescaleSlope", 1) or 1) + float(getattr(s, "RescaleIntercept", 0) or 0) for s in slices], axis=-1)
    vol = vol.transpose(1, 0, 2)
    if out:
        nib.save(nib.Nifti1Image(vol.astype(np.float32), ras), out)
    return {
        "dims": list(vol.shape),
        "spacing": [ps[1], ps[0], float(np.median(gaps)) if n > 1 else float(slices[0].SliceThickness)],
        "orientation": "".join(nib.aff2axcodes(ras)),
        "affine": ras.tolist(),
        "files": [os.path.basename(s.filename) for s in slices],
        "kernel": str(getattr(slices[0], "ConvolutionKernel", "")),
        "manufacturer": str(getattr(slices[0], "Manufacturer", "")),
        **stats(vol),
    }


def variants(path, outdir):
    img = nib.load(path)
    data = np.asarray(img.dataobj)
    hu = img.get_fdata(dtype=np.float32)
    made = {}
    p = os.path.join(outdir, "plain.nii")
    nib.save(nib.Nifti1Image(data, img.affine), p)
    made["plain"] = p
    p = os.path.join(outdir, "nifti2-float32.nii.gz")
    nib.save(nib.Nifti2Image(hu, img.affine), p)
    made["nifti2_float32"] = p
    # The same voxels stored in the other direction on every axis (the affine says so): another file layout.
    flipped = nib.Nifti1Image(data[::-1, ::-1, ::-1].copy(), img.affine @ flip_affine(img.shape))
    p = os.path.join(outdir, "flipped.nii.gz")
    nib.save(flipped, p)
    made["flipped"] = p
    # Transposed in-plane (x and y swapped in storage), the affine following.
    perm = np.eye(4)[[1, 0, 2, 3]]
    t = nib.Nifti1Image(data.transpose(1, 0, 2).copy(), img.affine @ perm)
    p = os.path.join(outdir, "transposed.nii.gz")
    nib.save(t, p)
    made["transposed"] = p
    # One voxel changed: a different scan as far as the hash is concerned.
    changed = data.copy()
    changed[tuple(s // 2 for s in data.shape)] += 1
    p = os.path.join(outdir, "one-voxel-changed.nii.gz")
    nib.save(nib.Nifti1Image(changed, img.affine), p)
    made["changed"] = p
    return made


def compare(a_path, b_path):
    a = nib.as_closest_canonical(nib.load(a_path))
    b = nib.as_closest_canonical(nib.load(b_path))
    out = {"shapes": [list(a.shape), list(b.shape)], "affines": [a.affine.tolist(), b.affine.tolist()]}
    if a.shape == b.shape:
        d = np.abs(a.get_fdata(dtype=np.float64) - b.get_fdata(dtype=np.float64))
        out.update({"maxAbs": float(d.max()), "differ": int((d > 0).sum()), "differByMoreThan1": int((d > 1).sum()), "voxels": int(d.size), "meanAbs": float(d.mean())})
    return out


def slice_spacing(path):
    from nibabel.nicom import dicomwrappers

    return {"voxelSizes": [float(v) for v in dicomwrappers.wrapper_from_file(path).voxel_sizes]}


def flip_affine(shape):
    f = np.eye(4)
    for i in range(3):
        f[i, i] = -1
        f[i, 3] = shape[i] - 1
    return f


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "nifti":
        print(json.dumps(nifti(sys.argv[2])))
    elif kind == "dicom":
        print(json.dumps(dicom(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
    elif kind == "compare":
        print(json.dumps(compare(sys.argv[2], sys.argv[3])))
    elif kind == "slice-spacing":
        import warnings

        warnings.simplefilter("ignore")
        print(json.dumps(slice_spacing(sys.argv[2])))
    elif kind == "variants":
        print(json.dumps(variants(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(__doc__)
