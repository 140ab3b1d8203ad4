import json
import struct

import pytest
import torch

from hounsfield_trainer.safetensors_io import deserialize, load_file, save_file, serialize

F32_0_TO_5 = bytes([0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64])


def _golden(header_json, pad):
    head = header_json.encode() + b" " * pad
    return struct.pack("<Q", len(head)) + head


def test_bytes_match_the_reference_implementation_vectors():
    # Expected bytes are those asserted by the safetensors crate's own unit tests (tensor.rs).
    data = torch.arange(6, dtype=torch.float32)
    got = serialize({"attn.0": data.reshape(1, 2, 3)})
    assert got == _golden('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}', 0) + F32_0_TO_5
    got = serialize({"attn0": data.reshape(1, 1, 2, 3)})
    assert got == _golden('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}', 7) + F32_0_TO_5
    assert serialize({}) == _golden("{}", 6)
    assert serialize({}, {"framework": "pt"}) == _golden('{"__metadata__":{"framework":"pt"}}', 5)


def test_layout_order_padding_and_alignment():
    tensors = {"b.weight": torch.randn(3, 5), "a.bias": torch.randn(7), "step": torch.tensor([3], dtype=torch.int64),
               "half": torch.randn(3, dtype=torch.float16), "flag": torch.tensor([True, False]),
               "c": torch.randn(2, 2, dtype=torch.bfloat16)}
    buf = serialize(tensors, {"encoder_prefix": "encoder."})
    (n,) = struct.unpack("<Q", buf[:8])
    assert n % 8 == 0 and buf[8 + n - 1:8 + n] in (b" ", b"}")
    raw = buf[8:8 + n].decode()
    assert raw.rstrip(" ").endswith("}") and set(raw[len(raw.rstrip(" ")):]) <= {" "}
    header = json.loads(raw)
    names = [k for k in header if k != "__metadata__"]
    # Descending dtype alignment (I64 > F32 > BF16 > F16 > BOOL), then by name: the library's order.
    assert names == ["step", "a.bias", "b.weight", "c", "half", "flag"]
    offsets = [header[k]["data_offsets"] for k in names]
    assert offsets[0][0] == 0 and all(a[1] == b[0] for a, b in zip(offsets, offsets[1:]))
    assert offsets[-1][1] == len(buf) - 8 - n
    assert list(header)[0] == "__metadata__"


def test_round_trip_is_bit_identical(tmp_path):
    tensors = {"w": torch.randn(4, 3), "nan": torch.tensor([float("nan"), float("inf"), -0.0]),
               "bf": torch.randn(5, dtype=torch.bfloat16), "h": torch.randn(2, 2, dtype=torch.float16),
               "i": torch.arange(-3, 3, dtype=torch.int64), "u": torch.arange(4, dtype=torch.uint8),
               "d": torch.randn(2, dtype=torch.float64), "b": torch.tensor([True, False, True])}
    path = str(tmp_path / "x.safetensors")
    save_file(tensors, path, {"k": "v"}, use_library=False)
    back, meta = load_file(path, use_library=False)
    assert meta == {"k": "v"} and set(back) == set(tensors)
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape
        a = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        b = back[k].view(torch.int16) if t.dtype == torch.bfloat16 else back[k]
        assert a.numpy().tobytes() == b.numpy().tobytes()
    assert serialize(back, {"k": "v"}) == open(path, "rb").read()


def test_reader_rejects_inconsistent_files():
    good = serialize({"w": torch.zeros(4)})
    with pytest.raises(ValueError):
        deserialize(good[:-1])
    with pytest.raises(ValueError):
        deserialize(struct.pack("<Q", 10 ** 9) + good[8:])

