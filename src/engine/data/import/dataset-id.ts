/** The shipped dataset's id; a loaded one never takes it, so the two can be told apart in the picker and links. */
export const SHIPPED_DATASET_ID = 'fashion-mnist';

const MAX_ID = 40;

/** Lowercase [a-z0-9-]: other characters become dashes, runs of dashes collapse, none at either end. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_ID)
    .replace(/^-+|-+$/g, '');
}

/** "emnist-letters" from "emnist-letters-train-images-idx3-ubyte.gz"; "" when the name starts with its role. */
export function idxPrefix(fileName: string): string {
  const base = (fileName.split('/').pop() ?? fileName).toLowerCase();
  const m = /^(.*?)[-_.]*(train|t10k|test)[-_.]/.exec(base);
  return m ? slugify(m[1]) : '';
}

export interface IdHints {
  format: 'idx' | 'cifar10' | 'cifar100';
  /** Names of the files used. */
  files: string[];
  /** Top-level folders inside the archives the files came from. */
  folders: string[];
}

function guess(h: IdHints): string {
  if (h.format !== 'idx') return h.format;
  const prefixes = [...new Set(h.files.map(idxPrefix))];
  if (prefixes.length === 1 && prefixes[0]) return prefixes[0];
  const folder = h.folders.map(slugify).find((f) => f.length > 0);
  return folder || 'mnist-format';
}

/** The id for the picker and for links: the requested name when it has any usable character, else a guess. */
export function datasetId(requested: string | undefined, hints: IdHints): string {
  const id = (requested && slugify(requested)) || guess(hints);
  return id === SHIPPED_DATASET_ID ? `${id}-loaded` : id;
}
