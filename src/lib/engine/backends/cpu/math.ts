/** Special functions that Math lacks, accurate to double precision well beyond float32 needs. */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** Computes the error function: a series below |x| = 2.5, a continued fraction for erfc above. */
export function erf(x: number): number {
	if (Number.isNaN(x)) return x;
	const ax = Math.abs(x);
	if (ax < 2.5) return erfSeries(x);
	if (ax >= 6) return x > 0 ? 1 : -1;
	const e = erfcContinuedFraction(ax);
	return x > 0 ? 1 - e : e - 1;
}

// erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); terms fall below 1e-17 of the
// sum by n = 45 for |x| < 2.5.
function erfSeries(x: number): number {
	const x2 = x * x;
	let term = x;
	let sum = x;
	for (let n = 1; n < 60; n++) {
		term *= -x2 / n;
		const add = term / (2 * n + 1);
		sum += add;
		if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
	}
	return TWO_OVER_SQRT_PI * sum;
}

// erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
// evaluated with the modified Lentz method; it converges fast for x >= 2.5.
function erfcContinuedFraction(x: number): number {
	const tiny = 1e-300;
	let f = x;
	let c = x;
	let d = 0;
	for (let n = 1; n < 200; n++) {
		const a = n / 2;
		d = x + a * d;
		d = d === 0 ? tiny : d;
		c = x + a / c;
		c = c === 0 ? tiny : c;
		d = 1 / d;
		const delta = c * d;
		f *= delta;
		if (Math.abs(delta - 1) < 1e-16) break;
	}
	return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/** Rounds half to even, as torch.round. */
export function roundHalfEven(x: number): number {
	const r = Math.round(x);
	return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}
