import { DataFormatError } from '../format-error';
import { isGzip } from '../gzip';
import type { FileReports } from './file-reports';
import { gunzipLimited, TooLargeError } from './gunzip-limited';
import { isTar, readTarEntries, type TarEntry } from './tar';
import type { InputFile } from './types';

/** A file to classify: a dropped file, or one entry of a dropped archive, decompressed. */
export interface Entry {
  /** As shown to the person: the dropped file's name, or `archive/path/in/archive`. */
  name: string;
  /** Path used to recognise the file: the path inside its archive, without a trailing .gz. */
  path: string;
  bytes: Uint8Array;
  /** The dropped archive it came from, if any. */
  archive: string | null;
}

export interface Unpacked {
  entries: Entry[];
  /** Top-level folders seen inside archives, e.g. "cifar-10-batches-bin": a hint for the dataset's id. */
  folders: string[];
  /** Each archive's name with the names of the entries it yielded, so its status can follow theirs. */
  archives: Map<string, string[]>;
}

/** Archives inside archives are unpacked, but not without end. */
const MAX_DEPTH = 3;

const stripGz = (path: string): string => path.replace(/\.tgz$/i, '.tar').replace(/\.gz$/i, '');

const OFFICIAL = 'https://www.cs.toronto.edu/~kriz/cifar.html';

/** The CIFAR archives a browser cannot read (pickle, MATLAB), recognised by their folder names. */
function unreadableCifarArchive(entries: TarEntry[]): string | null {
  for (const e of entries) {
    const top = e.path.split('/')[0].toLowerCase();
    const hundred = top.startsWith('cifar-100');
    const binary = hundred ? 'cifar-100-binary.tar.gz' : 'cifar-10-binary.tar.gz';
    const name = hundred ? 'CIFAR-100' : 'CIFAR-10';
    const advice = `download the binary version, ${binary}, from ${OFFICIAL} and drop that`;
    if (top === 'cifar-10-batches-py' || top === 'cifar-100-python') {
      return `this is the Python (pickle) version of ${name}, which the page cannot read: ${advice}`;
    }
    if (top === 'cifar-10-batches-mat' || top === 'cifar-100-matlab') {
      return `this is the MATLAB version of ${name}, which the page cannot read: ${advice}`;
    }
  }
  return null;
}

/**
 * Decompresses gzip and unpacks tar archives (nested too), reporting what cannot be opened, and returns the
 * plain files to classify. Entries are views into the unpacked archive, not copies.
 */
export async function unpackInputs(files: InputFile[], reports: FileReports, maxUnpacked: number): Promise<Unpacked> {
  const out: Unpacked = { entries: [], folders: [], archives: new Map() };
  // One budget for everything decompressed: many small archives must not add up to gigabytes.
  let budget = maxUnpacked;

  const visit = async (name: string, path: string, raw: Uint8Array, archive: string | null, depth: number) => {
    if (raw.length === 0) {
      reports.set(name, 'refused', 'empty file (0 bytes)');
      return;
    }
    let bytes = raw;
    if (isGzip(raw)) {
      try {
        bytes = await gunzipLimited(raw, name, budget);
        budget -= bytes.length;
      } catch (e) {
        if (e instanceof TooLargeError) reports.set(name, 'refused', e.message);
        else if (e instanceof DataFormatError) reports.set(name, 'refused', e.reason);
        else throw e;
        return;
      }
      path = stripGz(path);
      if (bytes.length === 0) {
        reports.set(name, 'refused', 'gzip data that unpacks to nothing (0 bytes)');
        return;
      }
    }
    if (!isTar(bytes)) {
      out.entries.push({ name, path, bytes, archive });
      return;
    }
    if (depth >= MAX_DEPTH) {
      reports.set(name, 'refused', 'an archive nested too deep inside other archives');
      return;
    }
    let entries: TarEntry[];
    try {
      entries = readTarEntries(bytes, name);
    } catch (e) {
      if (e instanceof DataFormatError) reports.set(name, 'refused', e.reason);
      else throw e;
      return;
    }
    const unreadable = unreadableCifarArchive(entries);
    if (unreadable) {
      reports.set(name, 'refused', unreadable);
      return;
    }
    if (entries.length === 0) {
      reports.set(name, 'refused', 'a tar archive with no files in it');
      return;
    }
    // Provisional: settled once its entries are classified.
    reports.set(name, 'used', `tar archive, ${entries.length} file${entries.length === 1 ? '' : 's'}`);
    const children: string[] = [];
    out.archives.set(name, children);
    for (const e of entries) {
      const top = e.path.includes('/') ? e.path.split('/')[0] : null;
      if (top && !out.folders.includes(top)) out.folders.push(top);
      const childName = `${name}/${e.path}`;
      children.push(childName);
      await visit(childName, e.path, e.bytes, archive ?? name, depth + 1);
    }
  };

  for (const f of files) await visit(f.name, f.name, f.bytes, null, 0);
  return out;
}

/** An archive is used when something inside it is; otherwise it is refused and points at its entries. */
export function settleArchives(archives: Map<string, string[]>, reports: FileReports): void {
  // Inner archives first, so an outer archive sees its inner archives' final status.
  for (const [name, children] of [...archives].reverse()) {
    const used = children.filter((c) => reports.get(c)?.status === 'used').length;
    const report = reports.get(name);
    if (!report) continue;
    if (used > 0) reports.set(name, 'used', `${report.reason}: ${used} used`);
    else reports.set(name, 'refused', `${report.reason}: nothing in it could be used (see its files)`);
  }
}
