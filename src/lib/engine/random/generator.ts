/**
 * torch 1.13's CPU generator: a 32-bit Mersenne Twister (MT19937) seeded from the low 32 bits of
 * a 64-bit seed, plus the one-value cache of binary64 normals that the serial Box-Muller path
 * keeps between calls. Its 32-bit output stream equals C++ `std::mt19937(seed mod 2^32)`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

const UINT64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);

/** Seed of a `torch.Generator()` created without one (torch's `default_rng_seed_val`). */
export const DEFAULT_RNG_SEED = 67280421310721n;

/**
 * Byte length of `torch.get_rng_state()` on x86-64 (`CPUGeneratorImplState`): the legacy
 * 5048-byte block (seed, left, seeded, next, 624 words stored as uint64, three binary64 normal
 * fields, a validity flag) followed by a float32 normal and its flag, padded to 8 bytes.
 */
export const RNG_STATE_BYTES = 5056;
/** Byte length of the older `CPUGeneratorImplStateLegacy` state, which `set_state` also reads. */
export const LEGACY_RNG_STATE_BYTES = 5048;

const OFFSET_SEED = 0;
const OFFSET_LEFT = 8;
const OFFSET_SEEDED = 12;
const OFFSET_NEXT = 16;
const OFFSET_WORDS = 24;
const OFFSET_NORMAL_X = 5016;
const OFFSET_NORMAL_Y = 5024;
const OFFSET_NORMAL_RHO = 5032;
const OFFSET_NORMAL_VALID = 5040;
const OFFSET_FLOAT_NORMAL = 5048;
const OFFSET_FLOAT_NORMAL_VALID = 5052;

/** Random number generator with torch 1.13's CPU `torch.Generator` stream and state format. */
export class Generator {
	/**
	 * Cached standard normal of the serial Box-Muller path (torch's `next_double_normal_sample`),
	 * or null. `manual_seed` clears it; the 16-or-more vectorised path never touches it.
	 */
	nextDoubleNormalSample: number | null = null;

	// torch keeps a float32 normal cache too, which no CPU sampler uses; it only round-trips.
	private nextFloatNormalSample: number | null = null;
	private readonly words = new Uint32Array(N);
	private left = 1;
	private next = 0;
	private seed64 = 0n;

	constructor(seed: number | bigint = DEFAULT_RNG_SEED) {
		this.manual_seed(seed);
	}

	/**
	 * Re-creates the engine from `seed`, as `torch.manual_seed`: the seed is taken modulo 2^64
	 * (so -1 is 2^64 - 1) and only its low 32 bits seed the twister. Clears the normal caches.
	 */
	manual_seed(seed: number | bigint): this {
		this.seed64 = toUint64(seed);
		this.nextDoubleNormalSample = null;
		this.nextFloatNormalSample = null;

		// Knuth's multiplier, as in the 2002 init_genrand.
		const words = this.words;
		words[0] = Number(this.seed64 & 0xffffffffn);
		for (let i = 1; i < N; i++) {
			const previous = words[i - 1] ^ (words[i - 1] >>> 30);
			words[i] = Math.imul(1812433253, previous) + i;
		}
		this.left = 1;
		this.next = 0;
		return this;
	}

	/** Returns the 64-bit seed last given to `manual_seed` or `seed`, as `torch.initial_seed()`. */
	initial_seed(): bigint {
		return this.seed64;
	}

	/** Seeds from 64 non-deterministic bits and returns them, as `torch.seed()`. */
	seed(): bigint {
		const seed = nonDeterministicSeed();
		this.manual_seed(seed);
		return seed;
	}

	/** Returns the state in torch's `get_rng_state()` byte layout (little-endian x86-64). */
	get_state(): Uint8Array {
		const bytes = new Uint8Array(RNG_STATE_BYTES);
		const view = new DataView(bytes.buffer);
		view.setBigUint64(OFFSET_SEED, this.seed64, true);
		view.setInt32(OFFSET_LEFT, this.left, true);
		view.setInt32(OFFSET_SEEDED, 1, true);
		view.setUint32(OFFSET_NEXT, this.next, true);
		for (let i = 0; i < N; i++) view.setUint32(OFFSET_WORDS + 8 * i, this.words[i], true);

		if (this.nextDoubleNormalSample !== null) {
			view.setFloat64(OFFSET_NORMAL_Y, this.nextDoubleNormalSample, true);
			view.setInt32(OFFSET_NORMAL_VALID, 1, true);
		}
		if (this.nextFloatNormalSample !== null) {
			view.setFloat32(OFFSET_FLOAT_NORMAL, this.nextFloatNormalSample, true);
			bytes[OFFSET_FLOAT_NORMAL_VALID] = 1;
		}
		return bytes;
	}

