"""Building blocks with LGGAN Studio's exact semantics, in PyTorch's NCHW layout.

Every layer keeps its state under the names the studio (and the official LGGAN/SPADE code) uses,
so a node module's state_dict keys are the studio's local variable names.
"""
import torch
import torch.nn.functional as F
from torch import nn


def reflect_pad(x, amount):
    """ReflectionPad2d: [a b c d] -> [c b | a b c d | c b] for 2 pixels."""
    return F.pad(x, (amount, amount, amount, amount), mode='reflect') if amount else x


class Conv2d(nn.Conv2d):
    """A conv with zero padding, or reflect padding (pad, then an unpadded conv), optionally
    spectrally normalised (weight_orig, weight_u, weight_v; one power iteration per training forward)."""

    def __init__(self, in_channels, out_channels, kernel, stride=1, padding=0, padding_mode='zero', bias=True, spectral_norm=False):
        reflect = padding_mode == 'reflect'
        super().__init__(in_channels, out_channels, kernel, stride, 0 if reflect else padding, bias=bias)
        self.reflect = padding if reflect else 0
        if spectral_norm:
            nn.utils.spectral_norm(self)

    def forward(self, x):
        return super().forward(reflect_pad(x, self.reflect))


def conv_transpose(in_channels, out_channels, kernel=3, stride=2, padding=1, output_padding=1, bias=True):
    """PyTorch's ConvTranspose2d: output (n - 1)*s - 2p + k + output_padding."""
    return nn.ConvTranspose2d(in_channels, out_channels, kernel, stride, padding, output_padding, bias=bias)


def make_norm(kind, channels, affine=False, eps=1e-5, momentum=0.1):
    """'instance' (no running statistics), 'batch' (BatchNorm2d) or 'none'."""
    if kind == 'instance':
        return nn.InstanceNorm2d(channels, eps=eps, affine=affine)
    if kind == 'batch':
        return nn.BatchNorm2d(channels, eps=eps, momentum=momentum, affine=affine)
    if kind == 'none':
        return nn.Identity()
    raise ValueError(f'unknown norm {kind!r}')


def activation(x, function, slope=0.2):
    if function == 'relu':
        return F.relu(x)
    if function == 'leaky-relu':
        return F.leaky_relu(x, slope)
    if function == 'tanh':
        return torch.tanh(x)
    if function == 'sigmoid':
        return torch.sigmoid(x)
    raise ValueError(f'unknown activation {function!r}')


def nearest_resize(x, height, width):
    """Nearest neighbour with source index floor(i * in / out), as the studio and nn.Upsample."""
    # Plain ints: under torch.onnx.export's tracing the sizes stay constants, so the shapes after the
    # resize stay known (batch norm export needs the channel count); nothing changes when run eagerly.
    height, width = int(height), int(width)
    if x.shape[2] == height and x.shape[3] == width:
        return x
    if not torch.is_floating_point(x):
        return F.interpolate(x.float(), size=(height, width), mode='nearest').to(x.dtype)
    return F.interpolate(x, size=(height, width), mode='nearest')


def nearest_upsample(x, scale):
    return x if scale == 1 else nearest_resize(x, int(x.shape[2]) * scale, int(x.shape[3]) * scale)


def bilinear_upsample(x, scale):
    return x if scale == 1 else F.interpolate(x, scale_factor=scale, mode='bilinear', align_corners=False)


def avg_pool_exclude_padding(x, kernel, stride, padding):
    return F.avg_pool2d(x, kernel, stride, padding, count_include_pad=False)


class ResidualBlock(nn.Module):
    """pix2pixHD/LGGAN residual block: conv3x3, norm, ReLU, conv3x3, norm, + x."""

    def __init__(self, channels, padding_mode='reflect', norm='instance', norm_affine=False, bias=True):
        super().__init__()
        self.conv1 = Conv2d(channels, channels, 3, 1, 1, padding_mode, bias)
        self.norm1 = make_norm(norm, channels, norm_affine)
        self.conv2 = Conv2d(channels, channels, 3, 1, 1, padding_mode, bias)
        self.norm2 = make_norm(norm, channels, norm_affine)

    def forward(self, x):
        return x + self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))


class Spade(nn.Module):
    """SPADE: param-free norm of x, modulated by gamma/beta predicted from the resized segmap."""

    def __init__(self, norm_channels, label_channels, hidden, param_free_norm):
        super().__init__()
        self.param_free_norm = make_norm(param_free_norm, norm_channels, affine=False)
        self.mlp_shared = nn.Sequential(nn.Conv2d(label_channels, hidden, 3, padding=1), nn.ReLU())
        self.mlp_gamma = nn.Conv2d(hidden, norm_channels, 3, padding=1)
        self.mlp_beta = nn.Conv2d(hidden, norm_channels, 3, padding=1)

    def forward(self, x, segmap):
        actv = self.mlp_shared(nearest_resize(segmap, x.shape[2], x.shape[3]))
        return self.param_free_norm(x) * (1 + self.mlp_gamma(actv)) + self.mlp_beta(actv)


