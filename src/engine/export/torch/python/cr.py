"""Consistency Regularization: the EMA teacher, the two views, the consistency loss and the lambda schedule.

The student sees view A of every image and the teacher view B; the loss adds lambda(t) * consistency(teacher ||
student) over the labeled batch and a batch of unlabeled images (src/engine/cr/*, src/engine/augment/*).
"""
import copy
import math

import torch

from model import EVAL, TRAIN, build_model, mark_calibrated
from rng import Rng

EMA_WARMUP = 10


def ema_decay_at(t: int, decay: float) -> float:
    """a_t = min(a, (1+t)/(EMA_WARMUP+t)) for update number t (0-based): a short warm-up, so early on the teacher
    averages about the last (10+t)/9 iterates instead of lagging its student by half the run."""
    return min(decay, (1 + t) / (EMA_WARMUP + t))


def lambda_at(t: int, schedule: dict) -> float:
    """lambda(t) at step t (0-based); every ramp reaches lambda_max at t = T and stays there."""
    kind, top, ramp = schedule["kind"], schedule["max"], max(0, schedule["rampSteps"])
    if kind == "constant" or t >= ramp:
        return 0.0 if kind == "step" and t < ramp else top
    r = t / ramp
    if kind == "linear":
        return top * r
    if kind == "sigmoid":  # the mean-teacher ramp-up
        return top * math.exp(-5 * (1 - r) ** 2)
    if kind == "cosine":
        return top * 0.5 * (1 - math.cos(math.pi * r))
    return 0.0  # "step", before T


class EmaTeacher:
    """The mean teacher: theta_T <- a_t * theta_T + (1 - a_t) * theta_S after every optimizer step. Quantized like
    the student (its step sizes averaged too) or full precision. BatchNorm statistics: 'own' runs it in training mode
    with running averages of its own batches; 'copy' takes the student's after every update and runs it in eval mode.

    Under torchrun every rank holds the same student weights after each step (DistributedDataParallel averages
    the gradients), so every rank's update gives the same teacher: no communication is needed for it."""

    def __init__(self, student, cfg: dict, spec: dict):
        self.decay, self.bn_stats, self.updates = cfg["decay"], cfg["bnStats"], 0
        if cfg["quantized"]:
            self.model = copy.deepcopy(student)
        else:
            fp = {"wbits": 32, "abits": 32, "firstLastBits": 32, "perChannel": spec["quant"]["perChannel"]}
            self.model = build_model(spec["name"], spec["inputShape"], spec["numClasses"], fp).to(next(student.parameters()).device)
        for p in self.model.parameters():
            p.requires_grad_(False)
        mark_calibrated(self.model)
        students = dict(student.named_parameters())
        self.pairs = [(t, students[name]) for name, t in self.model.named_parameters()]
        student_buffers = dict(student.named_buffers())
        self.buffer_pairs = [(t, student_buffers[name]) for name, t in self.model.named_buffers()]
        self.copy_from_student()

    @property
    def mode(self):
        return EVAL if self.bn_stats == "copy" else TRAIN

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x, self.mode)

    @torch.no_grad()
    def copy_from_student(self):
        for t, s in self.pairs + self.buffer_pairs:
            t.copy_(s)

    @torch.no_grad()
    def update(self):
        a = ema_decay_at(self.updates, self.decay)
        self.updates += 1
        for t, s in self.pairs:
            t.copy_(t * a + s * (1 - a))
        if self.bn_stats == "copy":
            for t, s in self.buffer_pairs:
                t.copy_(s)


def consistency_per_image(teacher_logits: torch.Tensor, student_logits: torch.Tensor, kind: str, tau: float) -> torch.Tensor:
    """Per image: kl = tau^2 * KL(p_T || p_S) at temperature tau (the tau^2 keeps the gradient's size independent of
    tau); mse = sum_k (p_T - p_S)^2. The teacher's probabilities are targets: no gradient reaches them."""
    p_t = torch.softmax(teacher_logits.detach() / tau, 1)
    z_s = student_logits / tau
    if kind == "mse":
        return (p_t - torch.softmax(z_s, 1)).square().sum(1)
    kl = (p_t * (torch.log(p_t.clamp_min(1e-30)) - torch.log_softmax(z_s, 1))).sum(1)
    return kl * (tau * tau)


FLIP_SAFE = {"fashion-mnist", "cifar10", "cifar100"}  # classes that survive a left-right flip


def resolve_augment(cfg: dict, dataset_name: str) -> dict:
    flip = cfg["flip"]
    return {**cfg, "flip": dataset_name in FLIP_SAFE if flip == "auto" else bool(flip)}


class Views:
    """Random views of a batch (NCHW, normalised, so 0 is the mean colour), as the engine makes them: per image a
    shift of up to `translate` pixels with zero fill and a left-right flip, then a cut-out square, then Gaussian
    noise. The per-image choices come from the engine's generator for this purpose, so they are the engine's; the
    noise is drawn by torch from a seed that generator gives (the engine's tf.randomNormal values differ).

    Views are made for the global batch and cut per rank afterwards, so every rank draws alike."""

    def __init__(self, augment: dict, seed: int, purpose: str):
        self.cfg, self.rng = augment, Rng(seed, purpose)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        cfg, rng = self.cfg, self.rng
        n, _, h, w = x.shape
        if not (cfg["translate"] > 0 or cfg["flip"] or cfg["noise"] > 0 or cfg["cutout"] > 0):
            return x.clone()
        out = x
        if cfg["translate"] > 0 or cfg["flip"]:
            t = cfg["translate"]
            dx, dy, flip = [], [], []
            for _ in range(n):
                dx.append(rng.int(2 * t + 1) - t if t > 0 else 0)
                dy.append(rng.int(2 * t + 1) - t if t > 0 else 0)
                flip.append(bool(cfg["flip"]) and rng.uniform() < 0.5)
            out = shift_and_flip(out, torch.tensor(dx), torch.tensor(dy), torch.tensor(flip))
        if cfg["cutout"] > 0:
            size, half = cfg["cutout"], cfg["cutout"] // 2
            mask = torch.ones(n, 1, h, w)
            for i in range(n):
                cy, cx = rng.int(h), rng.int(w)
                mask[i, :, max(0, cy - half) : min(h, cy - half + size), max(0, cx - half) : min(w, cx - half + size)] = 0
            out = out * mask.to(out.device)
        if cfg["noise"] > 0:
            g = torch.Generator(device=out.device).manual_seed(rng.int32())
            out = out + torch.randn(out.shape, generator=g, device=out.device) * cfg["noise"]
        return out


def shift_and_flip(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """out[i, :, y, u] = x[i, :, y + dy_i, (w - 1 - u if flip_i else u) + dx_i], 0 outside the image."""
    n, _, h, w = x.shape
    dev = x.device
    dx, dy, flip = dx.to(dev), dy.to(dev), flip.to(dev)
    ys = torch.arange(h, device=dev)[None, :] + dy[:, None]
    us = torch.arange(w, device=dev)[None, :]
    xs = torch.where(flip[:, None], w - 1 - us, us) + dx[:, None]
    valid = ((ys >= 0) & (ys < h))[:, :, None] & ((xs >= 0) & (xs < w))[:, None, :]
    picked = x[torch.arange(n, device=dev)[:, None, None], :, ys.clamp(0, h - 1)[:, :, None], xs.clamp(0, w - 1)[:, None, :]]
    return picked.permute(0, 3, 1, 2) * valid[:, None]
