import { useEffect, useId, useState } from 'react';
import { checkProperty, parseDecimal, propertySpec, type PlaygroundConfig } from '../../config/playground-config';
import { usePlayground } from '../../store/playground-store';

type Key = keyof PlaygroundConfig;

interface FieldProps<K extends Key> {
  name: K;
  label: string;
  /** Shown after the label, e.g. units. */
  hint?: string;
}

function useConfigValue<K extends Key>(name: K): [PlaygroundConfig[K], (v: PlaygroundConfig[K]) => void] {
  const value = usePlayground((s) => s.config[name]);
  const setConfig = usePlayground((s) => s.setConfig);
  return [value, (v) => setConfig({ [name]: v } as Partial<PlaygroundConfig>)];
}

function FieldLabel({ id, label, hint }: { id?: string; label: string; hint?: string }) {
  return (
    <label htmlFor={id}>
      {label}
      {hint ? <span className="muted"> {hint}</span> : null}
    </label>
  );
}

/**
 * A number typed by hand: kept as text while it is being edited, committed only when valid. An invalid entry says
 * why and changes nothing; leaving the field puts the last valid value back.
 */
export function NumberField<K extends Key>({ name, label, hint }: FieldProps<K>) {
  const [value, setValue] = useConfigValue(name);
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  useEffect(() => {
    setText(String(value));
    setProblem(null);
  }, [value]);
  const onChange = (t: string) => {
    setText(t);
    const n = parseDecimal(t);
    const why = checkProperty(propertySpec(name), n);
    setProblem(why);
    if (!why) setValue(n as PlaygroundConfig[K]);
  };
  return (
    <div className="field">
      <FieldLabel id={id} label={label} hint={hint} />
      <input
        id={id}
        data-testid={`field-${name}`}
        inputMode="decimal"
        value={text}
        aria-invalid={problem !== null}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => {
          setText(String(value));
          setProblem(null);
        }}
      />
      {problem && (
        <span className="field-error" role="alert">
          {label} {problem}
        </span>
      )}
    </div>
  );
}

export function SelectField<K extends Key>({ name, label, hint, options }: FieldProps<K> & { options: readonly { value: PlaygroundConfig[K]; label: string }[] }) {
  const [value, setValue] = useConfigValue(name);
  const id = useId();
  return (
    <div className="field">
      <FieldLabel id={id} label={label} hint={hint} />
      <select
        id={id}
        data-testid={`field-${name}`}
        value={String(value)}
        onChange={(e) => setValue(options.find((o) => String(o.value) === e.target.value)!.value)}
      >
        {options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckField<K extends Key>({ name, label, hint }: FieldProps<K>) {
  const [value, setValue] = useConfigValue(name);
  return (
    <div className="field check">
      <label>
        <input type="checkbox" data-testid={`field-${name}`} checked={Boolean(value)} onChange={(e) => setValue(e.target.checked as PlaygroundConfig[K])} />{' '}
        {label}
        {hint ? <span className="muted"> {hint}</span> : null}
      </label>
    </div>
  );
}
