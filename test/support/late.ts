/**
 * An object a test file names at its top but creates in `beforeAll`: `value` forwards to what `set` was given,
 * and throws if it is used before that.
 */
export function late<T extends object>(what: string): { readonly value: T; set(v: T): T; readonly current: T | undefined } {
  let current: T | undefined;
  const target = (): T => {
    if (!current) throw new Error(`${what} is created in beforeAll: use it from there on`);
    return current;
  };
  const value = new Proxy({} as T, {
    get: (_, key) => {
      const t = target();
      const v: unknown = Reflect.get(t, key, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return {
    value,
    set: (v) => (current = v),
    get current() {
      return current;
    },
  };
}
