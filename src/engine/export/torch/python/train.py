"""Trains the exported run: LSQ quantization-aware training, with Consistency Regularization for lsq+cr.

    python3 train.py [--steps N] [--data DIR] [--weights FILE|none] [--save FILE]
    torchrun --nproc_per_node N train.py ...      (or: python3 -m torch.distributed.run ...)

config.json holds the run's settings (the engine's TrainConfig), export.json the dataset and the weights file.
One step, as the engine's (src/engine/train/session.ts, step.ts): the next labeled batch; on the first step, LSQ
calibration (activation steps and BatchNorm statistics from that batch; then the teacher starts as a copy of the
student); view A for the student; for lsq+cr with lambda(t) > 0, view B of the batch and an unlabeled batch (views
A and B) for the teacher; loss = CE + lambda(t) * consistency; SGD or Adam at the cosine learning rate; the EMA
teacher follows the student.

Under torchrun (DistributedDataParallel; gloo on CPU, nccl on GPU) N ranks train as one process with the whole
batch: every rank draws the same global batch, the same unlabeled picks and the same views (same seeds), and keeps
its 1/N slice; each rank's loss is its share of the global loss, scaled by N, so DDP's gradient average is the
gradient of the global loss even when the batch does not divide evenly; BatchNorm statistics are all-reduced
(model.BatchNorm.sync); the first batch calibrates on every rank in full. The teacher is updated on every rank from
identical student weights, so every rank holds the same teacher without exchanging it.
"""
import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Optional

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

import cr
import data
import model as models
from model import TRAIN, TRAIN_NO_STATS
from weights import checksum, read_safetensors, write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))


def cosine_lr(t: int, total: int, base: float, warmup: int = 0, min_factor: float = 0.0) -> float:
    """Learning rate at step t (0-based) of total: linear warm-up, then cosine decay to base * min_factor."""
    if warmup > 0 and t < warmup:
        return base * (t + 1) / warmup
    progress = min(1, (t - warmup) / max(1, total - warmup))
    low = base * min_factor
    return low + 0.5 * (base - low) * (1 + math.cos(math.pi * progress))


