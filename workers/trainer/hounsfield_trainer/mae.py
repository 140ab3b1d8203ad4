"""Masked autoencoding over crops; the decoder also sees each crop's global context, so the global
transformer learns to carry information across crops."""
import torch
import torch.nn as nn

from .data import sample_crops
from .distributed import mean_count_per_process
from .model import Block, Encoder, crop_features, grid_coords, init_weights, patchify, sincos_3d


class MAE(nn.Module):
    encoder_prefix = "encoder."

    def __init__(self, cfg):
        super().__init__()
        m = cfg["model"]
        self.patch_size = list(m["patch_size"])
        self.crop = list(m["crop_size"])
        self.mask_ratio = cfg["mae"]["mask_ratio"]
        self.norm_pix = cfg["mae"]["norm_pix_loss"]
        self.encoder = Encoder(m)
        d = m["decoder_dim"]
        self.decoder_embed = nn.Linear(m["dim"], d)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, d))
        self.context_proj = nn.Linear(m["global_dim"], d)
        self.decoder = nn.ModuleList(Block(d, m["decoder_heads"], m["mlp_ratio"]) for _ in range(m["decoder_depth"]))
        self.decoder_norm = nn.LayerNorm(d, eps=1e-6)
        self.pred = nn.Linear(d, int(torch.tensor(self.patch_size).prod()))
        self.register_buffer("decoder_pos", sincos_3d(grid_coords(self.encoder.local.grid), d)[None], persistent=False)
        init_weights(self)

    def forward(self, batch, coords):
        # Stored float16: cut from the region, made float and flipped as the loader drew it, on the accelerator.
        crops, noise = sample_crops(batch, "crops", self.crop), batch["noise"]
        # A whole-scan batch brings its own grid coordinates and which of its (padded) crops are real.
        coords, valid = batch.get("coords", coords), batch.get("crop_valid")
        b, k = crops.shape[:2]
        x, noise = crops.flatten(0, 1), noise.flatten(0, 1)
        n, n_patches = noise.shape
        n_keep = max(1, int(n_patches * (1 - self.mask_ratio)))
        shuffle = torch.argsort(noise, dim=1)
        restore = torch.argsort(shuffle, dim=1)
        keep = shuffle[:, :n_keep]

        tokens = self.encoder.local(x, keep=keep)
        _, context = self.encoder.context(crop_features(tokens).reshape(b, k, -1), coords, valid)

        d = self.decoder_embed(tokens[:, 1:])
        d = torch.cat([d, self.mask_token.to(d.dtype).expand(n, n_patches - n_keep, -1)], dim=1)
        d = torch.gather(d, 1, restore[..., None].expand(-1, -1, d.shape[-1]))
        d = d + self.decoder_pos.to(d.dtype) + self.context_proj(context).reshape(n, 1, -1)
        for blk in self.decoder:
            d = blk(d)
        pred = self.pred(self.decoder_norm(d)).float()

        target = patchify(x, self.patch_size).float()
        if self.norm_pix:
            mean, var = target.mean(-1, keepdim=True), target.var(-1, keepdim=True)
            target = (target - mean) / (var + 1e-6).sqrt()
        masked = torch.ones(n, n_patches, device=x.device)
        masked[:, :n_keep] = 0
        masked = torch.gather(masked, 1, restore)
        if valid is not None:
            masked = masked * valid.reshape(n, 1)
        per_patch = ((pred - target) ** 2).mean(dim=-1)
        return (per_patch * masked).sum() / mean_count_per_process(masked.sum()), {}

    def after_step(self, step, total_steps):
        pass

    def export_encoder(self):
        return self.encoder
