"""Dataset readers for the studio's layouts, with the official preprocessing (PIL: images bicubic,
label and instance ids nearest), and the batch -> input feeds step.

Every sample is a dict of fields, NCHW without the batch axis:
  labels     int64 1 x H x W class ids (num_classes = unknown / don't-care)
  instances  int64 1 x H x W instance ids (Cityscapes, generic with instances/)
  real       float32 3 x H x W in [-1, 1]
  aerial, ground_semantic, grey_labels, aerial_semantic, aerial_grey_labels: cross-view panels
"""
import hashlib
import os
import random

import torch

CROSS_VIEW_PANELS = ('aerial', 'real', 'aerial_semantic', 'ground_semantic', 'aerial_grey_labels', 'grey_labels')
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg')


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit('reading image datasets needs Pillow: pip install pillow (or apt-get install python3-pil)') from None
    return Image


def load_size(fine):
    """The official load/fine ratio 286/256, rounded as Python's int(x + .5)."""
    return int(fine * 286 / 256 + 0.5)


def _rng(seed, epoch, index):
    digest = hashlib.sha256(f'{seed}:{epoch}:{index}'.encode()).digest()
    return random.Random(int.from_bytes(digest[:8], 'little'))


def _image_tensor(img):
    import numpy as np

    a = np.asarray(img.convert('RGB'), dtype=np.float32) / 255.0
    return torch.from_numpy(a).permute(2, 0, 1).contiguous() * 2 - 1


def _id_tensor(img):
    import numpy as np

    return torch.from_numpy(np.asarray(img).astype(np.int64)).unsqueeze(0)


def preprocess(raw, resize, crop, flip, crop_offsets, rng):
    """raw: {field: PIL image}; resize/crop: (width, height) or None; ids are resized nearest."""
    Image = _pil()
    out = {}
    first = next(iter(raw.values()))
    size = resize or first.size
    c = crop or size
    span_x, span_y = size[0] - c[0], size[1] - c[1]
    if rng is None:
        x, y, flipped = span_x // 2, span_y // 2, False
    else:
        bound = (lambda s: max(0, s - 1)) if crop_offsets == 'pix2pix' else (lambda s: max(0, s))
        x, y = rng.randint(0, bound(span_x)), rng.randint(0, bound(span_y))
        flipped = flip and rng.random() > 0.5
    for name, img in raw.items():
        is_ids = name in ('labels', 'instances')
        if resize:
            img = img.resize(resize, Image.NEAREST if is_ids else Image.BICUBIC)
        img = img.crop((x, y, x + c[0], y + c[1]))
        if flipped:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        out[name] = _id_tensor(img) if is_ids else _image_tensor(img)
    return out


def convert_labels(ids, num_classes, shift, unknown, file):
    """Official id conventions: unknown (255) -> num_classes; ADE20K shifts by -1, 0 -> num_classes."""
    out = ids.clone()
    if shift:
        out = torch.where(ids == 0, torch.full_like(ids, num_classes), ids - 1)
    if unknown is not None:
        out = torch.where(ids == unknown, torch.full_like(ids, num_classes), out)
    worst = int(out.max()) if out.numel() else 0
    if worst > num_classes or int(out.min()) < 0:
        raise ValueError(f'{file}: label ids go up to {int(ids.max())}, beyond num_classes {num_classes}')
    return out


def _walk(root):
    files = []
    for folder, _, names in os.walk(root):
        files += [os.path.join(folder, n) for n in names]
    return sorted(files)


