#!/usr/bin/env python3
"""Write the VGG19 weights file that LGGAN Studio's perceptual loss reads.

The lggan/perceptual-loss node (and the exported package's PerceptualLoss) runs torchvision's
vgg19().features up to relu5_1 and takes its weights from a .safetensors file with torchvision's
names: features.<i>.weight [out, in, 3, 3] and features.<i>.bias [out] for the 13 convs from
conv1_1 to conv5_1 (i = 0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28). This script writes
exactly those tensors as float32, from either

  python3 tools/convert_vgg19.py -o vgg19.safetensors                 # torchvision's IMAGENET1K_V1 weights (downloads them)
  python3 tools/convert_vgg19.py vgg19-dcbb9e9d.pth -o vgg19.safetensors   # a state_dict file you downloaded

The second form needs only torch: the file is torchvision's own
https://download.pytorch.org/models/vgg19-dcbb9e9d.pth (the URL torchvision fetches). Nothing in
it is executed: it is read with torch.load(weights_only=True) where torch supports that.
The safetensors format (an 8-byte little-endian header length, a JSON header, raw data) is
written here directly, so the safetensors package is not needed.
"""
import argparse
import json
import struct
import sys

CONVS_PER_BLOCK = (2, 2, 4, 4, 4)
CONVS_USED = 13  # conv1_1 … conv5_1: the loss stops at relu5_1
WIDTHS = (64, 128, 256, 512, 512)


def conv_indices():
    """(index in features, in channels, out channels) of conv1_1 … conv5_1 in torchvision's vgg19."""
    convs, index, channels = [], 0, 3
    for block, count in enumerate(CONVS_PER_BLOCK):
        for _ in range(count):
            convs.append((index, channels, WIDTHS[block]))
            channels = WIDTHS[block]
            index += 2  # conv, ReLU
        index += 1  # max-pool
    return convs[:CONVS_USED]


def load_state_dict(path):
    import torch

    if path is None:
        try:
            from torchvision.models import vgg19
        except ImportError:
            sys.exit('torchvision is not installed: download https://download.pytorch.org/models/vgg19-dcbb9e9d.pth '
                     'and pass it as the input file')
        try:
            model = vgg19(weights='IMAGENET1K_V1')
        except TypeError:  # torchvision < 0.13
            model = vgg19(pretrained=True)
        return model.state_dict()
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        state = torch.load(path, map_location='cpu')
    if isinstance(state, dict) and 'state_dict' in state and isinstance(state['state_dict'], dict):
        state = state['state_dict']
    if not isinstance(state, dict):
        sys.exit(f'{path}: not a state_dict (found {type(state).__name__})')
    # A checkpoint of a wrapped model (DataParallel, or a perceptual-loss module holding vgg) may
    # prefix the names: keep the part from "features." on.
    renamed = {}
    for key, value in state.items():
        at = key.find('features.')
        if at >= 0:
            renamed[key[at:]] = value
    return renamed


def pick_tensors(state, source):
    """The 26 tensors the studio reads, checked against VGG19's shapes; exits naming the first misfit."""
    picked = {}
    for index, cin, cout in conv_indices():
        for name, shape in ((f'features.{index}.weight', (cout, cin, 3, 3)), (f'features.{index}.bias', (cout,))):
            tensor = state.get(name)
            if tensor is None:
                sys.exit(f"{source}: '{name}' is missing (torchvision vgg19 names expected)")
            if tuple(tensor.shape) != shape:
                sys.exit(f"{source}: '{name}' has shape {list(tensor.shape)}, expected {list(shape)} (is it vgg19, not vgg16 or vgg19_bn?)")
            picked[name] = tensor
    return picked


def write_safetensors(path, tensors):
    import torch

    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().cpu().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header['__metadata__'] = {'source': 'torchvision vgg19 features, conv1_1..conv5_1 (tools/convert_vgg19.py)'}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)  # align the data to 8 bytes, as the reference writer does
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('input', nargs='?', help="torchvision's vgg19 state_dict (.pth); omitted: torchvision's pretrained weights")
    p.add_argument('-o', '--out', required=True, help='the .safetensors file to write')
    args = p.parse_args(argv)
    source = args.input or 'torchvision vgg19'
    tensors = pick_tensors(load_state_dict(args.input), source)
    write_safetensors(args.out, tensors)
    count = sum(t.numel() for t in tensors.values())
    print(f'wrote {args.out}: {len(tensors)} tensors (conv1_1 … conv5_1), {count:,} float32 values')


if __name__ == '__main__':
    main()
