"""One module per studio node type. Every node takes its input ports as keyword arguments and returns
its output ports as a dict, in NCHW. A node's state_dict keys are the studio's local variable names
(`conv1.weight`, `head_0.conv_0.weight_orig` …), so `<node id>.<key>` is the studio's variable name."""
import torch
import torch.nn.functional as F
from torch import nn

from . import layers as L


# ------------------------------------------------------------------------------------------------
# Inputs (no variables): what the dataset feeds, NCHW.

def semantic_one_hot(ids, channels):
    """One-hot over `channels` of B x 1 x H x W ids; ids outside [0, channels) give all zeros."""
    classes = torch.arange(channels, device=ids.device).view(1, channels, 1, 1)
    return (ids.long() == classes).float()


def instance_edges(instances):
    """1 where an instance id differs from its right or bottom neighbour, on both pixels (get_edges)."""
    # Padded sums rather than in-place `|=` on slices, which torch.onnx.export cannot trace.
    t = instances
    horizontal = (t[:, :, :, 1:] != t[:, :, :, :-1]).float()
    vertical = (t[:, :, 1:, :] != t[:, :, :-1, :]).float()
    pad = torch.nn.functional.pad
    edge = pad(horizontal, (1, 0)) + pad(horizontal, (0, 1)) + pad(vertical, (0, 0, 1, 0)) + pad(vertical, (0, 0, 0, 1))
    return (edge > 0).float()


class SemanticLabelInput(nn.Module):
    """lggan/semantic-input: fed ids (B x 1 x H x W) or ids + instance ids (B x 2 x H x W)."""

    def __init__(self, one_hot_channels, instance_edge):
        super().__init__()
        self.one_hot_channels, self.instance_edge = one_hot_channels, instance_edge

    def forward(self, value):
        labels = value[:, :1].long()
        semantic = semantic_one_hot(labels, self.one_hot_channels)
        if self.instance_edge:
            semantic = torch.cat([semantic, instance_edges(value[:, 1:2])], dim=1)
        return {'labels': labels, 'semantic': semantic}


class FedInput(nn.Module):
    """core/semantic-input and core/image-input: the fed tensor is the value of `port`."""

    def __init__(self, port):
        super().__init__()
        self.port = port

    def forward(self, value):
        return {self.port: value.float()}


class NoiseInput(nn.Module):
    """core/noise-input: the fed tensor when there is one, else normal(0, std) noise (PyTorch's RNG,
    so the draws differ from the studio's)."""

    def __init__(self, shape, std, seed):
        super().__init__()
        self.shape, self.std = shape, std
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, value=None, batch=None, device=None):
        if value is not None:
            return {'noise': value.float()}
        shape = [batch or self.shape[0], *self.shape[1:]]
        return {'noise': (torch.randn(shape, generator=self.generator) * self.std).to(device or 'cpu')}


# ------------------------------------------------------------------------------------------------
# Core layers

class Conv2dNode(L.Conv2d):
    def forward(self, x):
        return {'y': super().forward(x)}


class ConvTranspose2dNode(nn.ConvTranspose2d):
    def __init__(self, in_channels, out_channels, kernel, stride, padding, output_padding, bias):
        super().__init__(in_channels, out_channels, kernel, stride, padding, output_padding, bias=bias)

    def forward(self, x):
        return {'y': super().forward(x)}


class NormNode(nn.Module):
    """core/instance-norm and core/batch-norm: the norm layer is held as the node itself's state."""

    def __init__(self, kind, channels, affine, eps, momentum=0.1):
        super().__init__()
        norm = L.make_norm(kind, channels, affine, eps, momentum)
        # Adopt the norm's parameters and buffers, so the keys are `weight`, `running_mean` …
        for name, p in norm.named_parameters(recurse=False):
            self.register_parameter(name, p)
        for name, b in norm.named_buffers(recurse=False):
            self.register_buffer(name, b)
        self.kind, self.eps, self.momentum, self.affine = kind, eps, momentum, affine

    def forward(self, x):
        w = self.weight if self.affine else None
        b = self.bias if self.affine else None
        if self.kind == 'instance':
            return {'y': F.instance_norm(x, weight=w, bias=b, eps=self.eps)}
        if self.training:
            self.num_batches_tracked += 1
        y = F.batch_norm(x, self.running_mean, self.running_var, w, b, self.training, self.momentum, self.eps)
        return {'y': y}


class ActivationNode(nn.Module):
    def __init__(self, function, slope):
        super().__init__()
        self.function, self.slope = function, slope

    def forward(self, x):
        return {'y': L.activation(x, self.function, self.slope)}


