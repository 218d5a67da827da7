/**
 * The files of a drop, folders included (walked recursively through the File System entries API, which every
 * current browser supports for drops). Entries are read in pages: readEntries returns at most ~100 at a time.
 */
export async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  // Without entry support, the plain file list (no folders).
  if (entries.length === 0) return Array.from(data.files);
  const out: File[] = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const page = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (page.length === 0) break;
    for (const child of page) await walk(child, out);
  }
}

/** Files hidden by the operating system (.DS_Store, Thumbs.db) are not a person's images. */
export function isSystemFile(file: File): boolean {
  return /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._.*)$/i.test(file.webkitRelativePath || file.name);
}
