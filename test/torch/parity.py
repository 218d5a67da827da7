"""Parity driver for test/export-torch-parity.test.ts: runs the exported project's code on what the engine wrote.

    parity.py probe   PROJECT CASE_DIR   adjusts activation steps so that no quantizer input sits near a rounding
                                         boundary, checks ReLU and max-pool margins; writes adjusted.safetensors
    parity.py compare PROJECT CASE_DIR   one training step in PyTorch; compares with engine.safetensors/engine.json
    parity.py init    PROJECT CASE_DIR   the project's own initial weights and calibration vs the engine's
    parity.py data    PROJECT CASE_DIR   split, batches, unlabeled picks, views and schedules vs the engine's

CASE_DIR holds case.json, weights.safetensors (engine names and layouts) and inputs.safetensors (NHWC batches).
Prints one JSON object; exit 1 when a check fails.
"""
import copy
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

PROJECT, CASE = sys.argv[2], sys.argv[3]
sys.path.insert(0, PROJECT)
sys.dont_write_bytecode = True

import cr  # noqa: E402
import data  # noqa: E402
import model as M  # noqa: E402
import train  # noqa: E402
from weights import read_safetensors, write_safetensors  # noqa: E402

torch.set_num_threads(1)


def load_case():
    with open(os.path.join(CASE, "case.json")) as f:
        case = json.load(f)
    inputs, _ = read_safetensors(os.path.join(CASE, "inputs.safetensors"))
    nchw = {k: v.permute(0, 3, 1, 2).contiguous() for k, v in inputs.items() if v.dim() == 4}
    nchw["y"] = inputs["y"].long() if "y" in inputs else None
    return case, nchw


def build(case, weights_file, dtype=torch.float32):
    student = M.build_model(case["model"], case["inputShape"], case["numClasses"], case["quant"])
    tensors, _ = read_safetensors(os.path.join(CASE, weights_file))
    M.load_engine_tensors(student, tensors)
    M.mark_calibrated(student)
    return student.to(dtype)


def spec_of(case):
    return {"name": case["model"], "inputShape": case["inputShape"], "numClasses": case["numClasses"], "quant": case["quant"]}


# ----------------------------------------------------------------------------------------------------------------
# probe


def forwards(case, student, x):
    """Every forward pass of the step, on copies (running statistics untouched): the student's on view A of the
    labeled and unlabeled images, the teacher's (a copy of the student) on their views B."""
    s = copy.deepcopy(student)
    s(x["xA"], M.TRAIN)
    if case["method"] == "lsq+cr":
        s(x["uA"], M.TRAIN_NO_STATS)
        teacher = cr.EmaTeacher(s, case["teacher"], spec_of(case))
        teacher.model.to(x["xA"].dtype)
        teacher(x["xB"])
        teacher(x["uB"])


