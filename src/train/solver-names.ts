/** The names of the eight solvers (solvers.ts implements them); free of TF.js, so option validation can use it. */
export const SOLVERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamax'] as const;
export type SolverName = (typeof SOLVERS)[number];
