"""The engine's networks in PyTorch: LSQ fake quantization, quantized layers and the five models.

Layouts are PyTorch's: NCHW images, Linear weights [out, in], conv weights [out, in, kh, kw]. The engine's are
NHWC, [in, out] and [kh, kw, in, out]; `engine_tensors` and `load_engine_tensors` convert, by the engine's tensor
names ("fc1/w", "fc1/w.step", "bn1/mean"), so weight files move between the page and this project both ways.
Where the layout would change the arithmetic (flattening before a dense layer, 'same' padding of strided
convolutions), the engine's order is kept.
"""
import math
from typing import NamedTuple

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from rng import Rng

FULL_PRECISION = 32
STEP_FLOOR = 1e-6  # the optimizer keeps step sizes at least this large


class Pass(NamedTuple):
    """What one forward pass does (the engine's ForwardContext)."""

    training: bool  # BatchNorm normalises with the batch's own statistics...
    update_stats: bool  # ...and moves its running averages
    calibrate: bool = False  # LSQ: activation steps start from this batch (the first one only)


TRAIN = Pass(True, True)
EVAL = Pass(False, False)
CALIBRATE = Pass(True, False, True)
TRAIN_NO_STATS = Pass(True, False)  # the unlabeled batch: batch statistics, running averages left alone


# ----------------------------------------------------------------------------------------------------------------
# LSQ (Esser et al. 2020, "Learned Step Size Quantization")


def quant_range(bits: int, signed: bool) -> tuple:
    """(Qn, Qp): signed [-2^(b-1), 2^(b-1)-1], unsigned [0, 2^b-1]."""
    return (2 ** (bits - 1), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)


class LsqFakeQuant(torch.autograd.Function):
    """round(clip(x/s, -Qn, Qp)) * s, with LSQ's gradients:
    dx = dy where -Qn <= x/s <= Qp (the straight-through estimator), 0 outside;
    ds = grad_scale * sum(dy * (round(x/s) - x/s inside, -Qn below, Qp above)), summed to the step's shape.
    torch.round rounds half to even, as TF.js does."""

    @staticmethod
    def forward(ctx, x, step, qn, qp, grad_scale):
        v = x / step
        ctx.save_for_backward(v)
        ctx.qn, ctx.qp, ctx.grad_scale, ctx.step_shape = qn, qp, grad_scale, step.shape
        return torch.round(v.clamp(-qn, qp)) * step

    @staticmethod
    def backward(ctx, dy):
        (v,) = ctx.saved_tensors
        qn, qp = ctx.qn, ctx.qp
        below, above = v < -qn, v > qp
        inside = ~(below | above)
        dx = dy * inside
        bound = torch.where(below, torch.full_like(v, -qn), torch.full_like(v, qp))
        ds = (dy * torch.where(inside, torch.round(v) - v, bound)).sum_to_size(ctx.step_shape) * ctx.grad_scale
        return dx, ds, None, None, None


def lsq_initial_step(v: torch.Tensor, bits: int, signed: bool, per_channel: bool = False) -> torch.Tensor:
    """The paper's 2*mean|v|/sqrt(Qp), per tensor or per output channel (dim 0), never below 1e-8."""
    _, qp = quant_range(bits, signed)
    abs_mean = v.abs().flatten(1).mean(1) if per_channel else v.abs().mean()
    return (abs_mean * (2 / math.sqrt(qp))).clamp_min(1e-8)


