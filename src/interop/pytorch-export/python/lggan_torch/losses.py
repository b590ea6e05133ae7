"""The studio's loss nodes. Each loss reads tensors by 'node:port' from the phase's values; losses
that judge with a discriminator first ask() the Judge (one discriminator call per phase), then
value() reads the answers. Every loss returns a scalar already multiplied by its weight."""
import torch
import torch.nn.functional as F

MIN_NORMAL_F32 = 1.1754944e-38


def get(values, ref):
    node, port = ref.split(':')
    return values[node][port]


def safe_log(p):
    return torch.clamp(torch.log(torch.clamp(p, min=MIN_NORMAL_F32)), min=-100)


def bce_against(d, target, probabilities):
    if probabilities:
        return -safe_log(d if target == 1 else 1 - d).mean()
    return F.softplus(-d if target == 1 else d).mean()


def generator_term(mode, probabilities):
    if mode == 'hinge':
        return lambda d: -d.mean()
    if mode == 'bce':
        return lambda d: bce_against(d, 1, probabilities)
    return lambda d: ((d - 1) ** 2).mean()


def discriminator_terms(mode, probabilities):
    """(fake term, real term, factor)."""
    if mode == 'hinge':
        return (lambda d: F.relu(1 + d).mean()), (lambda d: F.relu(1 - d).mean()), 1.0
    if mode == 'bce':
        return (lambda d: bce_against(d, 0, probabilities)), (lambda d: bce_against(d, 1, probabilities)), 0.5
    return (lambda d: (d ** 2).mean()), (lambda d: ((d - 1) ** 2).mean()), 0.5


def scale_average(outputs, term):
    return sum(term(o) for o in outputs) / len(outputs)


def ask_pair(judge, values, network, discriminator, condition_ref, image_ref, detached):
    """A ticket for D(condition ‖ image); the same pair asked again (by any loss) shares it."""
    key = (condition_ref, image_ref, detached)
    known = judge.ticket(network, discriminator, key)
    if known is not None:
        return known
    image = get(values, image_ref)
    x = torch.cat([get(values, condition_ref), image.detach() if detached else image], 1)
    return judge.ask(network, discriminator, x, key=key)


class Loss:
    judges = False

    def ask(self, values, judge):
        return None

    def value(self, values, judge, tickets):
        raise NotImplementedError


class AdversarialLoss(Loss):
    """hinge (SPADE), bce or lsgan (pix2pix); per-scale means averaged over scales, summed over fakes."""
    judges = True

    def __init__(self, mode, side, weight, network, discriminator, condition, fakes, real, probabilities):
        self.mode, self.side, self.weight = mode, side, weight
        self.network, self.discriminator = network, discriminator
        self.condition, self.fakes, self.real, self.probabilities = condition, fakes, real, probabilities

    def ask(self, values, judge):
        detached = self.side == 'discriminator'  # D's loss never reaches G
        tickets = {'fakes': [ask_pair(judge, values, self.network, self.discriminator, self.condition, f, detached) for f in self.fakes]}
        if self.side == 'discriminator':
            tickets['real'] = ask_pair(judge, values, self.network, self.discriminator, self.condition, self.real, False)
        return tickets

    def value(self, values, judge, tickets):
        if self.side == 'generator':
            term = generator_term(self.mode, self.probabilities)
            total = sum(scale_average(judge.answer(t)[0], term) for t in tickets['fakes'])
            return total * self.weight
        fake_term, real_term, factor = discriminator_terms(self.mode, self.probabilities)
        real = scale_average(judge.answer(tickets['real'])[0], real_term)
        total = sum(scale_average(judge.answer(t)[0], fake_term) + real for t in tickets['fakes'])
        return total * (self.weight * factor)


class FeatureMatchingLoss(Loss):
    """L1 between D's features on fake and (detached) real, every block but the last, / num_D."""
    judges = True

    def __init__(self, weight, network, discriminator, condition, fakes, real):
        self.weight, self.network, self.discriminator = weight, network, discriminator
        self.condition, self.fakes, self.real = condition, fakes, real

    def ask(self, values, judge):
        return {
            'fakes': [ask_pair(judge, values, self.network, self.discriminator, self.condition, f, False) for f in self.fakes],
            'real': ask_pair(judge, values, self.network, self.discriminator, self.condition, self.real, False),
        }

    def value(self, values, judge, tickets):
        real_features = judge.answer(tickets['real'])[1]
        total = 0.0
        for ticket in tickets['fakes']:
            fake_features = judge.answer(ticket)[1]
            num_d = len(fake_features)
            for s, per_scale in enumerate(fake_features):
                for j in range(len(per_scale) - 1):
                    total = total + F.l1_loss(per_scale[j], real_features[s][j].detach()) / num_d
        return total * self.weight


