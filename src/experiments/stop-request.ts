/** SIGINT / SIGTERM ask a run to stop after the current batch: the CLI sets this, the epoch loop reads it. */
export const stopRequest = { requested: false as boolean, signal: '' };
