/**
 * A data file that cannot be read as what it claims to be. Carries the file name so that a user who dropped
 * or configured the wrong file sees which one.
 */
export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DataFormatError';
  }
}
