// The part of autocannon's API this harness uses (its published typings lag the
// package; these follow autocannon 9's README).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      /** Requests per second over all connections. */
      overallRate?: number;
      tlsOptions?: Record<string, unknown>;
      requests?: unknown[];
    }
    interface Result {
      requests: { total: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      duration: number;
    }
    interface Instance {
      stop(): void;
    }
  }
  function autocannon(
    options: autocannon.Options,
    callback: (err: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;
  export default autocannon;
}
