"""Export the generator network to ONNX.

  python3 export_onnx.py --out generator.onnx [--weights W.safetensors] [--network G] [--opset 17]

The ONNX graph takes the generator's fed inputs, one per input node (named by node id, NCHW
float32, batch 1 at the graph's template size; a semantic input is fed its one-hot encoding, plus
the instance-edge channel where the graph has one), and returns the generator's output nodes
(named by node id, NCHW). The example input is a fixed seeded synthetic sample, as
`train.py --synthetic` makes. Opset 17 by default (torch.onnx.export's TorchScript exporter;
PyTorch >= 1.13 offers it). Without --weights the network keeps the graph's initialisation.
If the `onnx` package is importable the file is checked with onnx.checker.check_model;
otherwise the check is skipped, and the script says so.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lggan_torch import data  # noqa: E402
from lggan_torch.graph import run_networks  # noqa: E402
from lggan_torch.init import initialized_networks  # noqa: E402
from lggan_torch.studio import load_studio_checkpoint  # noqa: E402
import model  # noqa: E402

DEFAULT_OPSET = 17


class GeneratorForExport(torch.nn.Module):
    """The input nodes and one network as a module of plain tensors in and out (ONNX takes no dicts)."""

    def __init__(self, networks, name, input_nodes, output_nodes):
        super().__init__()
        self.inputs = model.Inputs()
        self.network = networks[name]
        self.name, self.input_nodes, self.output_nodes = name, input_nodes, output_nodes

    def forward(self, *feeds):
        values = self.inputs(dict(zip(self.input_nodes, feeds)), feeds[0].shape[0])
        values = run_networks({self.name: self.network}, [self.name], values)
        return tuple(values[node]['value'] for node in self.output_nodes)


def with_unit_affine(module):
    """Gives norm layers without affine parameters a weight of ones and a bias of zeros (the same
    result): torch.onnx's batch-norm export needs a weight or a known channel count, and the channel
    count is lost after some resizes."""
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._NormBase) and m.weight is None:
            m.weight = torch.nn.Parameter(torch.ones(m.num_features), requires_grad=False)
            m.bias = torch.nn.Parameter(torch.zeros(m.num_features), requires_grad=False)
            m.affine = True


def generator_name(networks, wanted):
    if wanted is not None:
        if wanted not in networks:
            raise SystemExit(f"no network '{wanted}' in this graph (it has {', '.join(networks)})")
        return wanted
    if 'G' in networks:
        return 'G'
    return model.NETWORK_ORDER[0]


def example_feeds(config):
    """One fixed synthetic sample (seed 0) fed as the studio feeds it: {input node: NCHW tensor}."""
    plan = config['feeds'].get('synthetic')
    if plan is None:
        raise SystemExit(f"cannot make an example input: {config['unfit_layouts'].get('synthetic', 'no synthetic feed plan')}")
    size = (config['size']['width'], config['size']['height'])
    sample = data.SyntheticDataset(1, config['synthetic']['fields'], size, config['synthetic']['num_classes'], seed=0)[0]
    batch = {k: v.unsqueeze(0) for k, v in sample.items()}
    return {node: t.float() for node, t in data.feeds_from_batch(batch, plan).items()}


def export_onnx(out, weights=None, network=None, opset=DEFAULT_OPSET, log=print):
    """Writes the generator to `out`; returns whether onnx's checker ran (False: onnx is not installed)."""
    with open(os.path.join(HERE, 'config.json')) as f:
        config = json.load(f)
    networks = initialized_networks(model.build_networks, config['init'])
    if weights:
        load_studio_checkpoint(weights, networks)
    name = generator_name(networks, network)
    plain = set(networks[name].PLAIN_NODES)
    outputs = [node for node in model.OUTPUT_NODES if node in plain]
    if not outputs:
        raise SystemExit(f"network '{name}' has no output node to export")
    feeds = example_feeds(config)
    input_nodes = [node for node in model.INPUT_NODES if node in feeds]
    wrapper = GeneratorForExport(networks, name, input_nodes, outputs).eval()
    with_unit_affine(wrapper)
    args = tuple(feeds[node] for node in input_nodes)
    with torch.no_grad():
        torch.onnx.export(wrapper, args, out, input_names=input_nodes, output_names=outputs, opset_version=opset, do_constant_folding=True)
    log(f"wrote {out}: network '{name}', inputs {', '.join(f'{n} {list(feeds[n].shape)}' for n in input_nodes)}, outputs {', '.join(outputs)}, opset {opset}")
    try:
        import onnx
    except ImportError:
        log('onnx is not installed: the ONNX checker was skipped (pip install onnx to run it)')
        return False
    onnx.checker.check_model(onnx.load(out))
    log(f'onnx.checker.check_model: {out} is valid')
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='generator.onnx', help='the .onnx file to write (default generator.onnx)')
    parser.add_argument('--weights', help='a studio checkpoint (.safetensors) to export with')
    parser.add_argument('--network', help="the network to export (default G, else the first)")
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET, help=f'ONNX opset (default {DEFAULT_OPSET})')
    args = parser.parse_args(argv)
    export_onnx(args.out, args.weights, args.network, args.opset)


if __name__ == '__main__':
    main()
