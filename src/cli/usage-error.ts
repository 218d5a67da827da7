/** A wrong command line: reported in one line, exit code 2. */
export class UsageError extends Error {}
