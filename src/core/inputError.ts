/**
 * An error in what the user gave (a dataset path, a file's contents, an option, a score run's id), found before any
 * work started. A run that fails so leaves no run folder behind (jobs/runner.ts): there is nothing in it to keep,
 * and a list of failed runs for typos hides the real ones.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
