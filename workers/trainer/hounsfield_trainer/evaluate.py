"""What the encoder has learned, measured during training: kNN and a linear probe on frozen volume embeddings
(the global token beside the mean crop embedding).

A labelled manifest is a CSV of `path,label[,split]` rows (a header line is allowed). Rows whose split is `test`
(or, without a split column, about a third of the paths chosen by a hash of the path) are held out: the probe and
the kNN memory see only the others, and accuracy is measured on the held-out volumes alone. Volumes are
preprocessed once with the run's contract and embedded with the current encoder every `eval.every` steps; the
results are logged as `eval/knn_acc` and `eval/linear_acc` next to the loss.
"""
import csv
import hashlib
import os

import numpy as np
import torch
import torch.nn.functional as F

from .config import ConfigError
from .embed import embed_volume, preprocess_nifti


def _held_out(path):
    return int(hashlib.sha256(path.encode()).hexdigest()[:8], 16) % 3 == 0


def load_labelled(path):
    """Rows of a labelled manifest; an unknown path, an empty label or a bad split is refused with its line."""
    base = os.path.dirname(os.path.abspath(path))
    rows = []
    with open(path, newline="") as f:
        for n, row in enumerate(csv.reader(f), start=1):
            if not row or (n == 1 and [c.strip().lower() for c in row[:2]] == ["path", "label"]):
                continue
            if len(row) not in (2, 3):
                raise ConfigError(f"{path} line {n}: expected path,label[,split]")
            file, label = row[0].strip(), row[1].strip()
            full = file if os.path.isabs(file) else os.path.join(base, file)
            if not label:
                raise ConfigError(f"{path} line {n}: empty label")
            if not os.path.isfile(full):
                raise ConfigError(f"{path} line {n}: no such file {file}")
            split = row[2].strip().lower() if len(row) == 3 else ("test" if _held_out(file) else "train")
            if split not in ("train", "test"):
                raise ConfigError(f"{path} line {n}: split must be train or test, not {split!r}")
            rows.append({"path": full, "label": label, "split": split})
    labels = sorted({r["label"] for r in rows})
    if len(labels) < 2:
        raise ConfigError(f"{path}: a probe needs at least two labels")
    for split in ("train", "test"):
        if not any(r["split"] == split for r in rows):
            raise ConfigError(f"{path}: no {split} volumes")
    return rows, labels


def probe_features(out):
    """A volume's probe features from its embeddings: the global token beside the mean crop embedding, each
    L2-normalised (finetune_starter.py's probe takes the same)."""
    return torch.cat([F.normalize(out["volume"].float(), dim=-1), F.normalize(out["crop"].float().mean(0), dim=-1)])


class Probe:
    """The labelled volumes, preprocessed once, and the measurements on an encoder."""

    def __init__(self, cfg):
        self.rows, self.labels = load_labelled(cfg["eval"]["manifest"])
        self.k = int(cfg["eval"]["knn_k"])
        self.crop = cfg["model"]["crop_size"]
        self.volumes = [preprocess_nifti(r["path"], cfg) for r in self.rows]
        self.y = torch.tensor([self.labels.index(r["label"]) for r in self.rows])
        self.test = torch.tensor([r["split"] == "test" for r in self.rows])

    @torch.no_grad()
    def embeddings(self, encoder):
        """Per volume, probe_features: MAE trains the crop embeddings but never the global token's output (its
        decoder reads the crop context), DINO trains both."""
        was = encoder.training
        encoder.eval()
        try:
            return torch.stack([probe_features(embed_volume(encoder, v, self.crop)) for v in self.volumes])
        finally:
            encoder.train(was)

    def measure(self, encoder, seed=0):
        x = F.normalize(self.embeddings(encoder), dim=-1)
        return {"eval/knn_acc": knn_accuracy(x, self.y, self.test, self.k),
                "eval/linear_acc": linear_probe_accuracy(x, self.y, self.test, len(self.labels), seed)}


def knn_accuracy(x, y, test, k):
    """Held-out accuracy of a cosine kNN vote (weighted by similarity) over the training embeddings."""
    train = ~test
    sims = x[test] @ x[train].t()
    k = min(k, int(train.sum()))
    top, idx = sims.topk(k, dim=1)
    votes = torch.zeros(int(test.sum()), int(y.max()) + 1)
    votes.scatter_add_(1, y[train][idx], top.clamp_min(0) + 1e-6)
    return float((votes.argmax(1) == y[test]).float().mean())


def linear_probe_accuracy(x, y, test, classes, seed=0, epochs=300, lr=0.05, weight_decay=1e-4):
    """Held-out accuracy of a logistic regression fitted on the training embeddings only."""
    g = torch.Generator().manual_seed(seed)
    train = ~test
    mean, std = x[train].mean(0), x[train].std(0).clamp_min(1e-6)
    xs = (x - mean) / std
    w = (torch.randn(x.shape[1], classes, generator=g) * 0.01).requires_grad_(True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.AdamW([w, b], lr=lr, weight_decay=weight_decay)
    with torch.enable_grad():
        for _ in range(epochs):
            opt.zero_grad()
            F.cross_entropy(xs[train] @ w + b, y[train]).backward()
            opt.step()
    with torch.no_grad():
        return float(((xs[test] @ w + b).argmax(1) == y[test]).float().mean())


def write_slab_labels(ct_path, out_dir, slices=8, parts=2, tiles=1):
    """A labelled set made from one real CT, for tests and benchmarks: slabs of `slices` slices labelled by where
    they lie along the body axis (which of `parts` equal parts; 2: lower or upper half), every third one held out;
    each slab cut in-plane into tiles x tiles pieces (more examples, each seeing less of the body). Returns the
    CSV's path."""
    import nibabel as nib
    img = nib.load(ct_path)
    data = np.asanyarray(img.dataobj)
    os.makedirs(out_dir, exist_ok=True)
    rows = ["path,label,split"]
    nx, ny = data.shape[0] // tiles, data.shape[1] // tiles
    for i, z in enumerate(range(0, data.shape[2] - slices + 1, slices)):
        part = min(parts - 1, z * parts // data.shape[2])
        label = ("lower", "upper")[part] if parts == 2 else f"part{part}"
        for tx in range(tiles):
            for ty in range(tiles):
                at = np.array([tx * nx, ty * ny, z])
                affine = img.affine.copy()
                affine[:3, 3] = img.affine[:3, :3] @ at + img.affine[:3, 3]
                name = f"slab{i}.nii.gz" if tiles == 1 else f"slab{i}-{tx}{ty}.nii.gz"
                piece = data[at[0]:at[0] + nx, at[1]:at[1] + ny, z:z + slices]
                nib.save(nib.Nifti1Image(piece.astype(np.int16), affine), os.path.join(out_dir, name))
                rows.append(f"{name},{label},{'test' if i % 3 == 1 else 'train'}")
    path = os.path.join(out_dir, "labels.csv")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    return path