	/**
	 * Restores a state from `get_state` (or torch's `get_rng_state()` bytes), normal caches
	 * included, as `torch.set_rng_state`. Also reads the 5048-byte legacy layout, whose cached
	 * normal is stored as rho and x and rebuilt as rho * sin(2 pi x).
	 */
	set_state(state: Uint8Array): void {
		if (state.length !== RNG_STATE_BYTES && state.length !== LEGACY_RNG_STATE_BYTES) {
			throw new RangeError(
				`set_state: expected a CPUGeneratorImplState of ${RNG_STATE_BYTES} bytes (or the legacy ` +
					`${LEGACY_RNG_STATE_BYTES}), but found the input RNG state size to be ${state.length}. ` +
					`Pass the array returned by get_state().`
			);
		}
		const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
		const left = view.getInt32(OFFSET_LEFT, true);
		const next = view.getUint32(OFFSET_NEXT, true);
		const seeded = view.getInt32(OFFSET_SEEDED, true) !== 0;
		if (!seeded || left <= 0 || left > N || next > N) {
			throw new RangeError(
				`set_state: Invalid mt19937 state, got seeded=${seeded}, left=${left}, next=${next}. ` +
					`Pass the array returned by get_state().`
			);
		}

		this.seed64 = view.getBigUint64(OFFSET_SEED, true);
		this.left = left;
		this.next = next;
		for (let i = 0; i < N; i++) this.words[i] = view.getUint32(OFFSET_WORDS + 8 * i, true);
		this.nextDoubleNormalSample = readDoubleNormalCache(view, state.length);
		this.nextFloatNormalSample =
			state.length === RNG_STATE_BYTES && state[OFFSET_FLOAT_NORMAL_VALID] !== 0
				? view.getFloat32(OFFSET_FLOAT_NORMAL, true)
				: null;
	}

	/** Returns the next 32-bit output of the twister (torch's `random()`). */
	nextUint32(): number {
		if (--this.left === 0) this.regenerate();
		let y = this.words[this.next++];
		y ^= y >>> 11;
		y ^= (y << 7) & 0x9d2c5680;
		y ^= (y << 15) & 0xefc60000;
		y ^= y >>> 18;
		return y >>> 0;
	}

	/** Returns two 32-bit outputs joined with the first as the high word (torch's `random64()`). */
	nextUint64(): bigint {
		const high = this.nextUint32();
		const low = this.nextUint32();
		return (BigInt(high) << 32n) | BigInt(low);
	}

	private regenerate(): void {
		const words = this.words;
		let i = 0;
		for (; i < N - M; i++) words[i] = twist(words[i + M], words[i], words[i + 1]);
		for (; i < N - 1; i++) words[i] = twist(words[i + M - N], words[i], words[i + 1]);
		words[N - 1] = twist(words[M - 1], words[N - 1], words[0]);
		this.left = N;
		this.next = 0;
	}
}

function twist(far: number, current: number, following: number): number {
	const y = (current & UPPER_MASK) | (following & LOWER_MASK);
	return far ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
}

function toUint64(seed: number | bigint): bigint {
	if (typeof seed === 'number' && !Number.isFinite(seed)) {
		throw new RangeError(`manual_seed: seed must be a finite integer, got ${seed}.`);
	}
	// Python's int() in torch.manual_seed truncates a float seed toward zero.
	const value = typeof seed === 'number' ? BigInt(Math.trunc(seed)) : seed;
	if (value < INT64_MIN || value >= UINT64_LIMIT) {
		throw new RangeError(
			`manual_seed: Overflow when unpacking long, got ${value}. Use a seed in [-2^63, 2^64).`
		);
	}
	return BigInt.asUintN(64, value);
}

function readDoubleNormalCache(view: DataView, byteLength: number): number | null {
	if (view.getInt32(OFFSET_NORMAL_VALID, true) === 0) return null;
	if (byteLength === RNG_STATE_BYTES) return view.getFloat64(OFFSET_NORMAL_Y, true);
	const rho = view.getFloat64(OFFSET_NORMAL_RHO, true);
	const x = view.getFloat64(OFFSET_NORMAL_X, true);
	return rho * Math.sin(2 * Math.PI * x);
}

/** Draws 64 bits from the platform's cryptographic source (Math.random where there is none). */
function nonDeterministicSeed(): bigint {
	const halves = new Uint32Array(2);
	if (globalThis.crypto?.getRandomValues) {
		globalThis.crypto.getRandomValues(halves);
	} else {
		halves[0] = Math.random() * 2 ** 32;
		halves[1] = Math.random() * 2 ** 32;
	}
	return (BigInt(halves[0]) << 32n) | BigInt(halves[1]);
}

/**
 * The generator behind torch.rand, randn, nn.init and friends. Like torch's default CPU generator
 * it starts from a non-deterministic seed, so call `manual_seed` for reproducible streams.
 */
export const defaultGenerator = new Generator(nonDeterministicSeed());
