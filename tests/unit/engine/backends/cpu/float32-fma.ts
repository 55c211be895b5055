const bits = new Float64Array(1);
const word = new BigInt64Array(bits.buffer);

/**
 * Returns a * b + c rounded once to float32, for float32 inputs, as a fused multiply-add does.
 * The product is exact in double. The double sum is made odd where it is inexact (round to odd
 * keeps the information a second rounding needs, since double has more than 24 + 2 bits), and
 * then rounded to float32.
 */
export function fmaFloat32(a: number, b: number, c: number): number {
	const product = a * b;
	const sum = product + c;
	if (!Number.isFinite(sum)) return Math.fround(sum);
	// Knuth's TwoSum: the exact error of the double addition.
	const back = sum - product;
	const error = product - (sum - back) + (c - back);
	if (error === 0) return Math.fround(sum);
	bits[0] = sum;
	if ((word[0] & 1n) === 0n) word[0] += error > 0 === sum > 0 ? 1n : -1n;
	return Math.fround(bits[0]);
}

/** Computes one step of the kernel's sum: fused where the kernel rounds once, else in two roundings. */
export function float32Step(roundsOnce: boolean, sum: number, a: number, b: number): number {
	return roundsOnce ? fmaFloat32(a, b, sum) : Math.fround(sum + Math.fround(a * b));
}
