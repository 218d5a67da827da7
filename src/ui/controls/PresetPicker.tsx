import { applyPreset, matchingPreset, PRESETS } from '../../config/presets';
import { usePlayground } from '../../store/playground-store';

/** Presets set every knob but the seed and backend; editing a knob afterwards makes the setup "custom". */
export function PresetPicker({ disabled }: { disabled: boolean }) {
  const config = usePlayground((s) => s.config);
  const replaceConfig = usePlayground((s) => s.replaceConfig);
  const current = matchingPreset(config);
  return (
    <div className="field preset">
      <label htmlFor="preset">Preset</label>
      <select
        id="preset"
        data-testid="preset"
        disabled={disabled}
        value={current?.id ?? 'custom'}
        onChange={(e) => {
          const p = PRESETS.find((x) => x.id === e.target.value);
          if (p) replaceConfig(applyPreset(config, p), []);
        }}
      >
        {!current && <option value="custom">Custom</option>}
        {PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
      {current && <p className="muted small">{current.blurb}</p>}
    </div>
  );
}
