"""A small safetensors reader and writer (no `safetensors` package needed).

File: 8-byte little-endian header length N, N bytes of JSON header {name: {dtype, shape,
data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the raw little-endian data.
"""
import json
import struct

import torch

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64, 'U8': torch.uint8, 'BOOL': torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


class SafetensorsError(ValueError):
    pass


def read_safetensors(path):
    """(tensors by name in header order, metadata dict)."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise SafetensorsError(f'{path}: too short for a safetensors file')
    (n,) = struct.unpack('<Q', data[:8])
    if 8 + n > len(data):
        raise SafetensorsError(f'{path}: header length {n} runs past the end of the file')
    try:
        header = json.loads(data[8:8 + n].decode('utf-8'))
    except ValueError as e:
        raise SafetensorsError(f'{path}: header is not JSON ({e})') from None
    metadata = header.pop('__metadata__', {}) or {}
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, entry in header.items():
        dtype = DTYPES.get(entry.get('dtype'))
        if dtype is None:
            raise SafetensorsError(f"{path}: tensor '{name}' has unsupported dtype {entry.get('dtype')!r}")
        begin, end = entry['data_offsets']
        shape = [int(d) for d in entry['shape']]
        count = 1
        for d in shape:
            count *= d
        if end > len(body) or end - begin != count * torch.empty((), dtype=dtype).element_size():
            raise SafetensorsError(f"{path}: tensor '{name}' data_offsets [{begin}, {end}] do not fit its shape {shape}")
        raw = bytes(body[begin:end])
        t = torch.frombuffer(bytearray(raw), dtype=dtype) if count else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(shape).clone()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor} written in the given order (contiguous CPU copies, little-endian)."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().to('cpu').contiguous()
        if t.dtype not in NAMES:
            raise SafetensorsError(f"cannot write '{name}': dtype {t.dtype}")
        raw = t.numpy().tobytes() if t.numel() else b''
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)  # align the data to 8 bytes
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
