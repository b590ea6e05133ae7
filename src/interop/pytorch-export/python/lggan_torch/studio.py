"""LGGAN Studio checkpoints: the networks' state under the studio's variable names, in tfjs layouts
(conv [kh, kw, in, out], transposed conv [kh, kw, out, in], linear [in, out]), plus the optimiser
state and a run record, as the studio's checkpoint loader reads them."""
import datetime
import json

import torch
from torch import nn

from .safetensors_io import read_safetensors, write_safetensors

OPTIMIZER_PREFIX = 'optimizer.'


def _unwrap(network):
    return network.module if hasattr(network, 'module') else network


def _is_studio_state(key):
    # BatchNorm's step counter has no studio variable (with a fixed momentum it is never read).
    return not key.endswith('num_batches_tracked')


def _layouts(network):
    """state_dict key -> 'conv2d' | 'conv2d-transpose' | 'linear' | 'plain'."""
    layouts = {}
    for path, module in network.named_modules():
        at = f'{path}.' if path else ''
        for name in list(module._parameters) + list(module._buffers):
            layout = 'plain'
            if name in ('weight', 'weight_orig'):
                if isinstance(module, nn.ConvTranspose2d):
                    layout = 'conv2d-transpose'
                elif isinstance(module, nn.Conv2d):
                    layout = 'conv2d'
                elif isinstance(module, nn.Linear):
                    layout = 'linear'
            layouts[at + name] = layout
    return layouts


def to_studio(t, layout):
    t = t.detach().to('cpu', torch.float32) if t.is_floating_point() else t.detach().to('cpu')
    if layout in ('conv2d', 'conv2d-transpose'):
        return t.permute(2, 3, 1, 0).contiguous()  # [out, in, kh, kw] / [in, out, kh, kw] -> tfjs
    if layout == 'linear':
        return t.t().contiguous()
    return t.contiguous()


def from_studio(t, layout):
    if layout in ('conv2d', 'conv2d-transpose'):
        return t.permute(3, 2, 0, 1).contiguous()
    if layout == 'linear':
        return t.t().contiguous()
    return t


class StudioState:
    """Where every tensor of the networks lives under the studio's names."""

    def __init__(self, networks):
        self.entries = {}  # studio name -> (tensor in the network, layout)
        for network in networks.values():
            net = _unwrap(network)
            layouts = _layouts(net)
            state = net.state_dict(keep_vars=True)
            for key, studio_name in net.studio_names().items():
                if _is_studio_state(key):
                    self.entries[studio_name] = (state[key], layouts[key])
        self.by_tensor = {id(t): name for name, (t, _) in self.entries.items()}

    def tensors(self):
        return {name: to_studio(t, layout) for name, (t, layout) in self.entries.items()}

    def load(self, tensors, strict=True):
        """Copies the studio tensors into the networks; strict: every name present, none unknown."""
        missing = [n for n in self.entries if n not in tensors]
        unknown = [n for n in tensors if n not in self.entries and not n.startswith(OPTIMIZER_PREFIX)]
        misshaped = []
        for name, (t, layout) in self.entries.items():
            if name in tensors and tuple(from_studio(tensors[name], layout).shape) != tuple(t.shape):
                misshaped.append(f"'{name}' is {list(tensors[name].shape)} in the file, {list(to_studio(t, layout).shape)} here")
        if strict and (missing or unknown or misshaped):
            lines = ['the weights do not match the networks:']
            if missing:
                lines.append(f'  missing ({len(missing)}): ' + ', '.join(missing[:10]) + (' …' if len(missing) > 10 else ''))
            if unknown:
                lines.append(f'  unknown ({len(unknown)}): ' + ', '.join(unknown[:10]) + (' …' if len(unknown) > 10 else ''))
            lines += [f'  misshaped: {m}' for m in misshaped]
            raise ValueError('\n'.join(lines))
        loaded = []
        with torch.no_grad():
            for name, (t, layout) in self.entries.items():
                if name in tensors and not any(m.startswith(f"'{name}'") for m in misshaped):
                    t.copy_(from_studio(tensors[name], layout).to(t.dtype))
                    loaded.append(name)
        return loaded


def run_record(config, step, device, dataset_fingerprint=None, extra=None):
    return {
        'format': 'lggan-studio.run',
        'version': 1,
        'graphHash': config['graph_hash'],
        'graphName': config['graph_name'],
        'seed': config['init']['seed'],
        'step': int(step),
        'nodePackVersion': config['node_pack_version'],
        'tfjsVersion': f'none (PyTorch {torch.__version__})',
        'backend': f'pytorch-{device}',
        'datasetFingerprint': dataset_fingerprint,
        'created': datetime.datetime.now(datetime.timezone.utc).isoformat().replace('+00:00', 'Z'),
        'extra': extra or {},
    }


def save_studio_checkpoint(path, networks, record, optimizers=None, iteration=None):
    """optimizers: {'G': (torch Adam, updates applied), 'D': …}; their moments are written in tfjs
    layouts under optimizer.<side>.<variable>.m / .v, as the studio's trainer keeps them."""
    state = StudioState(networks)
    tensors = state.tensors()
    if iteration is not None:
        tensors[f'{OPTIMIZER_PREFIX}iteration'] = torch.tensor(int(iteration), dtype=torch.int32)
    for side, (optimizer, updates) in (optimizers or {}).items():
        tensors[f'{OPTIMIZER_PREFIX}{side}.step'] = torch.tensor(int(updates), dtype=torch.int32)
        for group in optimizer.param_groups:
            for p in group['params']:
                slot = optimizer.state.get(p)
                name = state.by_tensor.get(id(p))
                if not slot or name is None:
                    continue
                layout = state.entries[name][1]
                tensors[f'{OPTIMIZER_PREFIX}{side}.{name}.m'] = to_studio(slot['exp_avg'], layout)
                tensors[f'{OPTIMIZER_PREFIX}{side}.{name}.v'] = to_studio(slot['exp_avg_sq'], layout)
    write_safetensors(path, tensors, {'lggan.run': json.dumps(record), 'lggan.layout': 'tfjs'})


def load_studio_checkpoint(path, networks, optimizers=None, strict=True):
    """Loads weights (and, given {'G': Adam, …}, the optimiser moments). Returns (record or None,
    {'iteration': n or None, 'G': updates, 'D': updates})."""
    tensors, metadata = read_safetensors(path)
    state = StudioState(networks)
    state.load(tensors, strict)
    counters = {'iteration': None}
    if f'{OPTIMIZER_PREFIX}iteration' in tensors:
        counters['iteration'] = int(tensors[f'{OPTIMIZER_PREFIX}iteration'])
    for side, optimizer in (optimizers or {}).items():
        updates = int(tensors.get(f'{OPTIMIZER_PREFIX}{side}.step', torch.tensor(0)))
        counters[side] = updates
        for group in optimizer.param_groups:
            for p in group['params']:
                name = state.by_tensor.get(id(p))
                m = tensors.get(f'{OPTIMIZER_PREFIX}{side}.{name}.m')
                v = tensors.get(f'{OPTIMIZER_PREFIX}{side}.{name}.v')
                if name is None or m is None or v is None:
                    continue
                layout = state.entries[name][1]
                optimizer.state[p] = {
                    'step': torch.tensor(float(updates)),
                    'exp_avg': from_studio(m, layout).to(p.device, p.dtype),
                    'exp_avg_sq': from_studio(v, layout).to(p.device, p.dtype),
                }
    record = json.loads(metadata['lggan.run']) if 'lggan.run' in metadata else None
    return record, counters
