import torch

from hounsfield_trainer.config import resolve_config
from hounsfield_trainer.mae import MAE
from hounsfield_trainer.model import Encoder


def _encoder():
    torch.manual_seed(0)
    return Encoder(resolve_config({"preset": "tiny"})["model"]).eval()


def test_padded_crops_change_nothing_for_the_real_ones():
    """A whole-scan batch pads its smaller grids: the global transformer must give a volume the same embedding and
    context whether it is padded (padding marked not valid) or alone."""
    enc = _encoder()
    g = torch.Generator().manual_seed(1)
    crops = torch.rand(1, 3, 1, 64, 64, 32, generator=g)
    coords = torch.tensor([[[0, 0, 0], [0, 0, 1], [1, 0, 0]]]).float()
    padded = torch.cat([crops, torch.rand(1, 2, 1, 64, 64, 32, generator=g)], 1)
    pcoords = torch.cat([coords, torch.tensor([[[5, 5, 5], [6, 6, 6]]]).float()], 1)
    valid = torch.tensor([[True, True, True, False, False]])
    with torch.no_grad():
        alone = enc(crops, coords)
        masked = enc(padded, pcoords, valid)
        unmasked = enc(padded, pcoords)
    torch.testing.assert_close(masked["volume"], alone["volume"])
    torch.testing.assert_close(masked["crop_context"][:, :3], alone["crop_context"])
    assert not torch.allclose(unmasked["volume"], alone["volume"])  # without the mask the padding would leak in


def test_mae_loss_of_a_padded_batch_counts_the_real_crops_only():
    torch.manual_seed(0)
    model = MAE(resolve_config({"preset": "tiny"})).eval()
    g = torch.Generator().manual_seed(2)
    crops = torch.rand(1, 2, 1, 64, 64, 32, generator=g).half()
    noise = torch.rand(1, 2, 64, generator=g)
    coords = torch.tensor([[0, 0, 0], [0, 0, 1]]).float()
    pad = {"crops": torch.cat([crops, torch.rand(1, 1, 1, 64, 64, 32, generator=g).half()], 1),
           "noise": torch.cat([noise, torch.rand(1, 1, 64, generator=g)], 1),
           "coords": torch.cat([coords, torch.tensor([[0, 0, 2]]).float()])[None],
           "crop_valid": torch.tensor([[True, True, False]])}
    with torch.no_grad():
        alone, _ = model({"crops": crops, "noise": noise}, coords)
        padded, _ = model(pad, None)
    torch.testing.assert_close(padded, alone)


def test_position_embeddings_are_made_on_the_coordinates_device():
    """On a GPU the crop coordinates live on the device: the frequencies must be made there too (a CPU tensor times
    a CUDA one fails). The meta device stands in for CUDA here."""
    from hounsfield_trainer.model import sincos_3d
    emb = sincos_3d(torch.zeros(4, 3, device="meta"), 96)
    assert emb.device.type == "meta" and emb.shape == (4, 96)