class L1Loss(Loss):
    def __init__(self, weight, fakes, real):
        self.weight, self.fakes, self.real = weight, fakes, real

    def value(self, values, judge, tickets):
        real = get(values, self.real)
        return sum(F.l1_loss(get(values, f), real) for f in self.fakes) * self.weight


class ClassL1Loss(Loss):
    """Sum over classes of mean |I_k - real * M_k| (each mean over all B x 3 x H x W values)."""

    def __init__(self, weight, class_images, masks, real):
        self.weight, self.class_images, self.masks, self.real = weight, class_images, masks, real

    def value(self, values, judge, tickets):
        real = get(values, self.real)
        masks = get(values, self.masks)
        b, _, h, w = real.shape
        k = masks.shape[1]
        per_class = get(values, self.class_images).view(b, k, 3, h, w)
        masked = real.unsqueeze(1) * masks.unsqueeze(2)
        return (per_class - masked).abs().sum() / (b * h * w * 3) * self.weight


class ClassificationLoss(Loss):
    """Row k of the logits has target class k; CE weighted by the (detached) validity flags."""

    def __init__(self, weight, logits, valid):
        self.weight, self.logits, self.valid = weight, logits, valid

    def value(self, values, judge, tickets):
        logits = get(values, self.logits)
        k = logits.shape[1]
        log_p = torch.log_softmax(logits, dim=-1)
        ce = -log_p[:, torch.arange(k), torch.arange(k)]  # B x K
        flags = get(values, self.valid).detach()
        return (ce * flags).sum() / torch.clamp(flags.sum(), min=1e-12) * self.weight


class TvLoss(Loss):
    """Sums (not means) of absolute neighbour differences. `scale` multiplies it by the number of
    processes so that, averaged by DDP, it stays the sum over the global batch."""

    def __init__(self, weight, fakes, scale=1.0):
        self.weight, self.fakes, self.scale = weight, fakes, scale

    def value(self, values, judge, tickets):
        total = 0.0
        for f in self.fakes:
            x = get(values, f)
            total = total + (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().sum() + (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().sum()
        return total * self.weight * self.scale


VGG_LAYER_WEIGHTS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)
VGG_CONVS_PER_BLOCK = (2, 2, 4, 4, 4)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Vgg19Features(torch.nn.Module):
    """torchvision's vgg19().features up to relu5_1 (conv1_1 … conv5_1), weights from a user's
    safetensors file with torchvision names (features.<i>.weight / .bias); never trained."""

    def __init__(self, tensors):
        super().__init__()
        self.convs = []
        index = 0
        for block, count in enumerate(VGG_CONVS_PER_BLOCK):
            for i in range(count):
                if len(self.convs) < 13:
                    weight, bias = tensors.get(f'features.{index}.weight'), tensors.get(f'features.{index}.bias')
                    if weight is None or bias is None:
                        raise ValueError(f"VGG19 weights: 'features.{index}.weight' or '.bias' is missing (torchvision vgg19 names expected)")
                    self.register_buffer(f'w{index}', weight.float())
                    self.register_buffer(f'b{index}', bias.float())
                    self.convs.append((block, index))
                index += 2
            index += 1

    def forward(self, x):
        features, block = [], 0
        for i, (conv_block, index) in enumerate(self.convs):
            if conv_block != block:
                x = F.max_pool2d(x, 2, 2)
                block = conv_block
            x = F.relu(F.conv2d(x, getattr(self, f'w{index}'), getattr(self, f'b{index}'), padding=1))
            if i == 0 or self.convs[i - 1][0] != conv_block:
                features.append(x)
        return features


class PerceptualLoss(Loss):
    def __init__(self, weight, fakes, real, vgg, normalization):
        self.weight, self.fakes, self.real, self.vgg, self.normalization = weight, fakes, real, vgg, normalization

    def _input(self, x):
        if self.normalization != 'imagenet':
            return x
        mean = torch.tensor(IMAGENET_MEAN, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD, device=x.device).view(1, 3, 1, 1)
        return ((x + 1) / 2 - mean) / std

    def value(self, values, judge, tickets):
        real = [f.detach() for f in self.vgg(self._input(get(values, self.real)))]
        total = 0.0
        for ref in self.fakes:
            fake = self.vgg(self._input(get(values, ref)))
            total = total + sum(w * F.l1_loss(f, r) for w, f, r in zip(VGG_LAYER_WEIGHTS, fake, real))
        return total * self.weight


def phase_losses(losses, values, networks):
    """Every loss of one phase, by node id: discriminators run once for all of them."""
    from .graph import Judge

    judge = Judge()
    tickets = {name: loss.ask(values, judge) for name, loss in losses.items()}
    judge.run(networks)
    return {name: loss.value(values, judge, tickets[name]) for name, loss in losses.items()}
