"""Self-supervised pretraining of a volumetric CT encoder (local 3D ViT over crops + global transformer)."""

__version__ = "0.1.0"