def make_optimizer(model, cfg: dict) -> torch.optim.Optimizer:
    """SGD with momentum in PyTorch's form, or Adam; L2 weight decay on dense and conv weights only."""
    opt = cfg["optimizer"]
    decayed = {id(p) for p in models.decayed_weights(model)}
    groups = [
        {"params": [p for p in model.parameters() if id(p) in decayed], "weight_decay": opt["weightDecay"]},
        {"params": [p for p in model.parameters() if id(p) not in decayed], "weight_decay": 0.0},
    ]
    if opt["name"] == "adam":
        return torch.optim.Adam(groups, lr=cfg["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["epsilon"])
    return torch.optim.SGD(groups, lr=cfg["lr"], momentum=opt["momentum"])


@dataclass
class Consistency:
    """The consistency term of a step: teacher logits as targets, weighted by lambda."""

    lam: float
    kind: str
    tau: float
    targets: torch.Tensor  # teacher logits for this rank's labeled images (view B)
    total: int  # labeled + unlabeled images of the global batch
    unlabeled: Optional[torch.Tensor] = None  # this rank's unlabeled images, view A (the student's)
    unlabeled_targets: Optional[torch.Tensor] = None  # the teacher's logits for them (view B)


def consistency_term(teacher, cr_cfg: dict, lam: float, x_b, batch: int, u_a=None, u_b=None, m: int = 0) -> Consistency:
    """The teacher's targets: its logits for view B of this rank's labeled and unlabeled images (the student sees
    view A of both). `batch` and `m` are the global labeled and unlabeled counts."""
    term = Consistency(lam, cr_cfg["consistency"], cr_cfg["temperature"], teacher(x_b), batch)
    if u_a is not None:
        term.unlabeled, term.unlabeled_targets, term.total = u_a, teacher(u_b), batch + m
    return term


def train_step(net, optimizer, steps, x, y, lr: float, batch: int, term: Optional[Consistency] = None, world: int = 1) -> dict:
    """One optimizer step on this rank's images. `batch` is the global labeled batch size; `net` is the student,
    wrapped in DistributedDataParallel under torchrun. Returns this rank's share of the loss and its parts, and
    the count of correct predictions."""
    logits = net(x, TRAIN)
    ce = F.cross_entropy(logits, y, reduction="sum") / batch
    cons = torch.zeros((), device=x.device)
    if term is not None:
        per_image = cr.consistency_per_image(term.targets, logits, term.kind, term.tau).sum()
        if term.unlabeled is not None:
            z_u = net(term.unlabeled, TRAIN_NO_STATS)
            per_image = per_image + cr.consistency_per_image(term.unlabeled_targets, z_u, term.kind, term.tau).sum()
        cons = per_image / term.total
    loss = ce + term.lam * cons if term is not None else ce
    optimizer.zero_grad(set_to_none=True)
    (loss * world).backward()
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()
    with torch.no_grad():
        for s in steps:
            s.clamp_(min=models.STEP_FLOOR)  # a zero or negative step has no meaning
    correct = (logits.argmax(1) == y).sum()
    return {"loss": loss.detach(), "ce": ce.detach(), "consistency": cons.detach(), "correct": correct}


# ----------------------------------------------------------------------------------------------------------------


class Ranks:
    """This process's place under torchrun (one rank, world 1, when started plainly)."""

    def __init__(self, device_flag: str):
        self.distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
        cuda = torch.cuda.is_available() and device_flag != "cpu"
        if self.distributed:
            dist.init_process_group("nccl" if cuda else "gloo")
        self.rank = dist.get_rank() if self.distributed else 0
        self.world = dist.get_world_size() if self.distributed else 1
        local = int(os.environ.get("LOCAL_RANK", 0))
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if cuda:
            torch.cuda.set_device(self.device)

    def part(self, n: int) -> slice:
        """This rank's contiguous slice of n items (sizes differ by at most one)."""
        lo, hi = n * self.rank // self.world, n * (self.rank + 1) // self.world
        return slice(lo, hi)

    def sum(self, t: torch.Tensor) -> torch.Tensor:
        if self.distributed:
            dist.all_reduce(t)
        return t

    def say(self, line: str):
        if self.rank == 0:
            print(line, flush=True)


@torch.no_grad()
def evaluate(student, teacher, images, labels, norm, ranks: Ranks, chunk: int = 500) -> dict:
    """Accuracy and mean cross-entropy in eval mode, each rank over its share; with a teacher also its accuracy and
    how often both predict the same class."""
    sums = torch.zeros(4, dtype=torch.float64, device=ranks.device)
    part = ranks.part(len(labels))
    for start in range(part.start, part.stop, chunk):
        stop = min(part.stop, start + chunk)
        x = data.normalize(images[start:stop], *norm).to(ranks.device)
        y = labels[start:stop].to(ranks.device)
        logits = student(x, models.EVAL)
        pred = logits.argmax(1)
        sums[0] += F.cross_entropy(logits, y, reduction="sum").double()
        sums[1] += (pred == y).sum()
        if teacher is not None:
            t_pred = teacher.model(x, models.EVAL).argmax(1)
            sums[2] += (t_pred == y).sum()
            sums[3] += (t_pred == pred).sum()
    s = (ranks.sum(sums) / max(1, len(labels))).tolist()
    out = {"accuracy": s[1], "loss": s[0]}
    if teacher is not None:
        out.update(teacher_accuracy=s[2], agreement=s[3])
    return out


def describe(split: str, step: int, r: dict) -> str:
    extra = f" teacher {r['teacher_accuracy']:.4f} agreement {r['agreement']:.4f}" if "teacher_accuracy" in r else ""
    return f"eval step {step} {split} accuracy {r['accuracy']:.4f} loss {r['loss']:.4f}{extra}"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train the exported QAT Playground run.")
    p.add_argument("--steps", type=int, help="optimizer steps (the run's length; default: the exported run's)")
    p.add_argument("--data", help="folder with the dataset's files (default: where they were at export)")
    p.add_argument("--weights", help="engine weights to start from (safetensors), or 'none' for the engine's seeded "
                   "initialisation computed here (default: the file the export wrote, if any)")
    p.add_argument("--save", help="write the trained student's weights here (safetensors, engine names and layouts)")
    p.add_argument("--rank-weights", help="every rank writes its student (and teacher) weights to DIR/rank<R>.safetensors")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--eval-every", type=int, help="test evaluation interval (0: at the end only; default: the run's)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with open(os.path.join(HERE, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(HERE, "export.json")) as f:
        exported = json.load(f)
    if args.steps is not None:
        cfg["steps"] = args.steps
    if args.eval_every is not None:
        cfg["evalEvery"] = args.eval_every
    ranks = Ranks(args.device)
    dev, seed, batch = ranks.device, cfg["seed"], cfg["batchSize"]
    if batch < ranks.world:
        raise SystemExit(f"train.py: a batch of {batch} cannot be shared by {ranks.world} ranks")

    where = exported["dataset"]
    ds = data.load_dataset(where["kind"], args.data or where["dir"], where["name"], where.get("numClasses"))
    norm = data.channel_stats(ds)
    split = data.split_train(ds.train_labels, ds.num_classes, cfg["labeled"], cfg["validation"], seed)
    sampler = data.BatchSampler(split["labeled"], seed, "labeled")
    pool = data.UnlabeledPool(split["unlabeled"], seed)
    augment = cr.resolve_augment(cfg["augment"], ds.name)
    view_a, view_b = cr.Views(augment, seed, "view-a"), cr.Views(augment, seed, "view-b")
    unlabeled_a, unlabeled_b = cr.Views(augment, seed, "unlabeled-view-a"), cr.Views(augment, seed, "unlabeled-view-b")

    spec = {"name": cfg["model"], "inputShape": ds.input_shape, "numClasses": ds.num_classes, "quant": cfg["quant"]}
    weights_file = args.weights or (exported.get("weights") or {}).get("file")
    calibrated = False
    if weights_file and weights_file != "none":
        path = weights_file if os.path.isabs(weights_file) or args.weights else os.path.join(HERE, weights_file)
        tensors, meta = read_safetensors(path)
        student = models.build_model(spec["name"], spec["inputShape"], spec["numClasses"], spec["quant"])
        models.load_engine_tensors(student, tensors, path)
        calibrated = meta.get("calibrated") == "true"
        if calibrated:
            models.mark_calibrated(student)
    else:
        student = models.build_model(spec["name"], spec["inputShape"], spec["numClasses"], spec["quant"], seed=seed)
    student.to(dev)
    net = DistributedDataParallel(student) if ranks.distributed else student
    optimizer = make_optimizer(student, cfg)
    steps = models.quantizer_steps(student)
    teacher = None

    def start_teacher():
        nonlocal teacher
        if cfg["method"] == "lsq+cr":
            teacher = cr.EmaTeacher(student, cfg["cr"]["teacher"], spec)
        for m in [student] + ([teacher.model] if teacher else []):
            for bn in m.modules():
                if isinstance(bn, models.BatchNorm):
                    bn.sync = ranks.distributed

    if calibrated:
        start_teacher()
    ranks.say(f"{cfg['model']} {cfg['method']} W{cfg['quant']['wbits']}A{cfg['quant']['abits']} on {ds.name}: "
              f"{len(split['labeled'])} labeled, {len(pool)} unlabeled, {cfg['steps']} steps of batch {batch}, "
              f"{ranks.world} rank(s) on {dev.type}")
    started = time.time()
    for t in range(cfg["steps"]):
        lr = cosine_lr(t, cfg["steps"], cfg["lr"], cfg["warmupSteps"])
        lam = cr.lambda_at(t, cfg["cr"]["lambda"]) if cfg["method"] == "lsq+cr" else 0.0
        idx = sampler.next(batch)
        x = data.normalize(ds.train_images[idx], *norm).to(dev)
        y = ds.train_labels[idx].to(dev)
        if not calibrated:
            models.calibrate(student, x)  # the whole first batch, on every rank
            if ranks.distributed:  # bit for bit the same everywhere, whatever the kernels did
                for tensor in student.state_dict().values():
                    dist.broadcast(tensor, 0)
            calibrated = True
            start_teacher()
        mine = ranks.part(batch)
        x_a = view_a(x)[mine]
        term = None
        # lambda(t) = 0 skips the teacher and the unlabeled batch (and their draws), as the engine does.
        if teacher is not None and lam != 0:
            m = math.floor(batch * cfg["cr"]["unlabeledRatio"] + 0.5)
            x_b = view_b(x)[mine]
            u_a = u_b = None
            if m > 0 and len(pool) > 0:
                u = data.normalize(ds.train_images[pool.sample(m)], *norm).to(dev)
                u_a, u_b = unlabeled_a(u)[ranks.part(m)], unlabeled_b(u)[ranks.part(m)]
            term = consistency_term(teacher, cfg["cr"], lam, x_b, batch, u_a, u_b, m)
        r = train_step(net, optimizer, steps, x_a, y[mine], lr, batch, term, ranks.world)
        if teacher is not None:
            teacher.update()
        parts = ranks.sum(torch.stack([r["loss"], r["ce"], r["consistency"], r["correct"].float()]))
        loss, ce, consistency, correct = parts.tolist()
        if not math.isfinite(loss):
            ranks.say(f"training diverged: the loss became NaN or infinite at step {t + 1}; try a smaller learning rate")
            return 1
        ranks.say(f"step {t + 1} loss {loss:.6f} ce {ce:.6f} consistency {consistency:.6f} lambda {lam:.4g} "
                  f"lr {lr:.4g} accuracy {correct / batch:.4f}")
        if cfg["evalEvery"] > 0 and (t + 1) % cfg["evalEvery"] == 0 and t + 1 < cfg["steps"]:
            n = cfg["evalSamples"] or len(ds.test_labels)
            ranks.say(describe("test", t + 1, evaluate(student, teacher, ds.test_images[:n], ds.test_labels[:n], norm, ranks)))
    ranks.say(f"trained {cfg['steps']} steps in {time.time() - started:.1f} s")
    ranks.say(describe("test", cfg["steps"], evaluate(student, teacher, ds.test_images, ds.test_labels, norm, ranks)))
    if split["validation"]:
        v = split["validation"]
        ranks.say(describe("validation", cfg["steps"], evaluate(student, None, ds.train_images[v], ds.train_labels[v], norm, ranks)))

    final = models.engine_tensors(student)
    if args.save and ranks.rank == 0:
        write_safetensors(args.save, final, {"format": "qat-playground-weights", "calibrated": "true", "steps": cfg["steps"]})
        print(f"wrote {args.save}", flush=True)
    if ranks.distributed or args.rank_weights:
        held = dict(final)
        if teacher is not None:
            held.update({f"teacher:{k}": v for k, v in models.engine_tensors(teacher.model).items()})
        if args.rank_weights:
            os.makedirs(args.rank_weights, exist_ok=True)
            write_safetensors(os.path.join(args.rank_weights, f"rank{ranks.rank}.safetensors"), held)
        print(f"rank {ranks.rank} weights sha256 {checksum(held)}", flush=True)
    if ranks.distributed:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (FileNotFoundError, ValueError) as e:  # missing data or weights, files of the wrong kind
        sys.exit(f"train.py: {e}")