class ResidualBlockNode(L.ResidualBlock):
    def forward(self, x):
        return {'y': super().forward(x)}


class UpsampleNode(nn.Module):
    def __init__(self, scale, mode):
        super().__init__()
        self.scale, self.mode = scale, mode

    def forward(self, x):
        up = L.bilinear_upsample if self.mode == 'bilinear' else L.nearest_upsample
        return {'y': up(x, self.scale)}


class DownsampleNode(nn.Module):
    def __init__(self, kernel, stride, padding):
        super().__init__()
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x):
        return {'y': L.avg_pool_exclude_padding(x, self.kernel, self.stride, self.padding)}


class ConcatNode(nn.Module):
    def __init__(self, inputs):
        super().__init__()
        self.names = [f'in{i}' for i in range(inputs)]

    def forward(self, **ports):
        return {'y': torch.cat([ports[n] for n in self.names], dim=1)}


class AddNode(nn.Module):
    def forward(self, a, b):
        return {'y': a + b}


class MultiplyNode(nn.Module):
    def forward(self, a, b):
        return {'y': a * b}


class LinearNode(nn.Linear):
    def forward(self, x):
        return {'y': super().forward(x.reshape(x.shape[0], -1))}


class ChannelSoftmaxNode(nn.Module):
    def forward(self, x):
        return {'y': torch.softmax(x, dim=1)}


class GlobalAvgPoolNode(nn.Module):
    def forward(self, x):
        return {'y': x.mean(dim=(2, 3))}


# ------------------------------------------------------------------------------------------------
# LGGAN generator nodes

class Encoder(nn.Module):
    """Shared encoder E: reflect-pad 3 + conv 7x7, then stride-2 convs, each + IN + ReLU."""

    def __init__(self, in_channels, ngf, downsamples, max_channels, latent):
        super().__init__()
        width = lambda i: min(ngf * 2 ** i, max_channels)
        self.add_module('conv1', L.Conv2d(in_channels, width(0), 7, 1, 3, 'reflect'))
        for i in range(1, downsamples + 1):
            self.add_module(f'conv{i + 1}', L.Conv2d(width(i - 1), width(i), 3, 2, 1))
        self.stages = downsamples + 1
        self.latent = latent  # (height, width) or None

    def forward(self, x):
        out = {}
        h = x
        for i in range(self.stages):
            h = F.relu(F.instance_norm(getattr(self, f'conv{i + 1}')(h), eps=1e-5))
            if i == 2:
                out['x_encode'] = h
        out['features'] = h
        if self.latent is not None:
            out['latent'] = L.nearest_resize(h, *self.latent)
        return out


class SpadeNormNode(L.Spade):
    def forward(self, x, semantic):
        return {'y': super().forward(x, semantic)}


class SpadeResBlockNode(L.SpadeResBlock):
    def forward(self, x, semantic):
        return {'y': super().forward(x, semantic)}


GLOBAL_BLOCKS = (('head_0', 16, 16), ('G_middle_0', 16, 16), ('G_middle_1', 16, 16), ('up_0', 16, 8), ('up_1', 8, 4), ('up_2', 4, 2), ('up_3', 2, 1))


class GlobalGenerator(nn.Module):
    """The SPADE decoder G_g: seven SPADE residual blocks with 2x nearest upsampling, LeakyReLU, conv_img, tanh."""

    def __init__(self, ngf, label_channels, hidden, param_free_norm, spectral_norm, upsampling_mode, keep_unused_official):
        super().__init__()
        if keep_unused_official:
            self.fc = nn.Conv2d(label_channels, 16 * ngf, 3, padding=1)  # built by the official model, never run
        self.upsample_before = []
        for name, fin, fout in GLOBAL_BLOCKS:
            self.add_module(name, L.SpadeResBlock(fin * ngf, fout * ngf, label_channels, hidden, param_free_norm, spectral_norm))
            self.upsample_before.append(name != 'head_0' and (name != 'G_middle_1' or upsampling_mode == 'more'))
        self.conv_img = nn.Conv2d(ngf, 3, 3, padding=1)

    def forward(self, latent, semantic):
        x = latent
        for (name, _, _), up in zip(GLOBAL_BLOCKS, self.upsample_before):
            if up:
                x = L.nearest_upsample(x, 2)
            x = getattr(self, name)(x, semantic)
        return {'image': torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))}


