// A promise with a deadline, shared by the reward runner and the environment host.

/** Settles like `p`, or rejects with `onTimeout()` after `ms` (the call itself is abandoned, not stopped). */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