class PairedDataset(torch.utils.data.Dataset):
    """Image + label map (+ instance map) files, preprocessed to the graph's size."""

    def __init__(self, entries, num_classes, shift, unknown, resize, crop, flip, train, seed=0):
        if not entries:
            raise SystemExit('no samples found (check the dataset folder and layout)')
        self.entries, self.num_classes, self.shift, self.unknown = entries, num_classes, shift, unknown
        self.resize, self.crop, self.flip, self.train, self.seed, self.epoch = resize, crop, flip, train, seed, 0

    def __len__(self):
        return len(self.entries)

    def __getitem__(self, index):
        Image = _pil()
        image, label, instance = self.entries[index]
        raw = {'real': Image.open(image), 'labels': Image.open(label)}
        if instance:
            raw['instances'] = Image.open(instance)
        for name, img in raw.items():
            if img.size != raw['real'].size:
                raise ValueError(f'{label if name != "real" else image}: {name} is {img.size}, its image is {raw["real"].size}')
        rng = _rng(self.seed, self.epoch, index) if self.train else None
        sample = preprocess(raw, self.resize, self.crop, self.flip, 'spade', rng)
        sample['labels'] = convert_labels(sample['labels'], self.num_classes, self.shift, self.unknown, label)
        return sample


def cityscapes(root, split, size, num_classes=35, train=True, seed=0):
    """leftImg8bit/<split>/<city>/*_leftImg8bit.png with gtFine/<split>/<city>/*_gtFine_labelIds.png
    and *_gtFine_instanceIds.png; resized to the graph size ('fixed'), flipped in training."""
    entries = []
    for image in _walk(os.path.join(root, 'leftImg8bit', split)):
        if not image.endswith('_leftImg8bit.png'):
            continue
        key = '_'.join(os.path.basename(image).split('_')[:3])
        folder = os.path.dirname(image).replace(os.path.join(root, 'leftImg8bit'), os.path.join(root, 'gtFine'), 1)
        label = os.path.join(folder, f'{key}_gtFine_labelIds.png')
        instance = os.path.join(folder, f'{key}_gtFine_instanceIds.png')
        for f in (label, instance):
            if not os.path.exists(f):
                raise SystemExit(f'{image}: no partner file {f}')
        entries.append((image, label, instance))
    return PairedDataset(entries, num_classes, False, 255, size, None, train, train, seed)


def ade20k(root, split, size, num_classes=150, train=True, seed=0):
    """ADEChallengeData2016: *_<split>_*.jpg images and .png annotations paired by stem; training
    resizes to 286/256 of the size, crops at random and flips; evaluation resizes to the size."""
    tag = '_train_' if split == 'train' else '_val_'
    files = [f for f in _walk(root) if tag in os.path.basename(f)]
    labels = {os.path.splitext(os.path.basename(f))[0]: f for f in files if f.endswith('.png')}
    entries = []
    for image in (f for f in files if f.endswith('.jpg')):
        stem = os.path.splitext(os.path.basename(image))[0]
        if stem not in labels:
            raise SystemExit(f'{image}: no label map {stem}.png')
        entries.append((image, labels[stem], None))
    if train:
        return PairedDataset(entries, num_classes, True, 255, (load_size(size[0]), load_size(size[1])), size, True, True, seed)
    return PairedDataset(entries, num_classes, True, 255, size, None, False, False, seed)


def generic(root, size, num_classes, train=True, seed=0):
    """images/ and labels/ (and optionally instances/) paired by path below them without the extension."""
    def keyed(folder):
        base = os.path.join(root, folder)
        return {os.path.splitext(os.path.relpath(f, base))[0]: f for f in _walk(base) if f.lower().endswith(IMAGE_EXTENSIONS)}

    images, labels, instances = keyed('images'), keyed('labels'), keyed('instances')
    entries = []
    for key, image in sorted(images.items()):
        if key not in labels:
            raise SystemExit(f'{image}: no label map labels/{key}.png')
        if instances and key not in instances:
            raise SystemExit(f'{image}: instances/ exists, but it has no instances/{key}.png')
        entries.append((image, labels[key], instances.get(key)))
    return PairedDataset(entries, num_classes, False, 255, size, None, train, train, seed)


