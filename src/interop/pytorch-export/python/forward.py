"""Run the graph's networks once on fed inputs, as the studio's Program.run does.

  python3 forward.py --feeds FEEDS.safetensors --out OUT.safetensors [--weights W.safetensors] [--training]

FEEDS holds one tensor per input node, by node id, in the studio's layout (B x H x W x C; label
inputs as ids). OUT gets every output node's value by output node id, B x H x W x C, and with --all
every node output as '<node>:<port>' (maps as B x H x W x C, other tensors as they are). Without
--weights the networks start from the graph's initialisation (PyTorch's RNG).
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lggan_torch.graph import run_networks  # noqa: E402
from lggan_torch.init import initialized_networks  # noqa: E402
from lggan_torch.safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from lggan_torch.studio import load_studio_checkpoint  # noqa: E402
import model  # noqa: E402


def to_nchw(t):
    return t.permute(0, 3, 1, 2).contiguous() if t.dim() == 4 else t


def to_nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous() if t.dim() == 4 else t


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--feeds', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--weights')
    parser.add_argument('--training', action='store_true', help='training mode: batch statistics, spectral-norm power iteration')
    parser.add_argument('--all', action='store_true', help="also write every node output as '<node>:<port>'")
    parser.add_argument('--save-weights', help='write the weights used (studio names, tfjs layouts) to this file')
    parser.add_argument('--losses', action='store_true', help="also write every loss of objective.py as 'loss:<node>' (needs the dataset inputs)")
    args = parser.parse_args(argv)
    with open(os.path.join(HERE, 'config.json')) as f:
        config = json.load(f)

    networks = initialized_networks(model.build_networks, config['init'])
    if args.weights:
        load_studio_checkpoint(args.weights, networks)
    if args.save_weights:
        from lggan_torch.studio import run_record, save_studio_checkpoint

        save_studio_checkpoint(args.save_weights, networks, run_record(config, 0, 'cpu'))
    for network in networks.values():
        network.train(args.training)

    tensors, _ = read_safetensors(args.feeds)
    missing = [n for n in model.INPUT_NODES if n not in tensors and n not in model.OPTIONAL_INPUTS]
    if missing:
        raise SystemExit(f"{args.feeds}: no tensor for input node{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    feeds = {name: to_nchw(t) for name, t in tensors.items() if name in model.INPUT_NODES}
    batch = next(iter(feeds.values())).shape[0] if feeds else 1
    with torch.set_grad_enabled(False):
        values = run_networks(networks, model.NETWORK_ORDER, model.Inputs()(feeds, batch))
        if args.losses:
            import objective
            from lggan_torch.losses import phase_losses

            losses = phase_losses(objective.build_losses(), values, networks)
    out = {node: to_nhwc(values[node]['value']) for node in model.OUTPUT_NODES}
    if args.losses:
        out.update({f'loss:{node}': torch.as_tensor(value).reshape(()).float() for node, value in losses.items()})
    if args.all:
        for node, ports in values.items():
            for port, t in ports.items():
                out[f'{node}:{port}'] = to_nhwc(t).float() if torch.is_floating_point(t) else to_nhwc(t).to(torch.int32)
    write_safetensors(args.out, out)


if __name__ == '__main__':
    main()
