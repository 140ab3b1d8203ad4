"""Embeddings of whole volumes with a trained encoder (the reference that finetune_starter.py must reproduce)."""
import torch

from .nifti import load_nifti
from .preprocess import affine_zooms, io_orientation, preprocess_volume, tile_volume


def preprocess_nifti(path, cfg):
    arr, affine = load_nifti(path)
    vol, _ = preprocess_volume(arr, io_orientation(affine), affine_zooms(affine), cfg["data"])
    return vol


@torch.no_grad()
def embed_volume(encoder, vol, crop_size, chunk=8):
    """Tile a preprocessed volume and encode it: per-crop embeddings, their global context, one volume vector."""
    crops, coords, grid = tile_volume(vol, crop_size)
    device = next(encoder.parameters()).device
    feats = []
    for i in range(0, crops.shape[0], chunk):
        tokens = encoder.local(crops[i:i + chunk].to(device))
        feats.append(torch.cat([tokens[:, 0], tokens[:, 1:].mean(dim=1)], dim=-1))
    feats = torch.cat(feats)[None]
    volume, context = encoder.context(feats, coords.to(device))
    return {"crop": feats[0].cpu(), "crop_context": context[0].cpu(), "volume": volume[0].cpu(), "grid": grid}
