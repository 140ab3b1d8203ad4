"""Objective factory: each objective is an nn.Module whose forward(batch, coords) returns (loss, extra metrics)."""
from .dino import DINO
from .mae import MAE
from .model import grid_coords


def build_objective(cfg):
    objective = {"mae": MAE, "dino": DINO}[cfg["objective"]](cfg)
    for module in objective.modules():
        if hasattr(module, "blocks"):
            module.checkpointing = bool(cfg.get("activation_checkpointing"))
    return objective


def sample_coords(cfg):
    """Crop-grid positions of the crops in one training sample (fixed for the run)."""
    return grid_coords(cfg["data"]["crop_grid"]).float()


def unwrap(model):
    model = getattr(model, "module", model)
    return getattr(model, "_orig_mod", model)
