// Small argument helpers: every bad value becomes a UsageError with an "expected ..., received ..." message.
export class UsageError extends Error {
  override name = 'UsageError';
}

export function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`expected --${name} <value>, received nothing`);
  return v;
}

export function optionalInt(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new UsageError(`expected --${name} to be a whole number, received ${JSON.stringify(v)}`);
  }
  return n;
}

export function optionalNumber(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`expected --${name} to be a number, received ${JSON.stringify(v)}`);
  }
  return n;
}
