import { useState } from 'react';
import { changeSettingsMidRun } from '../../app/settings-change';
import { RUN_IDS } from '../../config/run-config';
import { checkSettingsChange, describeSettingsChange, type SettingsChange } from '../../engine/vocabulary/settings-change';
import { usePlayground } from '../../store/playground-store';
import { Explain } from '../classroom/Explain';

type Field = 'lambdaMax' | 'lr' | 'emaDecay';
const FIELDS: { key: Field; label: string; step: string }[] = [
  { key: 'lambdaMax', label: 'λ_max', step: '0.1' },
  { key: 'lr', label: 'learning rate', step: '0.001' },
  { key: 'emaDecay', label: 'EMA decay', step: '0.001' },
];

/** λ_max, the learning rate and the EMA decay, changed while the runs train: every run switches at the same step. */
export function MidRunChange() {
  const config = usePlayground((s) => s.config);
  const runs = usePlayground((s) => s.runs);
  const list = RUN_IDS.flatMap((id) => (runs[id] ? [runs[id]] : []));
  const started = list.some((r) => r.step > 0) && list.some((r) => r.phase !== 'done' && r.phase !== 'failed');
  const [values, setValues] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const current = (k: Field) => values[k] ?? String(config[k]);
  // Only what differs from the settings the runs were started with (or last changed to) is sent.
  const change: SettingsChange = {};
  for (const { key } of FIELDS) if (values[key] !== undefined && values[key] !== '') change[key] = Number(values[key]);
  const why = checkSettingsChange(change);
  const applied = list.find((r) => r.settingsChanges.length > 0)?.settingsChanges ?? [];
  const apply = async () => {
    setBusy(true);
    try {
      await changeSettingsMidRun(change);
      setValues({});
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="mid-run" data-testid="mid-run">
      <h3>Change while training</h3>
      <Explain id="midRun" />
      <div className="mid-run-fields">
        {FIELDS.map((f) => (
          <label key={f.key} className="small">
            {f.label}{' '}
            <input type="number" step={f.step} value={current(f.key)} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} data-testid={`mid-run-${f.key}`} />
          </label>
        ))}
        <button disabled={!started || busy || why !== null} onClick={apply} data-testid="mid-run-apply" title={why ?? undefined}>
          Apply to every run from the next step
        </button>
      </div>
      {applied.length > 0 && (
        <p className="small muted" data-testid="mid-run-log">
          {applied.map((a) => `step ${a.step}: ${describeSettingsChange(a.change)}`).join(' · ')}
        </p>
      )}
    </section>
  );
}
