/** The part of libsvm-js (emscripten build of libsvm, CommonJS; its default export is a promise of the class) we use. */
declare module 'libsvm-js' {
  interface LibsvmOptions {
    type?: number; kernel?: number; gamma?: number; nu?: number; cost?: number; cacheSize?: number; tolerance?: number;
    shrinking?: boolean; quiet?: boolean;
  }
  interface LibsvmInstance {
    train(samples: ArrayLike<number>[], labels: number[]): void;
    predictOne(sample: ArrayLike<number>): number;
    getSVIndices(): number[];
    serializeModel(): string;
    free(): void;
  }
  interface LibsvmClass {
    new (options: LibsvmOptions): LibsvmInstance;
    SVM_TYPES: { C_SVC: number; NU_SVC: number; ONE_CLASS: number; EPSILON_SVR: number; NU_SVR: number };
    KERNEL_TYPES: { LINEAR: number; POLYNOMIAL: number; RBF: number; SIGMOID: number; PRECOMPUTED: number };
  }
  const loaded: Promise<LibsvmClass>;
  export default loaded;
}