class WeightQuantizer(nn.Module):
    """Signed LSQ on a weight tensor, one step per tensor or per output channel. Gradient scale 1/sqrt(N*Qp),
    N the weights one step quantizes (the tensor, or one output channel)."""

    def __init__(self, weight_shape: tuple, bits: int, per_channel: bool):
        super().__init__()
        self.bits, self.per_channel = bits, per_channel
        if bits >= FULL_PRECISION:
            self.register_parameter("step", None)
            return
        self.qn, self.qp = quant_range(bits, True)
        n = math.prod(weight_shape)
        self.grad_scale = 1 / math.sqrt((n // weight_shape[0] if per_channel else n) * self.qp)
        self.step = nn.Parameter(torch.ones(weight_shape[0]) if per_channel else torch.tensor(1.0))

    @torch.no_grad()
    def init_step(self, weight: torch.Tensor):
        if self.step is not None:
            self.step.copy_(lsq_initial_step(weight, self.bits, True, self.per_channel))

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        if self.step is None:
            return w
        step = self.step.view(-1, *[1] * (w.dim() - 1)) if self.per_channel else self.step
        return LsqFakeQuant.apply(w, step, self.qn, self.qp, self.grad_scale)


class ActivationQuantizer(nn.Module):
    """Unsigned LSQ on activations that follow a ReLU. The step starts from the first batch (calibration).
    Gradient scale 1/sqrt(N_F*Qp), N_F the features of one sample, whatever the batch size."""

    def __init__(self, bits: int):
        super().__init__()
        self.bits = bits
        self.calibrated = False
        if bits >= FULL_PRECISION:
            self.register_parameter("step", None)
            return
        self.qn, self.qp = quant_range(bits, False)
        self.step = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor, mode: Pass) -> torch.Tensor:
        if self.step is None:
            return x
        if mode.calibrate and not self.calibrated:
            with torch.no_grad():
                self.step.copy_(lsq_initial_step(x, self.bits, False))
            self.calibrated = True
        grad_scale = 1 / math.sqrt(x[0].numel() * self.qp)
        return LsqFakeQuant.apply(x, self.step, self.qn, self.qp, grad_scale)


# ----------------------------------------------------------------------------------------------------------------
# Layers


class QLinear(nn.Module):
    """Dense layer with an LSQ-quantized weight and, unless abits is None (raw pixels), a quantized input."""

    def __init__(self, inputs: int, units: int, wbits: int, abits, per_channel: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(units, inputs))
        self.bias = nn.Parameter(torch.zeros(units))
        self.wq = WeightQuantizer((units, inputs), wbits, per_channel)
        self.aq = ActivationQuantizer(abits) if abits is not None else None

    def forward(self, x: torch.Tensor, mode: Pass) -> torch.Tensor:
        if self.aq is not None:
            x = self.aq(x, mode)
        return F.linear(x, self.wq(self.weight), self.bias)


def same_padding(size: int, kernel: int, stride: int) -> tuple:
    """TensorFlow's 'same' padding (before, after): an odd total goes after, unlike PyTorch's symmetric padding."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class QConv2d(nn.Module):
    """k x k convolution, 'same' padding, no bias (a BatchNorm follows), quantized weight and input."""

    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int, wbits: int, abits, per_channel: bool):
        super().__init__()
        self.stride = stride
        self.weight = nn.Parameter(torch.zeros(outputs, inputs, kernel, kernel))
        self.wq = WeightQuantizer((outputs, inputs, kernel, kernel), wbits, per_channel)
        self.aq = ActivationQuantizer(abits) if abits is not None else None

    def forward(self, x: torch.Tensor, mode: Pass) -> torch.Tensor:
        if self.aq is not None:
            x = self.aq(x, mode)
        k = self.weight.shape[-1]
        top, bottom = same_padding(x.shape[2], k, self.stride)
        left, right = same_padding(x.shape[3], k, self.stride)
        if (top, left) != (bottom, right):
            x, top, left = F.pad(x, (left, right, top, bottom)), 0, 0
        return F.conv2d(x, self.wq(self.weight), stride=self.stride, padding=(top, left))


class BatchNorm(nn.Module):
    """BatchNorm over the channels, in PyTorch's convention: running <- (1-m)*running + m*batch with the unbiased
    variance, the biased one to normalise, m = 0.1, eps = 1e-5. LSQ's calibration batch sets the running averages
    (m = 1), so eval mode and a teacher that copies them are sensible from the first step.

    With `sync` (train.py sets it under torchrun) the batch statistics are the global batch's: sums are
    all-reduced across ranks, differentiably, as SyncBatchNorm does, so N ranks normalise like one process."""

    def __init__(self, channels: int, momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.momentum, self.eps, self.sync = momentum, eps, False
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def batch_moments(self, x: torch.Tensor) -> tuple:
        dims = (0, 2, 3)
        if not (self.sync and dist.is_initialized() and dist.get_world_size() > 1):
            mean = x.mean(dims)
            return mean, (x - mean.view(1, -1, 1, 1)).square().mean(dims), x.numel() // x.shape[1]
        from torch.distributed.nn.functional import all_reduce  # differentiable

        count = torch.tensor(float(x.numel() // x.shape[1]), device=x.device)
        dist.all_reduce(count)
        mean = all_reduce(x.sum(dims)) / count
        var = all_reduce((x - mean.view(1, -1, 1, 1)).square().sum(dims)) / count
        return mean, var, int(count.item())

    def forward(self, x: torch.Tensor, mode: Pass) -> torch.Tensor:
        if mode.training:
            mean, var, n = self.batch_moments(x)
            if mode.calibrate or mode.update_stats:
                m = 1.0 if mode.calibrate else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_(self.running_mean * (1 - m) + mean * m)
                    self.running_var.copy_(self.running_var * (1 - m) + var * (n / max(n - 1, 1)) * m)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps) * self.weight
        return (x - mean.view(1, -1, 1, 1)) * scale.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


def flatten_hwc(x: torch.Tensor) -> torch.Tensor:
    """Flattens NCHW in the engine's NHWC order, so a dense layer's weight rows mean the same pixels."""
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


# ----------------------------------------------------------------------------------------------------------------
# Models. Each takes NCHW images, normalised, and returns logits; `mode` defaults to TRAIN or EVAL by .train()/.eval().


class Model(nn.Module):
    def mode_of(self, mode):
        return mode if mode is not None else (TRAIN if self.training else EVAL)


class Mlp(Model):
    """input -> hidden... -> classes, ReLU between; first and last layer at their own bit width."""

    def __init__(self, input_shape, num_classes, quant, hidden=(256, 256)):
        super().__init__()
        h, w, c = input_shape
        widths = [h * w * c, *hidden, num_classes]
        self.depth = len(widths) - 1
        last = self.depth - 1
        for i in range(self.depth):
            wbits = quant["firstLastBits"] if i in (0, last) else quant["wbits"]
            abits = None if i == 0 else quant["firstLastBits"] if i == last else quant["abits"]
            self.add_module(f"fc{i + 1}", QLinear(widths[i], widths[i + 1], wbits, abits, quant["perChannel"]))

    def forward(self, x, mode=None):
        mode = self.mode_of(mode)
        h = flatten_hwc(x)
        for i in range(self.depth):
            h = getattr(self, f"fc{i + 1}")(h, mode)
            if i < self.depth - 1:
                h = F.relu(h)
        return h


class ConvBnStack(Model):
    """3x3 convolutions with BatchNorm and ReLU; the first sees raw pixels (first/last-layer bits, input not
    quantized)."""

    def __init__(self, channels, quant):
        super().__init__()
        self.layers = len(channels) - 1
        for i in range(self.layers):
            first = i == 0
            wbits = quant["firstLastBits"] if first else quant["wbits"]
            abits = None if first else quant["abits"]
            self.add_module(f"conv{i + 1}", QConv2d(channels[i], channels[i + 1], 3, 1, wbits, abits, quant["perChannel"]))
            self.add_module(f"bn{i + 1}", BatchNorm(channels[i + 1]))

    def block(self, i, h, mode):
        return F.relu(getattr(self, f"bn{i + 1}")(getattr(self, f"conv{i + 1}")(h, mode), mode))


class CnnTiny(ConvBnStack):
    """The classroom CNN: convolutions of 16, 32, 64 channels, 2x2 max-pooling after the first two, global average
    pooling and a dense head."""

    def __init__(self, input_shape, num_classes, quant):
        super().__init__([input_shape[2], 16, 32, 64], quant)
        fl = quant["firstLastBits"]
        self.fc = QLinear(64, num_classes, fl, fl, quant["perChannel"])

    def forward(self, x, mode=None):
        mode = self.mode_of(mode)
        h = x
        for i in range(3):
            h = self.block(i, h, mode)
            if i < 2:
                h = F.max_pool2d(h, 2)
        return self.fc(h.mean((2, 3)), mode)


class CnnSmall(ConvBnStack):
    """Convolutions of 32, 64, 64 channels, 2x2 max-pooling after the second and third, a dense head."""

    def __init__(self, input_shape, num_classes, quant):
        super().__init__([input_shape[2], 32, 64, 64], quant)
        h, w, _ = input_shape
        fl = quant["firstLastBits"]
        self.fc = QLinear((h // 2 // 2) * (w // 2 // 2) * 64, num_classes, fl, fl, quant["perChannel"])

    def forward(self, x, mode=None):
        mode = self.mode_of(mode)
        h = x
        for i in range(3):
            h = self.block(i, h, mode)
            if i > 0:
                h = F.max_pool2d(h, 2)
        return self.fc(flatten_hwc(h), mode)


class BasicBlock(nn.Module):
    """Two 3x3 quantized convolutions with BatchNorm; a quantized 1x1 convolution + BatchNorm shortcut where the
    shape changes. The block's input is quantized once and feeds both paths; the identity path stays full precision."""

    def __init__(self, inputs, outputs, stride, quant):
        super().__init__()
        wbits, abits, pc = quant["wbits"], quant["abits"], quant["perChannel"]
        self.aq = ActivationQuantizer(abits)
        self.conv1 = QConv2d(inputs, outputs, 3, stride, wbits, None, pc)
        self.bn1 = BatchNorm(outputs)
        self.conv2 = QConv2d(outputs, outputs, 3, 1, wbits, abits, pc)
        self.bn2 = BatchNorm(outputs)
        self.shortcut = stride != 1 or inputs != outputs
        if self.shortcut:
            self.down = QConv2d(inputs, outputs, 1, stride, wbits, None, pc)
            self.down_bn = BatchNorm(outputs)

    def forward(self, x, mode):
        xq = self.aq(x, mode)
        h = F.relu(self.bn1(self.conv1(xq, mode), mode))
        h = self.bn2(self.conv2(h, mode), mode)
        skip = self.down_bn(self.down(xq, mode), mode) if self.shortcut else x
        return F.relu(h + skip)


class Resnet20(Model):
    """CIFAR-style ResNet-20 (He et al. 2016): 3 stages x 3 basic blocks, 16/32/64 channels, global average pool."""

    def __init__(self, input_shape, num_classes, quant):
        super().__init__()
        fl, pc = quant["firstLastBits"], quant["perChannel"]
        self.stem = QConv2d(input_shape[2], 16, 3, 1, fl, None, pc)
        self.stem_bn = BatchNorm(16)
        self.blocks = []
        inputs = 16
        for stage, outputs in enumerate([16, 32, 64]):
            for b in range(3):
                name = f"s{stage + 1}b{b + 1}"
                self.add_module(name, BasicBlock(inputs, outputs, 2 if stage > 0 and b == 0 else 1, quant))
                self.blocks.append(name)
                inputs = outputs
        self.fc = QLinear(64, num_classes, fl, fl, pc)

    def forward(self, x, mode=None):
        mode = self.mode_of(mode)
        h = F.relu(self.stem_bn(self.stem(x, mode), mode))
        for name in self.blocks:
            h = getattr(self, name)(h, mode)
        return self.fc(h.mean((2, 3)), mode)


MODELS = {
    "mlp": lambda shape, classes, quant: Mlp(shape, classes, quant),
    # 64 hidden units: few enough that 2-bit weights and activations cost it accuracy.
    "mlp-narrow": lambda shape, classes, quant: Mlp(shape, classes, quant, hidden=(64, 64)),
    "cnn-tiny": CnnTiny,
    "cnn-small": CnnSmall,
    "resnet20": Resnet20,
}


def build_model(name: str, input_shape, num_classes: int, quant: dict, seed=None) -> Model:
    """input_shape is (height, width, channels), as the engine gives it. With a seed, the weights are the engine's
    initial weights for that seed (He-normal from the same generator, in the same order); LSQ weight steps start at
    2*mean|w|/sqrt(Qp), activation steps at 1 until calibration."""
    if name not in MODELS:
        raise ValueError(f'unknown model "{name}"; choose one of {", ".join(MODELS)}')
    model = MODELS[name](tuple(input_shape), num_classes, quant)
    if seed is not None:
        engine_init(model, seed)
    return model


@torch.no_grad()
def engine_init(model: nn.Module, seed: int):
    rng = Rng(seed, "init")
    for m in model.modules():  # registration order is the engine's construction order
        if isinstance(m, (QLinear, QConv2d)):
            shape = to_engine_layout(m.weight).shape
            fan_in = math.prod(shape[:-1])
            std = math.sqrt(2 / fan_in)
            values = [rng.normal() * std for _ in range(math.prod(shape))]
            m.weight.copy_(from_engine_layout(torch.tensor(values, dtype=torch.float32).view(shape)))
            m.wq.init_step(m.weight)


@torch.no_grad()
def calibrate(model: nn.Module, x: torch.Tensor):
    """LSQ's data-dependent start: activation steps and BatchNorm running averages from one batch."""
    model(x, CALIBRATE)


def mark_calibrated(model: nn.Module):
    """For a model whose steps were loaded or copied rather than calibrated."""
    for m in model.modules():
        if isinstance(m, ActivationQuantizer):
            m.calibrated = True


# ----------------------------------------------------------------------------------------------------------------
# The engine's tensor names and layouts


def to_engine_layout(w: torch.Tensor) -> torch.Tensor:
    """[out, in] -> [in, out]; [out, in, kh, kw] -> [kh, kw, in, out]."""
    return w.t() if w.dim() == 2 else w.permute(2, 3, 1, 0)


def from_engine_layout(w: torch.Tensor) -> torch.Tensor:
    return w.t().contiguous() if w.dim() == 2 else w.permute(3, 2, 0, 1).contiguous()


def engine_named(model: nn.Module) -> dict:
    """{engine name: (tensor of this model, whether its layout differs)} for every parameter and buffer."""
    out = {}
    for path, m in model.named_modules():
        at = path.replace(".", "/")
        parent = at.rpartition("/")[0]
        if isinstance(m, (QLinear, QConv2d)):
            out[f"{at}/w"] = (m.weight, True)
            if isinstance(m, QLinear):
                out[f"{at}/b"] = (m.bias, False)
        elif isinstance(m, WeightQuantizer) and m.step is not None:
            out[f"{parent}/w.step"] = (m.step, False)
        elif isinstance(m, ActivationQuantizer) and m.step is not None:
            out[f"{parent}/in.step"] = (m.step, False)
        elif isinstance(m, BatchNorm):
            for leaf, t in (("gamma", m.weight), ("beta", m.bias), ("mean", m.running_mean), ("var", m.running_var)):
                out[f"{at}/{leaf}"] = (t, False)
    return out


def engine_tensors(model: nn.Module, grads: bool = False) -> dict:
    """Every tensor (or, with grads, every parameter's gradient) by engine name, in the engine's layout."""
    out = {}
    for name, (t, permuted) in engine_named(model).items():
        if grads and not isinstance(t, nn.Parameter):
            continue
        v = (t.grad if grads else t).detach()
        out[name] = (to_engine_layout(v) if permuted else v).contiguous().cpu()
    return out


@torch.no_grad()
def load_engine_tensors(model: nn.Module, tensors: dict, what: str = "the weights"):
    """Copies engine-named tensors in; every tensor of the model must be there, with the engine's shape. Trained
    weights are calibrated already: call mark_calibrated after loading them."""
    for name, (t, permuted) in engine_named(model).items():
        if name not in tensors:
            raise ValueError(f'{what} have no tensor "{name}"')
        v = tensors[name]
        want = tuple(to_engine_layout(t).shape) if permuted else tuple(t.shape)
        if tuple(v.shape) != want:
            raise ValueError(f'{what}: "{name}" has shape {list(v.shape)}, the model needs {list(want)}')
        t.copy_(from_engine_layout(v) if permuted else v.view(t.shape))


def quantizer_steps(model: nn.Module) -> list:
    """The step-size parameters (no weight decay; kept above STEP_FLOOR)."""
    return [m.step for m in model.modules() if isinstance(m, (WeightQuantizer, ActivationQuantizer)) and m.step is not None]


def decayed_weights(model: nn.Module) -> list:
    """The weights that take L2 weight decay: dense and convolution weights (not biases, BatchNorm or steps)."""
    return [m.weight for m in model.modules() if isinstance(m, (QLinear, QConv2d))]
