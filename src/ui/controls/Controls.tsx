import { BACKEND_CHOICES, BIT_CHOICES, FLIP_CHOICES, OPTIMIZER_NAMES } from '../../config/playground-config';
import { LAMBDA_SCHEDULES } from '../../engine/vocabulary/cr-names';
import { MODEL_NAMES } from '../../engine/vocabulary/models';
import { SHARPNESS_MODES } from '../../engine/vocabulary/sharpness-modes';
import { usePlayground } from '../../store/playground-store';
import { useUserData } from '../../store/user-data-store';
import { Explain } from '../classroom/Explain';
import { datasetOptions } from './dataset-options';
import { CheckField, NumberField, SelectField } from './fields';
import { PresetPicker } from './PresetPicker';

const opts = <T extends string | number>(values: readonly T[], label: (v: T) => string = String) => values.map((value) => ({ value, label: label(value) }));
const bits = opts(BIT_CHOICES, (b) => (b === 32 ? 'FP (32)' : `${b}`));
const MODEL_LABELS: Record<string, string> = { mlp: 'MLP', 'mlp-narrow': 'Narrow MLP (64 units)', 'cnn-tiny': 'Tiny CNN', 'cnn-small': 'Small CNN', resnet20: 'ResNet-20' };

/** Every knob of the two runs. Locked while a run is in progress: changing a setting starts the runs over. */
export function Controls({ locked }: { locked: boolean }) {
  const cr = usePlayground((s) => s.config.cr);
  const dataset = usePlayground((s) => s.config.dataset);
  const loaded = useUserData((s) => s.datasets);
  return (
    <aside className="controls-panel" data-testid="controls">
      <PresetPicker disabled={locked} />
      {locked && <p className="muted small">Settings are locked while the runs are in progress. Reset to change them.</p>}
      <fieldset disabled={locked}>
        <legend>Data and model</legend>
        <SelectField name="dataset" label="Dataset" options={datasetOptions(dataset, loaded)} hint="(more: Bring your own data)" />
        <SelectField name="model" label="Model" options={opts(MODEL_NAMES, (m) => MODEL_LABELS[m])} />
        <NumberField name="labeled" label="Labeled images" hint="(the rest is unlabeled)" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Quantization</legend>
        <SelectField name="wbits" label="Weight bits" options={bits} />
        <SelectField name="abits" label="Activation bits" options={bits} />
        <SelectField name="firstLastBits" label="First/last layer bits" options={bits} />
        <CheckField name="perChannel" label="Per-channel weight steps" />
        <Explain id="lsq" />
        <Explain id="ste" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Optimization</legend>
        <SelectField name="optimizer" label="Optimizer" hint="(SGD: momentum 0.9)" options={opts(OPTIMIZER_NAMES, (o) => (o === 'sgd' ? 'SGD' : 'Adam'))} />
        <NumberField name="lr" label="Learning rate" hint="(peak, cosine decay)" />
        <NumberField name="batchSize" label="Batch size" />
        <NumberField name="steps" label="Steps" />
        <NumberField name="evalEvery" label="Test every" hint="steps (0: at the end)" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Consistency Regularization</legend>
        <CheckField name="cr" label="Train an LSQ+CR run beside LSQ" />
        <SelectField name="lambdaSchedule" label="λ schedule" options={opts(LAMBDA_SCHEDULES)} />
        <NumberField name="lambdaMax" label="λ_max" />
        <NumberField name="rampSteps" label="λ ramp" hint="steps" />
        <NumberField name="emaDecay" label="EMA decay" />
        <NumberField name="temperature" label="Temperature τ" />
        <NumberField name="unlabeledRatio" label="Unlabeled per labeled" />
        {!cr && <p className="muted small">CR is off: only the LSQ run trains.</p>}
        <Explain id="cr" />
        <Explain id="ema" />
        <Explain id="lambda" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Sharpness (Hessian)</legend>
        <SelectField name="sharpness" label="Live estimate" options={opts(SHARPNESS_MODES)} />
        <NumberField name="sharpnessEvery" label="Every" hint="steps" />
        <NumberField name="spectrumSamples" label="Spectrum batch" hint="images" />
        <CheckField name="fp32" label="Also train an FP32 reference run" />
        <Explain id="flatness" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Augmentation</legend>
        <NumberField name="translate" label="Shift" hint="pixels" />
        <SelectField name="flip" label="Horizontal flip" hint="(auto: where labels allow)" options={opts(FLIP_CHOICES, (f) => (f === 'auto' ? 'auto' : f))} />
        <NumberField name="noise" label="Noise σ" />
        <NumberField name="cutout" label="Cutout" hint="pixels" />
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Runtime</legend>
        <SelectField name="backend" label="Backend" options={opts(BACKEND_CHOICES)} />
        <NumberField name="seed" label="Seed" hint="(both runs)" />
      </fieldset>
    </aside>
  );
}
