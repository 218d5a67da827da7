/** Why no dataset could be built from otherwise readable files, with the files it concerns. */
export class ImportProblem extends Error {
  constructor(
    message: string,
    readonly files: string[],
  ) {
    super(message);
    this.name = 'ImportProblem';
  }
}
