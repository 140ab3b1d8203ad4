import csv
import math
import os

import nibabel as nib
import numpy as np
import pytest
import torch

from conftest import EXAMPLE_CT
from hounsfield_trainer.config import ConfigError
from hounsfield_trainer.evaluate import knn_accuracy, linear_probe_accuracy, load_labelled, write_slab_labels
from hounsfield_trainer.metrics_log import read_metrics
from hounsfield_trainer.train import train


@pytest.fixture(scope="module")
def slabs(tmp_path_factory):
    """Slabs of the real sample CT labelled by where they lie along the body axis; every third held out."""
    d = tmp_path_factory.mktemp("slabs")
    write_slab_labels(EXAMPLE_CT, str(d))
    return d


def test_probe_hook_logs_held_out_knn_and_linear_accuracy_during_training(tmp_path, tiny_config, ct_manifest, slabs):
    run = str(tmp_path / "run")
    cfg = tiny_config(total_steps=6, eval={"manifest": str(slabs / "labels.csv"), "every": 3})
    train(cfg, ct_manifest, run)
    steps, _ = read_metrics(os.path.join(run, "metrics.jsonl"))
    evals = [s for s in steps if "eval/knn_acc" in s]
    assert [s["step"] for s in evals] == [3, 6]
    for s in evals:
        for key in ("eval/knn_acc", "eval/linear_acc"):
            assert 0.0 <= s[key] <= 1.0 and math.isfinite(s[key])
            # Five held-out slabs: an accuracy is a multiple of 1/5.
            assert abs(s[key] * 5 - round(s[key] * 5)) < 1e-6


def test_accuracy_is_measured_on_held_out_volumes_only():
    e0, e1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    x = torch.stack([e0, e0, e1, e1])
    y = torch.tensor([0, 1, 1, 0])
    test = torch.tensor([False, True, False, True])
    # Each held-out point's only neighbour in training has the other label: a probe that saw the held-out labels
    # (or counted a point as its own neighbour) would score 1.
    assert knn_accuracy(x, y, test, k=1) == 0.0
    assert linear_probe_accuracy(x, y, test, classes=2) == 0.0
    assert knn_accuracy(x, torch.tensor([0, 0, 1, 1]), test, k=1) == 1.0
    assert linear_probe_accuracy(x, torch.tensor([0, 0, 1, 1]), test, classes=2) == 1.0


def test_a_bad_labelled_manifest_is_refused_with_its_line(tmp_path, slabs):
    def refused(text):
        p = tmp_path / "labels.csv"
        p.write_text(text)
        with pytest.raises(ConfigError) as e:
            load_labelled(str(p))
        return str(e.value)

    good = str(slabs / "slab0.nii.gz")
    assert "line 3: no such file" in refused(f"path,label\n{good},lower\nmissing.nii.gz,upper\n")
    assert "line 2: empty label" in refused(f"{good},lower\n{good}, \n")
    assert "line 1: split must be train or test" in refused(f"{good},lower,validate\n")
    assert "at least two labels" in refused(f"{good},lower,train\n{good},lower,test\n")
    assert "no test volumes" in refused(f"{good},lower,train\n{good},upper,train\n")
    rows, labels = load_labelled(str(slabs / "labels.csv"))
    assert labels == ["lower", "upper"] and {r["split"] for r in rows} == {"train", "test"}


def test_the_probe_reads_the_crop_embeddings_beside_the_global_token(tiny_config, slabs):
    """MAE trains the crop embeddings but never the global token's output; with that output made constant here, a
    probe of the global token alone would see identical volumes (at best the majority class, 3 of 5), while this one
    still tells upper from lower slabs."""
    from hounsfield_trainer.evaluate import Probe
    from hounsfield_trainer.objectives import build_objective
    cfg = tiny_config(eval={"manifest": str(slabs / "labels.csv"), "every": 1})
    torch.manual_seed(0)
    encoder = build_objective(cfg).export_encoder()
    with torch.no_grad():
        encoder.context.norm.weight.zero_()
        encoder.context.norm.bias.fill_(1.0)
    probe = Probe(cfg)
    x = probe.embeddings(encoder)
    assert torch.allclose(x[:, :96], x[:1, :96])  # the global token says nothing
    assert probe.measure(encoder)["eval/linear_acc"] >= 0.8


def test_slabs_cut_in_plane_keep_their_slab_label_and_split_and_tile_it(tmp_path):
    """tiles=2: each slab in four in-plane pieces, together exactly the slab, each with the slab's label and split
    (so no piece of a held-out slab is trained on), placed where they lie (affine)."""
    whole = write_slab_labels(EXAMPLE_CT, str(tmp_path / "whole"), slices=4, parts=4)
    tiled = write_slab_labels(EXAMPLE_CT, str(tmp_path / "tiled"), slices=4, parts=4, tiles=2)
    rows = {r["path"]: r for r in csv.DictReader(open(whole))}
    pieces = list(csv.DictReader(open(tiled)))
    assert len(pieces) == 4 * len(rows)
    for name, row in rows.items():
        slab = nib.load(str(tmp_path / "whole" / name))
        mine = [p for p in pieces if p["path"].startswith(name[:-len(".nii.gz")] + "-")]
        assert len(mine) == 4 and {(p["label"], p["split"]) for p in mine} == {(row["label"], row["split"])}
        data = np.asanyarray(slab.dataobj)
        nx, ny = data.shape[0] // 2, data.shape[1] // 2
        for p in mine:
            piece = nib.load(str(tmp_path / "tiled" / p["path"]))
            tx, ty = int(p["path"][-9]), int(p["path"][-8])
            np.testing.assert_array_equal(np.asanyarray(piece.dataobj), data[tx * nx:(tx + 1) * nx, ty * ny:(ty + 1) * ny])
            np.testing.assert_allclose(piece.affine[:3, 3], slab.affine[:3, :3] @ [tx * nx, ty * ny, 0] + slab.affine[:3, 3])
