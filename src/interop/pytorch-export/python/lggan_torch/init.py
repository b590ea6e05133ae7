"""Initial weights as the studio draws them (not bit-identical: PyTorch's RNG): conv and linear
weights from the graph's scheme, biases 0, affine norm scales normal(1, 0.02)."""
import math

import torch
from torch import nn


def weight_std(init, fan_in, fan_out):
    if init['scheme'] == 'xavier-normal':
        return init['gain'] * math.sqrt(2.0 / (fan_in + fan_out))
    if init['scheme'] == 'normal':
        return init['gain']
    if init['scheme'] == 'kaiming-normal':
        return math.sqrt(2.0 / ((1 + init['gain'] ** 2) * fan_in))
    raise ValueError(f"unknown init scheme {init['scheme']!r}")


def _fans(weight):
    """PyTorch's fans; for a transposed conv ([in, out, k, k]) fan-in counts the outputs, as the studio."""
    receptive = weight[0][0].numel() if weight.dim() > 2 else 1
    return weight.shape[1] * receptive, weight.shape[0] * receptive


@torch.no_grad()
def initialize(network, init):
    for module in network.modules():
        weight = getattr(module, 'weight_orig', None)
        if weight is None and isinstance(getattr(module, 'weight', None), nn.Parameter):
            weight = module.weight
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and weight is not None:
            fan_in, fan_out = _fans(weight)
            weight.normal_(0.0, weight_std(init, fan_in, fan_out))
            if module.bias is not None:
                module.bias.zero_()
        elif weight is not None and weight.dim() == 1:  # affine norm scale
            weight.normal_(1.0, 0.02)
            if getattr(module, 'bias', None) is not None:
                module.bias.zero_()


def initialized_networks(build_networks, init):
    """The graph's networks as a fresh run starts them: the graph's seed, then its initialisation."""
    torch.manual_seed(init['seed'])
    networks = build_networks()
    for network in networks.values():
        initialize(network, init)
    return networks