def record(case, student, x, dtype):
    """What float rounding could decide: {quantizer path: [v = x/s per forward]}, and in call order the inputs of
    every ReLU and the 2x2 windows of every max-pool."""
    quant, relus, pools = {}, [], []
    hooks = []

    def on_quant(path):
        def hook(mod, inputs, _out):
            if mod.step is not None:
                quant.setdefault(path, []).append((inputs[0] / mod.step).detach().flatten().double())
        return hook

    relu, max_pool2d = F.relu, F.max_pool2d

    def recording_relu(t, *a, **k):
        relus.append(t.detach().flatten().double())
        return relu(t, *a, **k)

    def recording_pool(t, *a, **k):
        n, c, h, w = t.shape
        win = t.detach().double()[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
        pools.append(win.permute(0, 1, 2, 4, 3, 5).reshape(-1, 4))
        return max_pool2d(t, *a, **k)

    # the teacher is a deep copy of the student: hooks attached to the student are copied along
    for path, mod in student.named_modules():
        if isinstance(mod, M.ActivationQuantizer):
            hooks.append(mod.register_forward_hook(on_quant(path)))
    F.relu, F.max_pool2d = recording_relu, recording_pool
    try:
        forwards(case, student, {k: v.to(dtype) for k, v in x.items() if v is not None and k != "y"})
    finally:
        F.relu, F.max_pool2d = relu, max_pool2d
        for h in hooks:
            h.remove()
    return quant, relus, pools


def boundary_distance(v, qp):
    """Distance of each v to where the quantizer's decisions change: half-integers inside [0, Qp], and Qp."""
    half = (v - torch.floor(v) - 0.5).abs()
    half = torch.where(v < qp, half, torch.full_like(v, math.inf))
    return torch.minimum(half, (v - qp).abs())


def probe():
    case, x = load_case()
    student = build(case, "weights.safetensors")
    quantizers = [(p, m) for p, m in student.named_modules() if isinstance(m, M.ActivationQuantizer) and m.step is not None]
    report = {"layers": {}}
    for path, mod in quantizers:  # forward order: each layer's choice leaves the layers before it alone
        base = mod.step.detach().clone()
        for k in range(400):
            f = 1 + 7e-4 * ((k + 1) // 2) * (1 if k % 2 else -1)
            with torch.no_grad():
                mod.step.copy_(base * f)
            q32, _, _ = record(case, student, x, torch.float32)
            q64, _, _ = record(case, student.double(), x, torch.float64)
            student.float()
            v32, v64 = torch.cat(q32[path]), torch.cat(q64[path])
            err = (v32 - v64).abs().max().item()
            margin = 20 * err + 1e-6
            dist = boundary_distance(v32, mod.qp).min().item()
            if dist > margin:
                report["layers"][path] = {"factor": f, "tries": k + 1, "distance": dist, "margin": margin, "f64_error": err, "values": v32.numel()}
                break
        else:
            raise SystemExit(json.dumps({"ok": False, "why": f"no step of {path} keeps its inputs off rounding boundaries"}))
    # ReLU gates and max-pool winners must not hang on float rounding either.
    _, p32, w32 = record(case, student, x, torch.float32)
    _, p64, w64 = record(case, student.double(), x, torch.float64)
    student.float()
    ok = True
    for i, (y32, y64) in enumerate(zip(p32, p64)):
        err = (y32 - y64).abs().max().item()
        # Exact zeros in both precisions are structural (inputs or quantized weights that are all zero): both
        # frameworks compute them exactly.
        exact = (y32 == 0) & (y64 == 0)
        closest = y32[~exact].abs().min().item() if (~exact).any() else math.inf
        report["layers"][f"relu {i}"] = {"closest_to_zero": closest, "f64_error": err}
        ok &= closest > 20 * err
    for i, (a32, a64) in enumerate(zip(w32, w64)):
        top32, top64 = a32.topk(2, dim=1).values, a64.topk(2, dim=1).values
        gap32, gap64 = top32[:, 0] - top32[:, 1], top64[:, 0] - top64[:, 1]
        # A window whose winner is not positive passes no gradient through the ReLU before it; winners equal in
        # both precisions are the same input seen twice, and both frameworks take the first maximum.
        live = (top32[:, 0] > 0) & ~((gap32 == 0) & (gap64 == 0))
        gap = gap32[live].min().item() if live.any() else math.inf
        err = (a32 - a64).abs().max().item()
        report["layers"][f"max-pool {i}"] = {"smallest_gap": gap, "f64_error": err}
        ok &= gap > 20 * err
    write_safetensors(os.path.join(CASE, "adjusted.safetensors"), M.engine_tensors(student), {"calibrated": "true"})
    report["ok"] = bool(ok)
    print(json.dumps(report))
    return 0


# ----------------------------------------------------------------------------------------------------------------
# compare


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max |b|: the difference relative to the tensor's scale."""
    scale = b.abs().max().item()
    d = (a.double() - b.double()).abs().max().item()
    return d / scale if scale > 0 else d


def kind_of(name: str) -> str:
    leaf = name.rpartition("/")[2]
    return {"w": "weight", "b": "bias", "gamma": "bn", "beta": "bn", "mean": "bn-stats", "var": "bn-stats"}.get(leaf, "step" if leaf.endswith(".step") else "?")


def track_step_terms() -> dict:
    """Wraps LsqFakeQuant to sum, per step parameter, the magnitudes |grad_scale * dy * ds_each| of what its step
    gradient adds up (by the parameter's id)."""
    forward, backward = M.LsqFakeQuant.forward, M.LsqFakeQuant.backward
    magnitudes = {}

    def tagged_forward(ctx, x, step, qn, qp, grad_scale):
        ctx.param = id(step._base if step._base is not None else step)
        return forward(ctx, x, step, qn, qp, grad_scale)

    def measured_backward(ctx, dy):
        (v,) = ctx.saved_tensors
        inside = (v >= -ctx.qn) & (v <= ctx.qp)
        each = torch.where(inside, torch.round(v) - v, torch.where(v < -ctx.qn, torch.full_like(v, -ctx.qn), torch.full_like(v, ctx.qp)))
        m = (dy * each).abs().sum_to_size(ctx.step_shape) * ctx.grad_scale
        magnitudes[ctx.param] = magnitudes.get(ctx.param, 0) + m.detach().flatten()
        return backward(ctx, dy)

    M.LsqFakeQuant.forward = staticmethod(tagged_forward)
    M.LsqFakeQuant.backward = staticmethod(measured_backward)
    return magnitudes


def compare():
    case, x = load_case()
    cfg = case["config"]
    student = build(case, "adjusted.safetensors")
    optimizer = train.make_optimizer(student, cfg)
    steps = M.quantizer_steps(student)
    term, teacher = None, None
    if case["method"] == "lsq+cr":
        teacher = cr.EmaTeacher(student, cfg["cr"]["teacher"], spec_of(case))
        term = train.consistency_term(teacher, cfg["cr"], case["lambda"], x["xB"], len(x["xA"]), x["uA"], x["uB"], len(x["uA"]))
    grads = {}
    magnitudes = track_step_terms()

    # the gradients as the optimizer gets them
    real_step = optimizer.step

    def spy(*a, **k):
        grads.update(M.engine_tensors(student, grads=True))
        return real_step(*a, **k)

    optimizer.step = spy
    r = train.train_step(student, optimizer, steps, x["xA"], x["y"], case["lr"], len(x["xA"]), term)
    if teacher is not None:
        teacher.update()
    with open(os.path.join(CASE, "engine.json")) as f:
        engine = json.load(f)
    ref, _ = read_safetensors(os.path.join(CASE, "engine.safetensors"))
    rows = {}

    def put(kind, name, a, b):
        d = rel(a, b)
        rows.setdefault(kind, {"max": 0.0, "worst": None, "tensors": 0})
        row = rows[kind]
        row["tensors"] += 1
        if d >= row["max"]:
            row["max"], row["worst"] = d, name

    for key in ("loss", "ce", "consistency"):
        put("loss" if key == "loss" else f"loss:{key}", key, torch.tensor(r[key].item()), torch.tensor(engine[key]))
    ids = {id(t): name for name, (t, _) in M.engine_named(student).items()}
    terms = {ids[k]: v for k, v in magnitudes.items()}
    for name, g in grads.items():
        if kind_of(name) == "step":
            # A step gradient sums dy * (round(v) - v) over a whole tensor, terms of both signs: judged against the
            # size of what it sums (float noise in each term adds up to that scale, not to the sum's).
            b = ref[f"grad:{name}"]
            scale = torch.maximum(b.abs().max().double(), terms[name].flatten().double())
            d = ((g.double() - b.double()).abs().flatten() / scale).max().item()
            rows.setdefault("grad:step", {"max": 0.0, "worst": None, "tensors": 0})
            rows["grad:step"]["tensors"] += 1
            if d >= rows["grad:step"]["max"]:
                rows["grad:step"]["max"], rows["grad:step"]["worst"] = d, name
            put("info:grad:step relative to its own size", name, g, b)
        else:
            put(f"grad:{kind_of(name)}", name, g, ref[f"grad:{name}"])
    for name, t in M.engine_tensors(student).items():
        put("updated:bn-stats" if kind_of(name) == "bn-stats" else "updated:param", name, t, ref[f"after:{name}"])
    if teacher is not None:
        for name, t in M.engine_tensors(teacher.model).items():
            put("teacher:bn-stats" if kind_of(name) == "bn-stats" else "teacher:param", name, t, ref[f"teacher:{name}"])
    missing = sorted(k[5:] for k in ref if k.startswith("grad:") and k[5:] not in grads)
    worst = max(v["max"] for k, v in rows.items() if not k.startswith("info:"))
    print(json.dumps({"ok": worst < case["tolerance"] and not missing and r["correct"].item() == engine["correct"], "maxRelative": worst,
                      "kinds": rows, "missingGrads": missing, "correct": [r["correct"].item(), engine["correct"]]}))
    return 0


# ----------------------------------------------------------------------------------------------------------------
# init and calibration; data pipeline


def init_check():
    case, x = load_case()
    mine = M.build_model(case["model"], case["inputShape"], case["numClasses"], case["quant"], seed=case["seed"])
    ref, _ = read_safetensors(os.path.join(CASE, "init.safetensors"))
    rows = {name: rel(t, ref[name]) for name, t in M.engine_tensors(mine).items()}
    M.calibrate(mine, x["x"])
    cal, _ = read_safetensors(os.path.join(CASE, "calibrated.safetensors"))
    cal_rows = {name: rel(t, cal[name]) for name, t in M.engine_tensors(mine).items()}
    worst = max(max(rows.values()), max(cal_rows.values()))
    print(json.dumps({"ok": worst < 1e-5, "init": max(rows.values()), "calibrated": max(cal_rows.values()),
                      "worst": max(cal_rows, key=cal_rows.get)}))
    return 0


def data_check():
    with open(os.path.join(CASE, "case.json")) as f:
        case = json.load(f)
    ds = data.load_dataset("idx", case["dir"], case["name"])
    split = data.split_train(ds.train_labels, ds.num_classes, case["labeled"], case["validation"], case["seed"])
    got = {k: split[k] for k in ("labeled", "validation", "unlabeled")}
    sampler = data.BatchSampler(split["labeled"], case["seed"], "labeled")
    got["batches"] = [sampler.next(case["batch"]) for _ in range(case["batches"])]
    mean, std = data.channel_stats(ds)
    x = data.normalize(ds.train_images[got["batches"][0]], mean, std)
    inputs, _ = read_safetensors(os.path.join(CASE, "views.safetensors"))
    checks = {k: got[k] == case["expect"][k] for k in got}
    checks["batch"] = rel(x, inputs["x"].permute(0, 3, 1, 2)) == 0
    pool = data.UnlabeledPool(split["unlabeled"], case["seed"])
    for i in range(case["batches"]):
        u = data.normalize(ds.train_images[pool.sample(case["batch"])], mean, std)
        checks[f"unlabeled batch {i}"] = rel(u, inputs[f"u{i}"].permute(0, 3, 1, 2)) == 0
    for name, aug in case["views"].items():
        view = cr.Views(cr.resolve_augment(aug, case["name"]), case["seed"], "view-a")
        checks[f"view {name}"] = rel(view(x), inputs[name].permute(0, 3, 1, 2)) == 0
    s = case["schedules"]
    checks["cosine_lr"] = all(abs(train.cosine_lr(t, s["steps"], s["lr"], s["warmup"]) - v) < 1e-15 for t, v in enumerate(s["lr_values"]))
    checks["lambda_at"] = all(abs(cr.lambda_at(t, lam) - v) < 1e-15 for lam, values in s["lambda_values"] for t, v in enumerate(values))
    checks["ema_decay_at"] = all(abs(cr.ema_decay_at(t, s["decay"]) - v) < 1e-15 for t, v in enumerate(s["ema_values"]))
    c = case["cifar"]
    c10 = data.load_dataset("cifar10", c["dir"], "cifar10")
    batch, _ = read_safetensors(os.path.join(c["dir"], "batch.safetensors"))
    x10 = data.normalize(c10.train_images[c["indices"]], *data.channel_stats(c10))
    checks["cifar10 batch"] = rel(x10, batch["x"].permute(0, 3, 1, 2)) == 0 and c10.train_labels[c["indices"]].tolist() == batch["y"].long().tolist()
    checks["cifar10 counts"] = (len(c10.train_labels), len(c10.test_labels), c10.num_classes) == (15, 2, 10)
    print(json.dumps({"ok": all(checks.values()), "checks": checks}))
    return 0


if __name__ == "__main__":
    sys.exit({"probe": probe, "compare": compare, "init": init_check, "data": data_check}[sys.argv[1]]())
