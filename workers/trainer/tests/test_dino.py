import math
import os

import torch

from hounsfield_trainer.dino import DINO, local_targets, masked_tokens, sinkhorn_knopp
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


def test_koleo_is_lower_for_spread_embeddings_and_its_gradient_spreads_them():
    from hounsfield_trainer.dino import koleo_loss
    torch.manual_seed(0)
    spread = torch.randn(64, 16)
    clustered = torch.randn(1, 16) + 0.01 * torch.randn(64, 16)
    assert koleo_loss(spread) < koleo_loss(clustered)
    x = clustered.clone().requires_grad_(True)

    def nearest(v):
        v = torch.nn.functional.normalize(v.detach(), dim=-1)
        d = torch.cdist(v, v) + torch.eye(len(v)) * 9
        return d.min(dim=1).values.mean()

    before = nearest(x)
    opt = torch.optim.SGD([x], lr=0.05)
    for _ in range(20):
        opt.zero_grad()
        koleo_loss(x).backward()
        opt.step()
    assert nearest(x) > 2 * before


def test_teacher_temperature_warms_up_as_dinov2_and_sharpens_early_targets(tiny_config):
    from hounsfield_trainer.dino import teacher_temp_at
    c = tiny_config(objective="dino")["dino"]
    assert (c["warmup_teacher_temp"], c["teacher_temp"], c["teacher_temp_warmup_fraction"]) == (0.04, 0.07, 0.3)
    assert teacher_temp_at(c, 0, 1000) == 0.04
    assert abs(teacher_temp_at(c, 150, 1000) - 0.055) < 1e-9
    assert teacher_temp_at(c, 300, 1000) == 0.07 and teacher_temp_at(c, 999, 1000) == 0.07
    # The same teacher scores give sharper (lower-entropy) targets at the warm-up temperature.
    torch.manual_seed(0)
    logits = torch.randn(32, 256) * 0.3
    entropy = lambda p: -(p * p.clamp_min(1e-12).log()).sum(dim=-1).mean()
    assert entropy(sinkhorn_knopp(logits, 0.04)) < entropy(sinkhorn_knopp(logits, 0.07))


def test_weight_decay_follows_its_cosine_schedule_in_training(tmp_path, tiny_config, ct_manifest):
    from hounsfield_trainer.checkpoint import list_checkpoints, load_state
    from hounsfield_trainer.optim import weight_decay_at
    o = {"weight_decay": 0.04, "weight_decay_end": 0.4}
    assert abs(weight_decay_at(o, 0, 100) - 0.04) < 1e-12
    assert abs(weight_decay_at(o, 50, 100) - 0.22) < 1e-9
    assert abs(weight_decay_at(o, 100, 100) - 0.4) < 1e-9
    assert weight_decay_at({"weight_decay": 0.05, "weight_decay_end": None}, 70, 100) == 0.05
    # The trainer applies it: the optimizer saved after step 4 of 5 decayed with the schedule's value for step 4.
    run = str(tmp_path / "run")
    train(tiny_config(total_steps=5, checkpoint_every=4, optim=o), ct_manifest, run)
    saved = load_state(os.path.join(list_checkpoints(run)[0][1], "optimizer"), "cpu")
    assert abs(saved["param_groups"][0]["weight_decay"] - weight_decay_at(o, 3, 5)) < 1e-9
    assert saved["param_groups"][1]["weight_decay"] == 0.0


def test_prototype_scores_stay_float32_under_bf16_autocast():
    """Sinkhorn divides these by 0.04 and exponentiates: in bf16 (8-bit mantissa) the targets would be quantised."""
    from hounsfield_trainer.dino import DINOHead
    torch.manual_seed(0)
    head = DINOHead(32, 64, 16, 128)
    x = torch.randn(8, 32)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        scores = head(x)
        plain = torch.nn.functional.linear(torch.randn(8, 16), torch.randn(128, 16))
    assert plain.dtype == torch.bfloat16  # autocast is on: an ordinary linear would be bf16
    assert scores.dtype == torch.float32


def test_masked_tokens_found_on_the_host_match_the_mask_on_the_device(tiny_config):
    """The iBOT head's inputs come from indices found on the host (no device sync per step): the same tokens, in the
    same order, as indexing with the mask, so teacher and student tokens stay paired position by position."""
    cfg = tiny_config(objective="dino")
    batch = {"mask": torch.rand(3, 2, 2, 64) < 0.3}
    DINO.host_batch(batch)
    for v in range(2):
        tokens = torch.randn(6, 64, 8)
        mask = batch["mask"][:, v].flatten(0, 1)
        assert torch.equal(masked_tokens(tokens, batch[f"mask_index_{v}"]), tokens[mask])
    # And the loss is the same whether the indices come with the batch or are found in forward.
    torch.manual_seed(0)
    model = DINO(cfg)
    g = torch.Generator().manual_seed(1)
    k = 2
    sample = {"views": torch.rand(2, 2, k, 1, 64, 64, 32, generator=g).half(),
              "jitter": torch.ones(2, 2, 2), "mask": torch.rand(2, 2, k, 64, generator=g) < 0.4}
    sample["jitter"][..., 1] = 0
    coords = torch.tensor([[0, 0, 0], [0, 0, 1]]).float()
    with torch.no_grad():
        plain, _ = model(dict(sample), coords)
        prepared, _ = model(DINO.host_batch(dict(sample)), coords)
    assert torch.isfinite(plain) and torch.equal(plain, prepared)


def test_local_crops_are_scored_against_their_own_crops_targets():
    """Local crop i of sample s, cut from crop c, takes the teacher's targets at row s * k + c (sample-major, as the
    views' crops are flattened)."""
    local_crop = torch.tensor([[1, 0, 1], [0, 0, 1]])
    assert local_targets(local_crop, 2).tolist() == [1, 0, 1, 2, 2, 3]
    assert local_targets(torch.tensor([[2], [0]]), 3).tolist() == [2, 3]


def test_local_crops_add_to_the_crop_loss_and_none_leaves_it_as_without(tiny_config):
    torch.manual_seed(0)
    with_locals = DINO(tiny_config(objective="dino"))
    torch.manual_seed(0)
    without = DINO(tiny_config(objective="dino", dino={"local_crops_number": 0}))
    g = torch.Generator().manual_seed(3)
    sample = {"views": torch.rand(2, 2, 2, 1, 64, 64, 32, generator=g).half(), "jitter": torch.ones(2, 2, 2),
              "mask": torch.rand(2, 2, 2, 64, generator=g) < 0.4}
    sample["jitter"][..., 1] = 0
    locals_ = {"locals": torch.rand(2, 8, 1, 32, 32, 16, generator=g).half(), "local_crop": torch.randint(0, 2, (2, 8), generator=g),
               "local_jitter": torch.tensor([1.0, 0.0]).expand(2, 8, 2).clone()}
    coords = torch.tensor([[0, 0, 0], [0, 0, 1]]).float()
    with torch.no_grad():
        _, base = without(dict(sample), coords)
        _, same = with_locals(dict(sample), coords)  # no local crops in the batch: the same loss
        _, more = with_locals({**sample, **locals_}, coords)
    assert torch.equal(base["loss_crop"], same["loss_crop"])
    assert torch.isfinite(more["loss_crop"]) and not torch.equal(more["loss_crop"], base["loss_crop"])
    assert torch.equal(more["loss_ibot"], base["loss_ibot"]) and torch.equal(more["loss_volume"], base["loss_volume"])
