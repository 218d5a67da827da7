/** The README.md of an exported PyTorch project: what run it is and how to train it on one machine, under torchrun, on a cluster. */
import type { TrainConfig } from '../../vocabulary/train-config';
import type { TorchDataset, TorchWeights } from './project';

/** "mlp lsq+cr W2A2 seed 0". */
export function runName(c: TrainConfig): string {
  return `${c.model} ${c.method}${c.method === 'fp32' ? '' : ` W${c.quant.wbits}A${c.quant.abits}`} seed ${c.seed}`;
}

function datasetFiles(d: TorchDataset): string {
  if (d.kind === 'idx') return 'the four MNIST-format IDX files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`, gzipped or not)';
  if (d.kind === 'cifar10') return 'the CIFAR-10 binary batches (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`)';
  return 'the CIFAR-100 binary files (`train.bin`, `test.bin`)';
}

export function projectReadme(o: { config: TrainConfig; dataset: TorchDataset; weights: TorchWeights | null; weightsFile: string | null; origin: string }): string {
  const c = o.config;
  const [h, w, ch] = o.dataset.inputShape;
  const cr = c.method === 'lsq+cr';
  const weightsLine = o.weights
    ? o.weights.kind === 'init'
      ? `\`${o.weightsFile}\` holds the engine's initial weights of this seed (before LSQ calibration, which the first step does).`
      : `\`${o.weightsFile}\` holds trained weights (${o.weights.steps ?? '?'} steps, already calibrated): training continues from them.`
    : "No weights file: train.py computes the engine's initial weights for this seed itself (same generator, same order).";
  return `# ${runName(c)}: QAT Playground run in PyTorch

Exported from QAT Playground (${o.origin}). ${c.method === 'fp32' ? 'Full-precision training' : `LSQ quantization-aware training${cr ? ` with Consistency Regularization (EMA teacher, two views, ${c.cr.consistency === 'kl' ? 'KL' : 'MSE'} consistency at τ ${c.cr.temperature}, λ ${c.cr.lambda.kind} to ${c.cr.lambda.max})` : ''}`}
of \`${c.model}\` on ${o.dataset.name} (${h}×${w}×${ch} images), ${c.steps} steps of batch ${c.batchSize}, ${c.labeled} labeled images,
${c.optimizer.name} at learning rate ${c.lr} (cosine schedule${c.warmupSteps > 0 ? `, ${c.warmupSteps} warm-up steps` : ''}).
Requires Python 3.8+ and PyTorch 1.13 or newer; nothing else.

| file | what |
| --- | --- |
| \`train.py\` | the training loop, one step as the engine's; \`DistributedDataParallel\` under torchrun |
| \`model.py\` | LSQ fake quantization (\`LsqFakeQuant\`, an autograd Function), quantized dense/conv layers, BatchNorm, the five models |
| \`cr.py\` | EMA teacher with warm-up, the two views, consistency loss at temperature τ, λ schedule |
| \`data.py\` | IDX / CIFAR readers, normalisation, stratified labeled subset, unlabeled pool, seeded batches |
| \`rng.py\` | the engine's seeded generators (seedrandom's Alea), value for value |
| \`weights.py\` | safetensors weight files in the engine's tensor names and layouts |
| \`config.json\` | the run's settings (the engine's TrainConfig) |
| \`export.json\` | the dataset (kind, name, folder at export) and the weights file |
${o.weightsFile ? `| \`${o.weightsFile}\` | ${o.weights?.kind === 'init' ? 'initial' : 'trained'} weights |\n` : ''}
${weightsLine}

## One machine

    python3 train.py                      # the whole run; prints "step N loss X ..." and the test accuracy
    python3 train.py --steps N            # N steps instead of ${c.steps} (the cosine schedule spans N)
    python3 train.py --data /path/to/data --save trained.safetensors

The data: ${datasetFiles(o.dataset)}, by default from \`${o.dataset.dir}\` (where they were at export).
The GPU is used when there is one (\`--device cpu\` to stay on the CPU).

## Several processes: torchrun

    torchrun --nproc_per_node 4 train.py               # 4 GPUs (nccl), or 4 CPU processes (gloo) without GPUs
    python3 -m torch.distributed.run --nproc_per_node 2 train.py --device cpu

N ranks train exactly as one process would: the batch of ${c.batchSize} is the global batch.
- Every rank draws the same labeled batch, the same unlabeled images and the same view of each image (same seeds),
  and keeps its 1/N slice. Each rank's loss is its share of the global loss (sums divided by the global counts),
  scaled by N, so DistributedDataParallel's gradient average is the gradient of the global loss, also when the
  batch does not divide evenly.
- BatchNorm uses the statistics of the global batch: sums all-reduced across ranks, differentiably (as SyncBatchNorm).
- LSQ calibration (the first batch) runs on the whole batch on every rank: the same step sizes everywhere.
${cr ? `- The EMA teacher is updated on every rank from the same student weights, so all ranks hold the same teacher
  without sending it; its own BatchNorm statistics come from global-batch sums too.
` : ''}- The printed loss is the global loss. \`--rank-weights DIR\` writes each rank's weights; at the end every rank prints
  a sha256 of what it holds, equal on all ranks.

Debian's \`python3-torch\` 1.13 on Python 3.11 has a launcher bug (\`'NoneType' object has no attribute 'get'\`):
add \`--redirects 1 --tee 1\` after \`--nproc_per_node N\`.

## A cluster

Start one torchrun per node with the same rendezvous:

    torchrun --nnodes 2 --nproc_per_node 8 --rdzv-backend c10d --rdzv-endpoint HOST:29500 --rdzv-id qat train.py --data /shared/data

With SLURM: \`srun --nodes 2 --ntasks-per-node 1 torchrun --nnodes 2 --nproc_per_node 8 --rdzv-backend c10d
--rdzv-endpoint $(scontrol show hostnames $SLURM_JOB_NODELIST | head -n1):29500 --rdzv-id $SLURM_JOB_ID train.py\`.
Every node needs the data (\`--data\`) and this folder.

## How it matches the engine

The same formulas and order of work as the engine's step: round(clip(x/s, −Qn, Qp))·s with the straight-through
estimator and LSQ's step gradient scaled by 1/sqrt(N·Qp) (N: the weights of one step, or the features of one
sample for activations), first and last layer at ${c.quant.firstLastBits} bits, ${c.quant.perChannel ? 'per-channel' : 'per-tensor'} weight steps,
TensorFlow's 'same' padding, flattening in NHWC order, PyTorch-style BatchNorm with LSQ's calibration batch setting
the running averages, SGD momentum as PyTorch has it, weight decay on weights only, step sizes kept ≥ 1e-6.
The labeled subset, batch order, unlabeled picks, each image's shift/flip/cut-out and the initial weights come from
the engine's own generators, ported; only the Gaussian noise of the views is drawn by torch (same distribution,
other values). What is left is float rounding: a sum adds in another order, and a value on a rounding boundary of a
quantizer may round the other way, so long runs drift apart like two runs on different GPUs.
`;
}
