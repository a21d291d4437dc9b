/**
 * An error caused by the user's input (options, files, folders). The CLI prints its message as one line,
 * without a stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Training stopped because the loss or a weight is no longer finite (exit code 3). */
export class DivergenceError extends Error {
  constructor(readonly phase: 'pretrain' | 'train', readonly epoch: number, what: string) {
    super(`training diverged in ${phase === 'pretrain' ? 'autoencoder pretraining' : 'Deep SVDD training'}, epoch ${epoch + 1}: ${what}; try a smaller --lr${phase === 'pretrain' ? ' / --ae-lr' : ''} or another --seed`);
    this.name = 'DivergenceError';
  }
}

/** Throws a UserError unless `cond` holds. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new UserError(message);
}
