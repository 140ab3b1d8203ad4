import math
import os

import torch

from hounsfield_trainer.dino import sinkhorn_knopp
from hounsfield_trainer.metrics_log import read_metrics
from hounsfield_trainer.train import train


def test_sinkhorn_targets_use_prototypes_equally():
    logits = torch.randn(64, 16) * 0.3 + torch.linspace(0, 1, 16)  # one prototype favoured by every sample
    q = sinkhorn_knopp(logits, temp=0.1)
    torch.testing.assert_close(q.sum(dim=1), torch.ones(64))
    usage = q.sum(dim=0) / q.sum()
    assert usage.max() < 1.5 / 16  # plain softmax would hand most of the mass to the last prototype
    assert torch.softmax(logits / 0.1, dim=1).sum(0).argmax() == 15


def test_tiny_dino_ibot_loss_is_finite_and_falls(tmp_path, tiny_config, ct_manifest):
    run = str(tmp_path / "run")
    cfg = tiny_config(objective="dino", total_steps=30)
    train(cfg, ct_manifest, run)
    steps, _ = read_metrics(os.path.join(run, "metrics.jsonl"))
    losses = [s["loss"] for s in steps]
    assert len(losses) == 30 and all(math.isfinite(v) for v in losses)
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5
    # Better than a uniform prediction on masked patches: the student learned the teacher's patch assignments.
    uniform = math.log(cfg["model"]["head_prototypes"])
    assert sum(s["loss_ibot"] for s in steps[-5:]) / 5 < uniform - 0.1
    assert {"loss_crop", "loss_volume", "loss_ibot"} <= set(steps[-1])


def test_teacher_follows_student_by_ema(tiny_config):
    from hounsfield_trainer.dino import DINO

    model = DINO(tiny_config(objective="dino", model={"head_prototypes": 32}))
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(1.0)
    before = [t.clone() for t in model.teacher.parameters()]
    model.after_step(1, 100)
    moved = [(t - b).abs().max().item() for t, b in zip(model.teacher.parameters(), before)]
    assert all(0 < m < 0.01 for m in moved)
    assert not any(p.requires_grad for p in model.teacher.parameters())
