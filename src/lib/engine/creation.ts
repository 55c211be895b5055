/**
 * Tensor creation: `torch.tensor` from JS data, the filled and ranged constructors, and the
 * seeded random ones. Random ones draw in row-major order from the generator, so a seed gives
 * PyTorch's numbers. Sizes are varargs or one array, with a trailing options object:
 * `torch.randn(16, 32)`, `torch.zeros([2, 3], { dtype: torch.int64 })`.
 */
import type { Backend } from './backends/backend';
import type { Device } from './device';
import { backendNamed, currentBackend } from './backends/registry';
import { bool, float32, int64, toDType, type DType, type DTypeLike } from './dtype';
import { ShapeError, ValueError } from './errors';
import { isOptions } from './ops/args';
import { emptyOn, uploadOn } from './ops/kernel';
import {
	defaultGenerator,
	normalFloat32,
	randintValues,
	randpermValues,
	uniformFloat32,
	type Generator
} from './random';
import { formatShape, numelOf, sizesFromArgs } from './shape';
import { Tensor, type TensorLike } from './tensor';

export { maximum } from './ops/binary';
export { stack, cat } from './ops/indexing';

export interface TensorOptions {
	dtype?: DTypeLike;
	requires_grad?: boolean;
	/** 'cpu', 'webgpu', 'cuda' (another name for the GPU backend) or a torch.device. */
	device?: string | Device;
}

export interface RandomOptions extends TensorOptions {
	generator?: Generator;
}

type SizeArgs = (number | readonly number[] | RandomOptions)[];

function optionsOf<T extends TensorOptions>(args: readonly unknown[]): T {
	const last = args[args.length - 1];
	return (isOptions<T>(last) ? last : {}) as T;
}

function backendOf(options: TensorOptions): Backend {
	return options.device !== undefined ? backendNamed(String(options.device)) : currentBackend();
}

function finish(t: Tensor, options: TensorOptions): Tensor {
	if (options.requires_grad) t.requires_grad = true;
	return t;
}

/** Builds a tensor from `values` laid out row-major in `shape`. */
function fromValues(
	values: ArrayLike<number>,
	shape: readonly number[],
	dtype: DType,
	options: TensorOptions
) {
	return finish(uploadOn(backendOf(options), values, shape, dtype), options);
}

/**
 * Creates a tensor holding a copy of `data`, as `torch.tensor`. JS numbers make float32 (PyTorch
 * would pick int64 for integers, but JS cannot tell 1 from 1.0), booleans make bool,
 * Float64Array makes float64, integer typed arrays make int64; `dtype` overrides.
 */
export function tensor(data: TensorLike, options: TensorOptions = {}): Tensor {
	if (data instanceof Tensor) {
		const copy = data.detach().clone();
		return finish(options.dtype ? copy.to(toDType(options.dtype)) : copy, options);
	}
	const { values, shape, inferred } = flattenData(data);
	const dtype = options.dtype !== undefined ? toDType(options.dtype) : inferred;
	return fromValues(values, shape, dtype, options);
}

function flattenData(data: TensorLike): {
	values: ArrayLike<number>;
	shape: number[];
	inferred: DType;
} {
	if (typeof data === 'number') return { values: [data], shape: [], inferred: float32 };
	if (typeof data === 'boolean') return { values: [data ? 1 : 0], shape: [], inferred: bool };
	if (ArrayBuffer.isView(data))
		return {
			values: data as ArrayLike<number>,
			shape: [(data as ArrayLike<number>).length],
			inferred: typedArrayDType(data)
		};

	const shape: number[] = [];
	let level: unknown = data;
	while (Array.isArray(level)) {
		shape.push(level.length);
		level = level[0];
	}
	const values: number[] = [];
	let sawBoolean = false;
	const visit = (item: unknown, d: number): void => {
		if (d === shape.length) {
			if (typeof item === 'boolean') sawBoolean = true;
			else if (typeof item !== 'number')
				throw new ValueError(`tensor: expected numbers or booleans, got ${typeof item}`);
			values.push(Number(item));
			return;
		}
		if (!Array.isArray(item) || item.length !== shape[d]) {
			throw new ShapeError(
				`tensor: expected sequence of length ${shape[d]} at dim ${d} (got ${Array.isArray(item) ? item.length : typeof item}); nested arrays must be rectangular, shape so far ${formatShape(shape)}`
			);
		}
		for (const child of item) visit(child, d + 1);
	};
	visit(data, 0);
	return { values, shape, inferred: sawBoolean ? bool : float32 };
}

