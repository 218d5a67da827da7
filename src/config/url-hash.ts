import { CHANGES_PARAM } from './changes-hash';
import { checkProperty, crossCheck, DEFAULT_CONFIG, parseDecimal, PROPERTIES, propertySpec, type PlaygroundConfig, type PropertySpec } from './playground-config';

/** What a link held: a config that is always valid, and one note per value that was refused. */
export interface DecodedConfig {
  config: PlaygroundConfig;
  notes: string[];
}

function writeValue(spec: PropertySpec, value: PlaygroundConfig[keyof PlaygroundConfig]): string {
  if (spec.kind === 'bool') return value ? '1' : '0';
  return String(value);
}

function readValue(spec: PropertySpec, text: string): unknown {
  switch (spec.kind) {
    case 'bool':
      return text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : text;
    case 'int':
    case 'number':
      return parseDecimal(text);
    case 'id':
      return text;
    case 'choice':
      // Bit widths are numbers; everything else offered is a string.
      return typeof spec.options[0] === 'number' ? parseDecimal(text) : text;
  }
}

/** Every property, in a fixed order, so a link states the whole setup even if the defaults change later. */
export function encodeConfig(c: PlaygroundConfig): string {
  const params = new URLSearchParams();
  for (const spec of PROPERTIES) params.set(spec.hash, writeValue(spec, c[spec.key]));
  return params.toString();
}

function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Reads a URL hash (with or without its '#'). A hand-edited or stale link never fails: each value that is unknown
 * or out of range falls back to its default and says so.
 */
export function decodeConfig(hash: string): DecodedConfig {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const config: PlaygroundConfig = { ...DEFAULT_CONFIG };
  const notes: string[] = [];
  // Settings changed mid-run ride along in the link; hash-sync reads them (changes-hash.ts).
  const known = new Set([...PROPERTIES.map((p) => p.hash), CHANGES_PARAM]);
  for (const name of new Set(params.keys())) {
    if (!known.has(name)) notes.push(`"${shown(name)}" is not a setting of this page; ignored.`);
  }
  for (const spec of PROPERTIES) {
    const text = params.get(spec.hash);
    if (text === null) continue;
    const value = readValue(spec, text);
    const problem = checkProperty(spec, value);
    if (problem) {
      notes.push(`${spec.hash}=${shown(text)}: ${problem}; using ${writeValue(spec, DEFAULT_CONFIG[spec.key])}.`);
      continue;
    }
    (config as unknown as Record<string, unknown>)[spec.key] = value;
  }
  for (const { key, reason } of crossCheck(config)) {
    const spec = propertySpec(key);
    notes.push(`${spec.hash}=${writeValue(spec, config[key])} ${reason}; using ${writeValue(spec, DEFAULT_CONFIG[key])}.`);
    (config as unknown as Record<string, unknown>)[key] = DEFAULT_CONFIG[key];
  }
  return { config, notes };
}