class GlobalDecoder(nn.Module):
    """Cross-view global branch: two transposed convs + IN + ReLU, reflect-pad 3 + conv 7x7, tanh."""

    def __init__(self, in_channels, ngf):
        super().__init__()
        self.deconv3_global = L.conv_transpose(in_channels, 2 * ngf)
        self.deconv4_global = L.conv_transpose(2 * ngf, ngf)
        self.deconv5_global = L.Conv2d(ngf, 3, 7, 1, 3, 'reflect')

    def forward(self, x):
        h = F.relu(F.instance_norm(self.deconv3_global(x), eps=1e-5))
        h = F.relu(F.instance_norm(self.deconv4_global(h), eps=1e-5))
        return {'image': torch.tanh(self.deconv5_global(h))}


class SauUpsampleNode(L.Sau):
    def forward(self, x, labels=None):
        return {'y': super().forward(x, labels)}


class LocalTrunk(nn.Module):
    """Residual blocks resnet_blocks1… at H/4, then the two up stages deconv3_local, deconv4_local."""

    def __init__(self, channels, blocks, up_channels, out_channels, upsampling, sau_kernel, sau_mid_channels):
        super().__init__()
        self.blocks = blocks
        for i in range(blocks):
            self.add_module(f'resnet_blocks{i + 1}', L.ResidualBlock(channels))
        self.decoder = L.add_up_decoder(self, 'local', channels, up_channels, out_channels, upsampling, sau_kernel, sau_mid_channels)

    def forward(self, x_encode, labels=None):
        middle = x_encode
        for i in range(self.blocks):
            middle = getattr(self, f'resnet_blocks{i + 1}')(middle)
        return {'middle': middle, 'features': L.up_decode(self, self.decoder, middle, labels)}


class ClassMasks(nn.Module):
    """Binary class masks: one-hot channels, ADE20K grouping, or cross-view grey values 10, 20, …"""

    def __init__(self, mode, count, channels_read, separate):
        super().__init__()
        self.mode, self.count, self.channels_read, self.separate = mode, count, channels_read, separate

    def forward(self, semantic=None, label_image=None):
        if self.mode == 'one-hot':
            return {'masks': semantic[:, :self.count]}
        if self.mode == 'grouped':
            other = semantic[:, self.separate:self.channels_read].sum(dim=1, keepdim=True)
            return {'masks': torch.cat([semantic[:, :self.separate], other], dim=1)}
        grey = torch.round((label_image[:, :1] + 1) / 2 * 255)
        targets = 10 * torch.arange(1, self.count + 1, dtype=grey.dtype, device=grey.device).view(1, -1, 1, 1)
        return {'masks': ((grey - targets).abs() < 0.5).float()}


class LocalGenerators(nn.Module):
    """Class-specific sub-generators deconv5_<k>: I_k = tanh(conv7x7(reflectpad3(F * M_k))), all classes
    as one grouped conv; I_local = tanh(deconv9(class images)) or their sum."""

    def __init__(self, channels, classes, first_index, combine, keep_unused_official):
        super().__init__()
        self.classes, self.first_index, self.combine = classes, first_index, combine
        if combine == 'fusion-conv':
            self.deconv9 = nn.Conv2d(3 * classes, 3, 3, padding=1)
        for k in range(classes + (1 if keep_unused_official else 0)):
            self.add_module(f'deconv5_{first_index + k}', nn.Conv2d(channels, 3, 7))

    def forward(self, features, masks):
        b, c, h, w = features.shape
        k = self.classes
        masked = (masks[:, :k].unsqueeze(2) * features.unsqueeze(1)).reshape(b, k * c, h, w)
        subs = [getattr(self, f'deconv5_{self.first_index + i}') for i in range(k)]
        weight = torch.cat([s.weight for s in subs], dim=0)  # (3k) x C x 7 x 7
        bias = torch.cat([s.bias for s in subs], dim=0)
        class_images = torch.tanh(F.conv2d(L.reflect_pad(masked, 3), weight, bias, groups=k))
        if self.combine == 'fusion-conv':
            local = torch.tanh(self.deconv9(class_images))
        else:
            local = class_images.view(b, k, 3, h, w).sum(dim=1)
        return {'class_images': class_images, 'local': local}


class Classification(nn.Module):
    """fc2 over each class mask's features, average-pooled over the full H x W."""

    def __init__(self, channels, classes):
        super().__init__()
        self.classes = classes
        self.fc2 = nn.Linear(channels, classes)

    def forward(self, features, masks):
        b, c, h, w = features.shape
        m = masks[:, :self.classes].reshape(b, self.classes, h * w)
        pooled = torch.bmm(m, features.reshape(b, c, h * w).transpose(1, 2)) / (h * w)  # B x K x C
        logits = self.fc2(pooled)
        valid = (m.amax(dim=2) > 0).float()
        return {'logits': logits, 'valid': valid}


