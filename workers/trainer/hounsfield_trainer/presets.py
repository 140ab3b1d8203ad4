"""Model presets. Crop and patch sizes are (x, y, z) voxels in RAS array order."""

PRESETS = {
    "tiny": {
        "crop_size": [64, 64, 32], "patch_size": [16, 16, 8],
        "dim": 96, "depth": 2, "heads": 3, "mlp_ratio": 4.0,
        "global_dim": 96, "global_depth": 1, "global_heads": 3,
        "decoder_dim": 64, "decoder_depth": 1, "decoder_heads": 2,
        "head_hidden": 128, "head_bottleneck": 64, "head_prototypes": 256,
        # DINOv2-style LayerScale initial value and top-block drop-path rate (0: off; tiny stays plain).
        "layerscale": 0.0, "drop_path": 0.0,
    },
    "small": {
        "crop_size": [128, 128, 64], "patch_size": [16, 16, 8],
        "dim": 384, "depth": 12, "heads": 6, "mlp_ratio": 4.0,
        "global_dim": 384, "global_depth": 2, "global_heads": 6,
        "decoder_dim": 256, "decoder_depth": 4, "decoder_heads": 8,
        "head_hidden": 2048, "head_bottleneck": 256, "head_prototypes": 8192,
        # DINOv2-style LayerScale initial value and top-block drop-path rate (0: off; tiny stays plain).
        "layerscale": 1e-5, "drop_path": 0.1,
    },
    "base": {
        "crop_size": [128, 128, 64], "patch_size": [16, 16, 8],
        "dim": 768, "depth": 12, "heads": 12, "mlp_ratio": 4.0,
        "global_dim": 768, "global_depth": 4, "global_heads": 12,
        "decoder_dim": 512, "decoder_depth": 8, "decoder_heads": 16,
        "head_hidden": 2048, "head_bottleneck": 256, "head_prototypes": 65536,
        # DINOv2-style LayerScale initial value and top-block drop-path rate (0: off; tiny stays plain).
        "layerscale": 1e-5, "drop_path": 0.1,
    },
    "large": {
        "crop_size": [128, 128, 64], "patch_size": [16, 16, 8],
        "dim": 1024, "depth": 24, "heads": 16, "mlp_ratio": 4.0,
        "global_dim": 1024, "global_depth": 4, "global_heads": 16,
        "decoder_dim": 512, "decoder_depth": 8, "decoder_heads": 16,
        "head_hidden": 2048, "head_bottleneck": 256, "head_prototypes": 65536,
        # DINOv2-style LayerScale initial value and top-block drop-path rate (0: off; tiny stays plain).
        "layerscale": 1e-5, "drop_path": 0.1,
    },
}


def preset(name):
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return {k: (list(v) if isinstance(v, list) else v) for k, v in PRESETS[name].items()}