function typedArrayDType(data: ArrayBufferView): DType {
	if (data instanceof Float32Array) return float32;
	if (data instanceof Float64Array) return toDType('float64');
	return int64;
}

/** Reads sizes from varargs or one array; an options object may follow. */
function sizes(args: SizeArgs, op: string): number[] {
	return sizesFromArgs(
		args.filter((a) => !isOptions(a)),
		op
	);
}

function filled(op: string, args: SizeArgs, value: number): Tensor {
	const options = optionsOf<TensorOptions>(args);
	const shape = sizes(args, op);
	const dtype = options.dtype !== undefined ? toDType(options.dtype) : float32;
	const out = emptyOn(backendOf(options), shape, dtype);
	if (value !== 0) out.fill_(value);
	return finish(out, options);
}

/** Creates a tensor of zeros, as `torch.zeros(2, 3)` or `torch.zeros([2, 3])`. */
export function zeros(...args: SizeArgs): Tensor {
	return filled('zeros', args, 0);
}

/** Creates a tensor of ones, as `torch.ones(2, 3)`. */
export function ones(...args: SizeArgs): Tensor {
	return filled('ones', args, 1);
}

/** Creates a tensor for later filling, as `torch.empty`; here it is zero-filled. */
export function empty(...args: SizeArgs): Tensor {
	return filled('empty', args, 0);
}

/** Creates a tensor filled with `fill_value`, as `torch.full`; float32 unless the value is a boolean. */
export function full(
	size: readonly number[],
	fill_value: number | boolean,
	options: TensorOptions = {}
): Tensor {
	const dtype = options.dtype ?? (typeof fill_value === 'boolean' ? bool : float32);
	return filled('full', [size, { ...options, dtype }], Number(fill_value));
}

function likeOptions(t: Tensor, options: TensorOptions): TensorOptions {
	return { dtype: t.dtype, device: t.device, ...options };
}

export function zeros_like(t: Tensor, options: TensorOptions = {}): Tensor {
	return zeros(t.shape, likeOptions(t, options));
}

export function ones_like(t: Tensor, options: TensorOptions = {}): Tensor {
	return ones(t.shape, likeOptions(t, options));
}

export function empty_like(t: Tensor, options: TensorOptions = {}): Tensor {
	return empty(t.shape, likeOptions(t, options));
}

export function full_like(
	t: Tensor,
	fill_value: number | boolean,
	options: TensorOptions = {}
): Tensor {
	return full(t.shape, fill_value, likeOptions(t, options));
}

/**
 * Creates values from start (inclusive) to end (exclusive) in steps, as `torch.arange(end)` or
 * `torch.arange(start, end, step)`. As in PyTorch, all-integer arguments give int64.
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
	const options = optionsOf<TensorOptions>(args);
	const numbers = args.filter((a): a is number => typeof a === 'number');
	const [start, end, step] =
		numbers.length === 1 ? [0, numbers[0], 1] : [numbers[0], numbers[1], numbers[2] ?? 1];
	if (step === 0) throw new ValueError('arange: step must be nonzero');
	if ((end - start) / step < 0) {
		throw new ValueError(
			`arange: upper bound and larger bound inconsistent with step sign, got start=${start}, end=${end}, step=${step}`
		);
	}
	const length = Math.ceil((end - start) / step);
	const values = Array.from({ length }, (_, i) => start + i * step);
	let dtype = numbers.every(Number.isInteger) ? int64 : float32;
	if (options.dtype !== undefined) dtype = toDType(options.dtype);
	return fromValues(values, [length], dtype, options);
}

/**
 * Creates `steps` evenly spaced values from start to end inclusive, as `torch.linspace`. They
 * are computed in float32 from both ends, as PyTorch's CPU kernel does.
 */
