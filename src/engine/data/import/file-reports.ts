import type { FileReport } from './types';

/** Per-file outcomes in the order files were met; a later call for the same name replaces the earlier one. */
export class FileReports {
  private readonly byName = new Map<string, FileReport>();

  set(name: string, status: FileReport['status'], reason: string): void {
    this.byName.set(name, { name, status, reason });
  }

  get(name: string): FileReport | undefined {
    return this.byName.get(name);
  }

  list(): FileReport[] {
    return [...this.byName.values()];
  }
}
