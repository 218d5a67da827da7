"""The run's data, as the engine prepares it: Fashion-MNIST / MNIST-format IDX files (gzipped or not) or CIFAR
binary batches; normalisation by the training split's per-channel mean and std; a stratified labeled subset with
the rest of the training split as the unlabeled pool; seeded batches (src/engine/data/*).

Images are kept as uint8 NHWC tensors on the CPU, as the files hold them; `batch` normalises and returns NCHW float32.
"""
import gzip
import math
import os
import struct
from dataclasses import dataclass

import torch

from rng import Rng

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
CIFAR_FILES = {
    "cifar10": ([f"data_batch_{i}.bin" for i in range(1, 6)], ["test_batch.bin"], 1, 10),
    "cifar100": (["train.bin"], ["test.bin"], 2, 100),  # coarse and fine label bytes; the fine label is used
}


@dataclass
class Dataset:
    name: str
    train_images: torch.Tensor  # uint8 [N, H, W, C]
    train_labels: torch.Tensor  # int64 [N]
    test_images: torch.Tensor
    test_labels: torch.Tensor
    num_classes: int

    @property
    def input_shape(self):
        return tuple(self.train_images.shape[1:])  # (H, W, C)


def load_dataset(kind: str, directory: str, name: str, num_classes=None) -> Dataset:
    """kind: 'idx' (four MNIST-format files, e.g. Fashion-MNIST) or 'cifar10' / 'cifar100' (binary batches)."""
    if kind == "idx":
        parts = [read_idx(directory, IDX_FILES[k]) for k in ("train_images", "train_labels", "test_images", "test_labels")]
        train_images, train_labels, test_images, test_labels = parts
        if train_images.dim() == 3:
            train_images, test_images = train_images.unsqueeze(3), test_images.unsqueeze(3)
        classes = num_classes or int(train_labels.max()) + 1
    elif kind in CIFAR_FILES:
        train_files, test_files, label_bytes, classes = CIFAR_FILES[kind]
        train_images, train_labels = read_cifar(directory, train_files, label_bytes)
        test_images, test_labels = read_cifar(directory, test_files, label_bytes)
    else:
        raise ValueError(f"unknown dataset kind {kind!r}")
    return Dataset(name, train_images, train_labels.long(), test_images, test_labels.long(), classes)


def read_idx(directory: str, gz_name: str) -> torch.Tensor:
    """An IDX file (uint8 data), gzipped or not: the .gz name or the plain one, whichever is there."""
    path = os.path.join(directory, gz_name)
    if not os.path.exists(path) and os.path.exists(path[: -len(".gz")]):
        path = path[: -len(".gz")]
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = raw[3]
    shape = struct.unpack(f">{dims}I", raw[4 : 4 + 4 * dims])
    data = raw[4 + 4 * dims :]
    if len(data) != math.prod(shape):
        raise ValueError(f"{path}: the header promises {math.prod(shape)} bytes of data, the file has {len(data)}")
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(*shape)


def read_cifar(directory: str, files: list, label_bytes: int) -> tuple:
    """CIFAR binary batches: per record the label byte(s), then 3 planes of 32x32 (R, G, B). Returns NHWC."""
    images, labels = [], []
    for name in files:
        with open(os.path.join(directory, name), "rb") as f:
            raw = f.read()
        record = label_bytes + 3072
        if len(raw) % record:
            raise ValueError(f"{name}: {len(raw)} bytes is not a whole number of {record}-byte records")
        t = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(-1, record)
        labels.append(t[:, label_bytes - 1])
        images.append(t[:, label_bytes:].view(-1, 3, 32, 32).permute(0, 2, 3, 1))
    return torch.cat(images).contiguous(), torch.cat(labels)


# ----------------------------------------------------------------------------------------------------------------
# Normalisation


def channel_stats(ds: Dataset) -> tuple:
    """Per-channel mean and std of the training pixels in [0, 1], as float32 (computed as the engine does)."""
    px = ds.train_images.reshape(-1, ds.train_images.shape[-1]).double() / 255
    n = px.shape[0]
    mean = (px.sum(0) / n).float()
    var = (px.square().sum(0) / n - mean.double().square()).clamp_min(1e-12)
    return mean, var.sqrt().float()


def normalize(images: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC -> normalised float32 NCHW: pixel * (1/(255 std)) - mean/std, float32 constants, as the engine."""
    scale = (1 / (255 * std.double())).float().double()
    shift = (mean.double() / std.double()).float().double()
    return (images.double() * scale - shift).float().permute(0, 3, 1, 2).contiguous()


# ----------------------------------------------------------------------------------------------------------------
# The split of the training images, and the batches (the engine's generators, draw for draw)


def stratified_quota(available: list, count: int, rng: Rng) -> list:
    """As equal as possible per class, capped by what each class has; the remainder goes one each to classes in a
    seeded order."""
    quota = [0] * len(available)
    order = rng.shuffle(list(range(len(available))))
    remaining = count
    while remaining > 0:
        open_classes = [c for c in order if quota[c] < available[c]]
        share = remaining // len(open_classes)
        if share == 0:
            for c in open_classes[:remaining]:
                quota[c] += 1
            break
        for c in open_classes:
            add = min(share, available[c] - quota[c])
            quota[c] += add
            remaining -= add
    return quota


def split_train(labels: torch.Tensor, num_classes: int, labeled: int, validation: int, seed: int) -> dict:
    """Validation (held out first), labeled (stratified) and unlabeled (the rest) indices of the training split."""
    n = len(labels)
    if not 0 <= validation < n or not 1 <= labeled <= n - validation:
        raise ValueError(f"{labeled} labeled + {validation} validation images do not fit in {n} training images")
    by_class = [[] for _ in range(num_classes)]
    for i, label in enumerate(labels.tolist()):
        by_class[label].append(i)
    rng = Rng(seed, "split")
    for members in by_class:
        rng.shuffle(members)
    cursor = [0] * num_classes

    def take(count):
        quota = stratified_quota([len(m) - cursor[c] for c, m in enumerate(by_class)], count, rng)
        out = []
        for c, q in enumerate(quota):
            out += by_class[c][cursor[c] : cursor[c] + q]
            cursor[c] += q
        return rng.shuffle(out)

    held_out = take(validation)
    chosen = take(labeled)
    rest = [i for c, m in enumerate(by_class) for i in m[cursor[c] :]]
    return {"validation": held_out, "labeled": chosen, "unlabeled": rng.shuffle(rest)}


class BatchSampler:
    """Endless seeded batches over a fixed index list, reshuffled every epoch; batches may cross epoch borders."""

    def __init__(self, indices: list, seed: int, purpose: str):
        if not indices:
            raise ValueError(f"no images to draw {purpose} batches from")
        self.rng = Rng(seed, f"sampler:{purpose}")
        self.order = self.rng.shuffle(list(indices))
        self.pos = 0

    def next(self, size: int) -> list:
        out = []
        for _ in range(size):
            if self.pos == len(self.order):
                self.rng.shuffle(self.order)
                self.pos = 0
            out.append(self.order[self.pos])
            self.pos += 1
        return out


class UnlabeledPool:
    """Uniform draws with replacement from the unlabeled remainder of the training split."""

    def __init__(self, indices: list, seed: int):
        self.indices, self.rng = indices, Rng(seed, "unlabeled")

    def __len__(self):
        return len(self.indices)

    def sample(self, n: int) -> list:
        return [self.indices[self.rng.int(len(self.indices))] for _ in range(n)]
