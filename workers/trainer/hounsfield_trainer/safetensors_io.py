"""safetensors files through the `safetensors` library where importable, else a small writer/reader that
produces the same bytes: 8-byte little-endian header length, compact JSON header (tensors ordered by dtype
alignment descending, then name; optional __metadata__ first), padded with spaces to 8 bytes, then raw
little-endian tensor bytes in the same order."""
import json
import struct
import sys

import numpy as np
import torch

# Order of the library's Dtype enum: sorting is by this rank, descending, then by name.
DTYPE_RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
              "I64", "U64"]
TORCH_TO_ST = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
               torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32", torch.float64: "F64",
               torch.int64: "I64"}
ST_TO_TORCH = {v: k for k, v in TORCH_TO_ST.items()}


def have_library():
    try:
        import safetensors.torch  # noqa: F401
        return True
    except ImportError:
        return False


def _tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        arr = t.view(torch.int16).numpy()
    else:
        arr = t.numpy()
    if sys.byteorder == "big":
        arr = arr.byteswap()
    return arr.tobytes()


def serialize(tensors, metadata=None):
    items = []
    for name, t in tensors.items():
        if t.dtype not in TORCH_TO_ST:
            raise TypeError(f"{name}: dtype {t.dtype} has no safetensors code")
        items.append((name, TORCH_TO_ST[t.dtype], t))
    items.sort(key=lambda it: (-DTYPE_RANK.index(it[1]), it[0]))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, code, t in items:
        data = _tensor_bytes(t)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def deserialize(buf):
    if len(buf) < 8:
        raise ValueError("safetensors: file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > 100_000_000 or 8 + n > len(buf):
        raise ValueError("safetensors: bad header length")
    header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(buf)[8 + n:]
    out, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        a, b = info["data_offsets"]
        if a != end:
            raise ValueError(f"safetensors: {name} offsets are not contiguous")
        end = b
        dtype = ST_TO_TORCH[info["dtype"]]
        shape = info["shape"]
        raw = bytearray(data[a:b])
        np_dtype = np.int16 if dtype == torch.bfloat16 else torch.empty(0, dtype=dtype).numpy().dtype
        arr = np.frombuffer(raw, dtype=np.dtype(np_dtype).newbyteorder("<")).astype(np_dtype, copy=False)
        t = torch.from_numpy(arr.copy()).reshape(shape)
        out[name] = t.view(torch.bfloat16) if dtype == torch.bfloat16 else t
    if end != len(data):
        raise ValueError("safetensors: data section length does not match the header")
    return out, metadata


def save_file(tensors, path, metadata=None, use_library=None):
    if use_library is None:
        use_library = have_library()
    if use_library:
        from safetensors.torch import save_file as lib_save

        lib_save({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, path, metadata=metadata)
        return
    with open(path, "wb") as f:
        f.write(serialize(tensors, metadata))


def load_file(path, use_library=None):
    """Returns (tensors, metadata)."""
    if use_library is None:
        use_library = have_library()
    if use_library:
        from safetensors import safe_open

        with safe_open(path, framework="pt", device="cpu") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}
    with open(path, "rb") as f:
        return deserialize(f.read())


def self_check(directory):
    """On hosts with the safetensors package: the library and the built-in writer must agree byte for byte.
    Run as `python -m hounsfield_trainer.safetensors_io` (the test suite checks the built-in writer against the
    library's own test vectors, since Debian ships no safetensors package)."""
    import os
    import torch

    if not have_library():
        raise SystemExit("the safetensors package is not installed here: nothing to compare")
    tensors = {"enc.w": torch.randn(8, 4), "enc.b": torch.randn(4), "steps": torch.tensor([1, 2]),
               "bf": torch.randn(3, dtype=torch.bfloat16)}
    lib, own = os.path.join(directory, "lib.safetensors"), os.path.join(directory, "own.safetensors")
    save_file(tensors, lib, {"encoder_prefix": "enc."}, use_library=True)
    save_file(tensors, own, {"encoder_prefix": "enc."}, use_library=False)
    with open(lib, "rb") as a, open(own, "rb") as b:
        same = a.read() == b.read()
    print(f"safetensors library and built-in writer identical: {same}")
    return same


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        sys.exit(0 if self_check(d) else 1)
