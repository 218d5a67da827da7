/**
 * The files of a drop, folders included (walked recursively through the File System entries API, which every
 * current browser supports for drops). Entries are read in pages: readEntries returns at most ~100 at a time.
 */
export async function filesFromDrop(data: DataTransfer): Promise<DroppedFiles> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  // Without entry support, the plain file list (no folders).
  if (entries.length === 0) return { files: Array.from(data.files), unreadable: [] };
  const out: DroppedFiles = { files: [], unreadable: [] };
  for (const entry of entries) await walk(entry, out);
  return out;
}

export interface DroppedFiles {
  files: File[];
  /** Entries the browser could not read (a broken link, no permission), with the reason. */
  unreadable: { name: string; reason: string }[];
}

const why = (e: unknown) => (e instanceof Error ? e.message || e.name : String(e));

/** One unreadable file or folder is listed and skipped; the rest of the drop still arrives. */
async function walk(entry: FileSystemEntry, out: DroppedFiles): Promise<void> {
  try {
    if (entry.isFile) {
      out.files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
      return;
    }
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const page = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (page.length === 0) break;
      for (const child of page) await walk(child, out);
    }
  } catch (e) {
    out.unreadable.push({ name: entry.fullPath.replace(/^\//, ''), reason: why(e) });
  }
}

/** Files hidden by the operating system (.DS_Store, Thumbs.db) are not a person's images. */
export function isSystemFile(file: File): boolean {
  return /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._.*)$/i.test(file.webkitRelativePath || file.name);
}