class CrossViewDataset(torch.utils.data.Dataset):
    """<root>/<split>/*: six panels side by side (A aerial, B ground, C, D colour semantics, E, F grey
    labels); each panel resized bicubic to loadSize, all cropped at one offset to fineSize, no flip."""

    def __init__(self, root, split, size, train=True, seed=0):
        self.files = [f for f in _walk(os.path.join(root, split)) if f.lower().endswith(IMAGE_EXTENSIONS)]
        if not self.files:
            raise SystemExit(f'no six-panel images under {os.path.join(root, split)}')
        self.size, self.train, self.seed, self.epoch = size, train, seed, 0

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        Image = _pil()
        strip = Image.open(self.files[index]).convert('RGB')
        w, h = strip.size
        if w % 6:
            raise ValueError(f'{self.files[index]} is {w}x{h}, not six panels side by side')
        p = w // 6
        raw = {name: strip.crop((i * p, 0, (i + 1) * p, h)) for i, name in enumerate(CROSS_VIEW_PANELS)}
        rng = _rng(self.seed, self.epoch, index) if self.train else None
        return preprocess(raw, (load_size(self.size[0]), load_size(self.size[1])), self.size, False, 'pix2pix', rng)


class SyntheticDataset(torch.utils.data.Dataset):
    """Seeded random samples with every field the graph reads: rectangles of random classes (and
    instances), images coloured by class plus noise, cross-view grey labels 10, 20, … For smoke
    tests and benchmarks; not the studio's synthetic street scenes."""

    def __init__(self, count, fields, size, num_classes, grey_classes=6, seed=0):
        self.count, self.fields, self.size, self.num_classes = count, fields, size, num_classes
        self.grey_classes, self.seed, self.epoch = grey_classes, seed, 0

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + index)
        w, h = self.size
        classes = max(1, self.num_classes)
        labels = torch.zeros(1, h, w, dtype=torch.int64)
        instances = torch.zeros(1, h, w, dtype=torch.int64)
        for i in range(6):
            x0, y0 = int(torch.randint(0, w, (1,), generator=g)), int(torch.randint(0, h, (1,), generator=g))
            x1, y1 = x0 + int(torch.randint(1, w // 2 + 2, (1,), generator=g)), y0 + int(torch.randint(1, h // 2 + 2, (1,), generator=g))
            labels[:, y0:y1, x0:x1] = int(torch.randint(0, classes, (1,), generator=g))
            instances[:, y0:y1, x0:x1] = i + 1
        palette = torch.rand(classes + 1, 3, generator=g) * 2 - 1
        image = palette[labels[0].clamp(max=classes)].permute(2, 0, 1) + 0.1 * torch.randn(3, h, w, generator=g)
        sample = {}
        for field in self.fields:
            if field == 'labels':
                sample[field] = labels
            elif field == 'instances':
                sample[field] = instances
            elif 'grey_labels' in field:
                grey = (10 * (labels % self.grey_classes + 1)).float() / 255 * 2 - 1
                sample[field] = grey.expand(3, h, w).clone()
            else:
                sample[field] = image.clamp(-1, 1) if field == 'real' else (torch.rand(3, h, w, generator=g) * 2 - 1)
        return sample


def feeds_from_batch(batch, plan):
    """Batch fields -> the tensor each input node is fed (the studio's feed plan): raw fields
    concatenated on channels, or for one-hot semantic inputs the one-hot of the ids (+ edges)."""
    from .nodes import instance_edges, semantic_one_hot

    feeds = {}
    for entry in plan:
        parts = [batch[f] for f in entry['fields']]
        if entry['encode'] == 'one-hot' and not torch.is_floating_point(parts[0]):
            x = semantic_one_hot(parts[0], entry['one_hot_channels'])
            if entry['instance_edge']:
                x = torch.cat([x, instance_edges(parts[1])], dim=1)
            feeds[entry['node']] = x
        else:
            feeds[entry['node']] = torch.cat(parts, dim=1)
    return feeds