class AttentionFusion(nn.Module):
    """Weight maps from an up branch (deconv3/4_attention), a 1x1 conv and a softmax over 2 maps;
    image = W_local * I_local + W_global * I_global. mode 'fixed' averages with 0.5/0.5."""

    def __init__(self, mode, in_channels, up_channels, branch_channels, upsampling, sau_kernel, sau_mid_channels):
        super().__init__()
        self.mode = mode
        if mode == 'attention':
            self.decoder = L.add_up_decoder(self, 'attention', in_channels, up_channels, branch_channels, upsampling, sau_kernel, sau_mid_channels)
            self.deconv5_attention = nn.Conv2d(branch_channels, 2, 1)

    def forward(self, local, x_encode=None, labels=None, **ports):
        global_ = ports['global']  # a Python keyword, so it arrives through **ports
        if self.mode == 'fixed':
            half = torch.full_like(local[:, :1], 0.5)
            return {'image': (local + global_) * 0.5, 'attention': torch.cat([half, half], dim=1), 'w_local': half, 'w_global': half.clone()}
        branch = L.up_decode(self, self.decoder, x_encode, labels)
        attention = torch.softmax(self.deconv5_attention(branch), dim=1)
        w_local, w_global = attention[:, 0:1], attention[:, 1:2]
        return {'image': w_local * local + w_global * global_, 'attention': attention, 'w_local': w_local, 'w_global': w_global}


# ------------------------------------------------------------------------------------------------
# Discriminators: applied through the network (one call per training phase), never as plain nodes.

class SpadeNLayer(nn.Module):
    """One scale of SPADE's multiscale discriminator: model0 … model<n_layers>, every block's output kept."""

    def __init__(self, in_channels, n_layers, ndf, spectral_norm, norm):
        super().__init__()
        nf = ndf
        self.model0 = nn.Sequential(L.Conv2d(in_channels, nf, 4, 2, 2), nn.LeakyReLU(0.2))
        for n in range(1, n_layers):
            previous, nf = nf, min(nf * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            with_norm = norm != 'none'
            conv = L.Conv2d(previous, nf, 4, stride, 2, bias=not with_norm, spectral_norm=spectral_norm)
            body = nn.Sequential(conv, nn.InstanceNorm2d(nf)) if with_norm else conv
            self.add_module(f'model{n}', nn.Sequential(body, nn.LeakyReLU(0.2)))
        self.add_module(f'model{n_layers}', nn.Sequential(L.Conv2d(nf, 1, 4, 1, 2)))
        self.blocks = n_layers + 1

    def forward(self, x):
        features = []
        for i in range(self.blocks):
            x = getattr(self, f'model{i}')(x)
            features.append(x)
        return features


class MultiscaleDiscriminator(nn.Module):
    def __init__(self, in_channels, num_d, n_layers, ndf, spectral_norm, norm):
        super().__init__()
        self.num_d = num_d
        for s in range(num_d):
            self.add_module(f'discriminator_{s}', SpadeNLayer(in_channels, n_layers, ndf, spectral_norm, norm))

    def forward(self, x):
        """Patch logits per scale and every block's output per scale."""
        outputs, features = [], []
        for s in range(self.num_d):
            if s > 0:
                x = L.avg_pool_exclude_padding(x, 3, 2, 1)
            f = getattr(self, f'discriminator_{s}')(x)
            features.append(f)
            outputs.append(f[-1])
        return outputs, features


class PatchDiscriminator(nn.Module):
    """pix2pix's NLayerDiscriminator in one Sequential `model` (conv at 3n-1, norm at 3n, LeakyReLU at
    3n+1); instance norms track running statistics; optional sigmoid on the patch map."""

    def __init__(self, in_channels, ndf, n_layers, sigmoid, norm):
        super().__init__()
        width = lambda n: ndf * min(2 ** n, 8)
        layers = [L.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        self.block_ends = [2]  # each block's output is taken after model[end - 1]
        for n in range(1, n_layers + 1):
            stride = 2 if n < n_layers else 1
            layers.append(L.Conv2d(width(n - 1), width(n), 4, stride, 1))
            layers.append(nn.InstanceNorm2d(width(n), track_running_stats=True) if norm == 'instance' else nn.Identity())
            layers.append(nn.LeakyReLU(0.2))
            self.block_ends.append(len(layers))
        layers.append(L.Conv2d(width(n_layers), 1, 4, 1, 1))
        self.block_ends.append(len(layers))
        self.sigmoid = sigmoid
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        features, start = [], 0
        for end in self.block_ends:
            for i in range(start, end):
                x = self.model[i](x)
            features.append(x)
            start = end
        if self.sigmoid:
            features[-1] = torch.sigmoid(features[-1])
        return [features[-1]], [features]