export function linspace(
	start: number,
	end: number,
	steps: number,
	options: TensorOptions = {}
): Tensor {
	if (!Number.isInteger(steps) || steps < 0)
		throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
	const dtype = options.dtype !== undefined ? toDType(options.dtype) : float32;
	const round = dtype === float32 ? Math.fround : (v: number) => v;
	const step = steps > 1 ? round((end - start) / (steps - 1)) : 0;
	const half = Math.floor(steps / 2);
	const values = Array.from({ length: steps }, (_, i) =>
		i < half ? round(start + round(step * i)) : round(end - round(step * (steps - i - 1)))
	);
	return fromValues(values, [steps], dtype, options);
}

/** Creates the n x m identity matrix, as `torch.eye`. */
export function eye(n: number, m?: number | TensorOptions, options: TensorOptions = {}): Tensor {
	if (typeof m === 'object') return eye(n, n, m);
	const cols = m ?? n;
	const values = new Float64Array(n * cols);
	for (let i = 0; i < Math.min(n, cols); i++) values[i * cols + i] = 1;
	const dtype = options.dtype !== undefined ? toDType(options.dtype) : float32;
	return fromValues(values, [n, cols], dtype, options);
}

function generatorOf(options: RandomOptions): Generator {
	return options.generator ?? defaultGenerator;
}

/** Draws U[0, 1) samples, as `torch.rand`; same numbers as PyTorch for the same seed. */
export function rand(...args: SizeArgs): Tensor {
	const options = optionsOf<RandomOptions>(args);
	const shape = sizes(args, 'rand');
	const values = uniformFloat32(generatorOf(options), numelOf(shape));
	return fromValues(values, shape, toDType(options.dtype ?? float32), options);
}

/** Draws N(0, 1) samples, as `torch.randn`; same numbers as PyTorch for the same seed. */
export function randn(...args: SizeArgs): Tensor {
	const options = optionsOf<RandomOptions>(args);
	const shape = sizes(args, 'randn');
	const values = normalFloat32(generatorOf(options), numelOf(shape));
	return fromValues(values, shape, toDType(options.dtype ?? float32), options);
}

/**
 * Draws integers from [low, high), as `torch.randint(high, size)` or `torch.randint(low, high,
 * size)`; int64 by default.
 */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
	const options = optionsOf<RandomOptions>(args);
	const numbers = args.filter((a): a is number => typeof a === 'number');
	const shape = args.find((a): a is readonly number[] => Array.isArray(a));
	if (!shape)
		throw new ValueError('randint: missing the size argument, e.g. torch.randint(0, 10, [3])');
	const [low, high] = numbers.length === 1 ? [0, numbers[0]] : [numbers[0], numbers[1]];
	const values = randintValues(generatorOf(options), low, high, numelOf(shape));
	return fromValues(values, shape.slice(), toDType(options.dtype ?? int64), options);
}

/** Draws a random permutation of 0..n-1, as `torch.randperm`. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
	const values = randpermValues(generatorOf(options), n);
	return fromValues(values, [n], toDType(options.dtype ?? int64), options);
}

export function rand_like(t: Tensor, options: RandomOptions = {}): Tensor {
	return rand(t.shape, likeOptions(t, options));
}

export function randn_like(t: Tensor, options: RandomOptions = {}): Tensor {
	return randn(t.shape, likeOptions(t, options));
}

export function randint_like(
	t: Tensor,
	low: number,
	high?: number,
	options: RandomOptions = {}
): Tensor {
	return high === undefined
		? randint(0, low, t.shape, likeOptions(t, options))
		: randint(low, high, t.shape, likeOptions(t, options));
}
