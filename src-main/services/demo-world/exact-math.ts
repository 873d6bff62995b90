// Arithmetic that gives the same bits on every engine. IEEE-754 fixes +, −, ×, ÷ and sqrt exactly, but not
// Math.sin, Math.cos, Math.pow or Math.exp, whose last bits may differ between engines and versions; the world
// promises byte-identical pixels, so the few trigonometric values it needs come from these polynomials.

const TWO_PI = 6.283185307179586;

/** x reduced to [−π, π] with only exact-enough arithmetic. */
function reduce(x: number): number {
  return x - TWO_PI * Math.round(x / TWO_PI);
}

/** sin by its Taylor series to x^21 after reduction (error below 1e-9 on [−π, π]). */
export function sin(angle: number): number {
  const x = reduce(angle);
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n <= 10; n += 1) {
    term *= -x2 / ((2 * n) * (2 * n + 1));
    sum += term;
  }
  return sum;
}

export function cos(angle: number): number {
  const x = reduce(angle);
  const x2 = x * x;
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= 10; n += 1) {
    term *= -x2 / ((2 * n - 1) * (2 * n));
    sum += term;
  }
  return sum;
}

export function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

export function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