class SpadeResBlock(nn.Module):
    """SPADEResnetBlock: SPADE, LeakyReLU 0.2, conv3x3, twice; learned shortcut when fin != fout."""

    def __init__(self, fin, fout, label_channels, hidden, param_free_norm, spectral_norm):
        super().__init__()
        fmid = min(fin, fout)
        self.learned_shortcut = fin != fout
        self.conv_0 = Conv2d(fin, fmid, 3, 1, 1, spectral_norm=spectral_norm)
        self.conv_1 = Conv2d(fmid, fout, 3, 1, 1, spectral_norm=spectral_norm)
        if self.learned_shortcut:
            self.conv_s = Conv2d(fin, fout, 1, 1, 0, bias=False, spectral_norm=spectral_norm)
        self.norm_0 = Spade(fin, label_channels, hidden, param_free_norm)
        self.norm_1 = Spade(fmid, label_channels, hidden, param_free_norm)
        if self.learned_shortcut:
            self.norm_s = Spade(fin, label_channels, hidden, param_free_norm)

    def forward(self, x, segmap):
        seg = nearest_resize(segmap, x.shape[2], x.shape[3])
        shortcut = self.conv_s(self.norm_s(x, seg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), 0.2))
        return shortcut + dx


def window_taps(x, kernel):
    """Zero-padded kernel x kernel windows around every pixel: B x C x k^2 x H x W (tap dy*k + dx)."""
    b, c, h, w = x.shape
    cols = F.unfold(x, kernel, padding=kernel // 2)
    return cols.view(b, c, kernel * kernel, h, w)


class Sau(nn.Module):
    """Semantic-aware upsampling: per-pixel softmax kernels (compress, kernel, pixel shuffle) reassemble
    the k x k window of the nearest-upsampled (projected) map. The 1x1 projection runs before the
    reassembly without its bias, which is added afterwards (equal to projecting after)."""

    def __init__(self, channels, kernel, scale, mid_channels, out_channels, gating):
        super().__init__()
        self.kernel_size, self.scale, self.gated = kernel, scale, gating == 'label-gated'
        self.compress = nn.Conv2d(channels, mid_channels, 1)
        self.kernel = nn.Conv2d(mid_channels, kernel * kernel * scale * scale, 1)
        self.project = nn.Conv2d(channels, out_channels, 1) if out_channels > 0 else None

    def forward(self, x, labels=None):
        k, s = self.kernel_size, self.scale
        b, _, h, w = x.shape
        weights = torch.softmax(F.pixel_shuffle(self.kernel(self.compress(x)), s), dim=1)  # B x k^2 x sH x sW
        if self.gated:
            if labels is None:
                raise ValueError('label-gated SAU got no labels')
            kept = weights * label_gate(labels, h * s, w * s, k)
            weights = kept / kept.sum(dim=1, keepdim=True)
        source = F.conv2d(x, self.project.weight) if self.project is not None else x
        windows = window_taps(nearest_upsample(source, s), k)  # B x C x k^2 x sH x sW
        y = (windows * weights.unsqueeze(1)).sum(dim=2)
        return y + self.project.bias.view(1, -1, 1, 1) if self.project is not None else y


def label_gate(labels, height, width, kernel):
    """1 where a tap's class equals the centre pixel's class, or where the tap lies in the padding."""
    resized = nearest_resize(labels.float(), height, width)
    ids = resized if resized.shape[1] == 1 else resized.argmax(dim=1, keepdim=True).float()
    taps = window_taps(ids, kernel)[:, 0]  # B x k^2 x H x W
    same = ((taps - ids).abs() < 0.5).float()
    inside = window_taps(torch.ones(1, 1, height, width, device=labels.device), kernel)[:, 0]
    return torch.maximum(same, 1 - inside)


def add_up_decoder(module, branch, in_channels, mid_channels, out_channels, mode, sau_kernel, sau_mid_channels):
    """Adds the two x2 up stages deconv3_<branch> (in -> mid) and deconv4_<branch> (mid -> out) as
    direct children of `module` (keys deconv3_local.weight …; SAU stages as <name>_sau) and
    returns their names for up_decode."""
    names = []
    for name, cin, cout in ((f'deconv3_{branch}', in_channels, mid_channels), (f'deconv4_{branch}', mid_channels, out_channels)):
        if mode == 'transposed':
            module.add_module(name, conv_transpose(cin, cout))
            names.append(name)
        else:
            gating = 'label-gated' if mode == 'sau-label-gated' else 'none'
            module.add_module(f'{name}_sau', Sau(cin, sau_kernel, 2, sau_mid_channels, cout, gating))
            names.append(f'{name}_sau')
    return names


def up_decode(module, names, x, labels=None):
    """Each stage: transposed conv (or SAU), InstanceNorm without affine, ReLU."""
    for name in names:
        layer = getattr(module, name)
        y = layer(x, labels) if isinstance(layer, Sau) else layer(x)
        x = F.relu(F.instance_norm(y, eps=1e-5))
    return x
