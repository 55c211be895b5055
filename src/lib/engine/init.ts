/**
 * torch.nn.init: in-place initialisers for weights.
 *
 * Bounds and standard deviations are computed in binary64 in the same order as PyTorch 1.13's
 * Python code, then handed to `uniform_` / `normal_`, which round them to float32 and draw
 * from the generator as PyTorch's CPU kernels do. A seeded init therefore reproduces PyTorch's
 * values bit for bit (orthogonal_ excepted: its QR runs in binary64 here, LAPACK's in float32).
 */
import { no_grad } from './autograd';
import { ValueError } from './errors';
import { defaultGenerator, normalFloat32 } from './random';
import { Tensor } from './tensor';
import { fillFromHost } from './ops/inplace';
import { formatShape } from './shape';

export type Nonlinearity =
	| 'linear'
	| 'conv1d'
	| 'conv2d'
	| 'conv3d'
	| 'conv_transpose1d'
	| 'conv_transpose2d'
	| 'conv_transpose3d'
	| 'sigmoid'
	| 'tanh'
	| 'relu'
	| 'leaky_relu'
	| 'selu';

export type FanMode = 'fan_in' | 'fan_out';

const LINEAR_FNS = new Set([
	'linear',
	'conv1d',
	'conv2d',
	'conv3d',
	'conv_transpose1d',
	'conv_transpose2d',
	'conv_transpose3d'
]);

/**
 * Returns the recommended gain for a nonlinearity, as `nn.init.calculate_gain`: 1 for linear and
 * sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope
 * `param`, default 0.01) and 3/4 for selu. Example: `calculate_gain('relu')` is 1.4142135623730951.
 */
export function calculate_gain(nonlinearity: Nonlinearity, param?: number | null): number {
	if (LINEAR_FNS.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
	if (nonlinearity === 'tanh') return 5.0 / 3;
	if (nonlinearity === 'relu') return Math.sqrt(2.0);
	if (nonlinearity === 'leaky_relu') {
		if (param !== undefined && param !== null && typeof param !== 'number') {
			throw new ValueError(`negative_slope ${String(param)} not a valid number`);
		}
		const slope = param ?? 0.01;
		return Math.sqrt(2.0 / (1 + slope ** 2));
	}
	if (nonlinearity === 'selu') return 3.0 / 4;
	throw new ValueError(
		`Unsupported nonlinearity ${String(nonlinearity)}. Use one of linear, sigmoid, tanh, relu, leaky_relu, selu.`
	);
}

/**
 * Fan-in and fan-out of a weight of shape [out, in, ...kernel]: in and out times the kernel
 * size. Throws for tensors with fewer than 2 dimensions, as PyTorch does.
 */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
	if (tensor.dim() < 2) {
		throw new ValueError(
			`Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got shape ${formatShape(tensor.shape)}.`
		);
	}
	const receptiveField = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
	return [tensor.shape[1] * receptiveField, tensor.shape[0] * receptiveField];
}

function correctFan(tensor: Tensor, mode: string): number {
	const lower = mode.toLowerCase();
	if (lower !== 'fan_in' && lower !== 'fan_out') {
		throw new ValueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
	}
	const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
	return lower === 'fan_in' ? fanIn : fanOut;
}

function isEmpty(tensor: Tensor): boolean {
	return tensor.shape.includes(0);
}

/** Fills `tensor` from U(a, b), as `nn.init.uniform_(tensor, a=0, b=1)`. Example: `uniform_(w, -0.1, 0.1)`. */
export function uniform_(
	tensor: Tensor,
	a: number | { a?: number; b?: number } = 0,
	b = 1
): Tensor {
	const opts = typeof a === 'number' ? { a, b } : a;
	return no_grad(() => tensor.uniform_(opts.a ?? 0, opts.b ?? 1));
}

/** Fills `tensor` from N(mean, std²), as `nn.init.normal_`. Example: `normal_(w, { std: 2.0 })`. */
export function normal_(
	tensor: Tensor,
	mean: number | { mean?: number; std?: number } = 0,
	std = 1
): Tensor {
	const opts = typeof mean === 'number' ? { mean, std } : mean;
	return no_grad(() => tensor.normal_(opts.mean ?? 0, opts.std ?? 1));
}

/** Fills `tensor` with `val`, as `nn.init.constant_`. */
export function constant_(tensor: Tensor, val: number): Tensor {
	return no_grad(() => tensor.fill_(val));
}

/** Fills `tensor` with ones, as `nn.init.ones_`. */
export function ones_(tensor: Tensor): Tensor {
	return no_grad(() => tensor.fill_(1));
}

/** Fills `tensor` with zeros, as `nn.init.zeros_`; draws nothing from the generator. */
export function zeros_(tensor: Tensor): Tensor {
	return no_grad(() => tensor.zero_());
}

type GainOption = number | { gain?: number };

function gainOf(gain: GainOption): number {
	return typeof gain === 'number' ? gain : (gain.gain ?? 1);
}

/**
 * Glorot uniform init, as `nn.init.xavier_uniform_`: U(-b, b) with
 * b = gain * sqrt(6 / (fan_in + fan_out)).
 */
export function xavier_uniform_(tensor: Tensor, gain: GainOption = 1): Tensor {
	const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
	const std = gainOf(gain) * Math.sqrt(2.0 / (fanIn + fanOut));
	const bound = Math.sqrt(3.0) * std;
	return no_grad(() => tensor.uniform_(-bound, bound));
}

/** Glorot normal init, as `nn.init.xavier_normal_`: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavier_normal_(tensor: Tensor, gain: GainOption = 1): Tensor {
	const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
	const std = gainOf(gain) * Math.sqrt(2.0 / (fanIn + fanOut));
	return no_grad(() => tensor.normal_(0, std));
}

export interface KaimingOptions {
	/** Negative slope of the leaky_relu that follows (default 0). */
	a?: number;
	mode?: FanMode;
	nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, a: number | KaimingOptions, mode?: FanMode, nl?: Nonlinearity) {
	const opts = typeof a === 'number' ? { a, mode, nonlinearity: nl } : a;
	const fan = correctFan(tensor, opts.mode ?? 'fan_in');
	const gain = calculate_gain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
	return gain / Math.sqrt(fan);
}

/**
 * He uniform init, as `nn.init.kaiming_uniform_`: U(-b, b) with b = gain * sqrt(3 / fan),
 * fan from `mode` (default fan_in) and gain from `nonlinearity` (default leaky_relu with slope
 * `a` = 0, so sqrt(2)). nn.Linear uses it with `a: Math.sqrt(5)`.
 */
export function kaiming_uniform_(
	tensor: Tensor,
	a: number | KaimingOptions = 0,
	mode: FanMode = 'fan_in',
	nonlinearity: Nonlinearity = 'leaky_relu'
): Tensor {
	if (isEmpty(tensor)) return tensor;
	const std = kaimingStd(tensor, a, mode, nonlinearity);
	const bound = Math.sqrt(3.0) * std;
	return no_grad(() => tensor.uniform_(-bound, bound));
}

/** He normal init, as `nn.init.kaiming_normal_`: N(0, std²) with std = gain / sqrt(fan). */
export function kaiming_normal_(
	tensor: Tensor,
	a: number | KaimingOptions = 0,
	mode: FanMode = 'fan_in',
	nonlinearity: Nonlinearity = 'leaky_relu'
): Tensor {
	if (isEmpty(tensor)) return tensor;
	const std = kaimingStd(tensor, a, mode, nonlinearity);
	return no_grad(() => tensor.normal_(0, std));
}

/**
 * Fills `tensor` with a (semi-)orthogonal matrix, as `nn.init.orthogonal_`: the Q of the QR
 * decomposition of a standard normal draw (the same draws as PyTorch's), with signs fixed so
 * that R has a positive diagonal, times `gain`. Dimensions after the first are flattened.
 */
export function orthogonal_(tensor: Tensor, gain: GainOption = 1): Tensor {
	if (tensor.dim() < 2) {
		throw new ValueError(
			`Only tensors with 2 or more dimensions are supported, got shape ${formatShape(tensor.shape)}.`
		);
	}
	if (tensor.numel() === 0) return tensor;
	const rows = tensor.shape[0];
	const cols = tensor.numel() / rows;

	const drawn = normalFloat32(defaultGenerator, rows * cols, 0, 1);
	const q = orthonormalColumns(drawn, rows, cols);
	const scale = gainOf(gain);
	const values = q.map((v) => v * scale);
	return no_grad(() => fillFromHost('orthogonal_', tensor, values, tensor.dtype));
}

/**
 * Q of the QR decomposition of the rows x cols matrix `a` (of its transpose when rows < cols,
 * then transposed back), with each column's sign flipped so that R's diagonal is positive.
 * Householder reflections in binary64; returns the row-major rows x cols result.
 */
function orthonormalColumns(a: Float32Array, rows: number, cols: number): Float64Array {
	const wide = rows < cols;
	const m = wide ? cols : rows;
	const n = wide ? rows : cols;
	// Column-major m x n working copy of the (possibly transposed) matrix.
	const r = new Float64Array(m * n);
	for (let i = 0; i < rows; i++) {
		for (let j = 0; j < cols; j++) {
			const value = a[i * cols + j];
			if (wide) r[i * m + j] = value;
			else r[j * m + i] = value;
		}
	}

	const reflectors: Float64Array[] = [];
	const diagonal = new Float64Array(n);
	for (let k = 0; k < n; k++) {
		const v = householder(r, m, k);
		reflectors.push(v);
		for (let j = k; j < n; j++) reflect(v, r, m, j, k);
		diagonal[k] = r[k * m + k];
	}

	// Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
	const q = new Float64Array(m * n);
	for (let j = 0; j < n; j++) q[j * m + j] = 1;
	for (let k = n - 1; k >= 0; k--) {
		for (let j = 0; j < n; j++) reflect(reflectors[k], q, m, j, k);
	}

	const out = new Float64Array(rows * cols);
	for (let j = 0; j < n; j++) {
		const sign = Math.sign(diagonal[j]);
		for (let i = 0; i < m; i++) {
			const value = q[j * m + i] * sign;
			if (wide) out[j * cols + i] = value;
			else out[i * cols + j] = value;
		}
	}
	return out;
}

/** Returns the unit Householder vector that zeroes column k of `r` below the diagonal. */
function householder(r: Float64Array, m: number, k: number): Float64Array {
	const v = new Float64Array(m);
	let norm = 0;
	for (let i = k; i < m; i++) {
		v[i] = r[k * m + i];
		norm = Math.hypot(norm, v[i]);
	}
	if (norm === 0) return v;
	v[k] += v[k] >= 0 ? norm : -norm;
	let length = 0;
	for (let i = k; i < m; i++) length = Math.hypot(length, v[i]);
	for (let i = k; i < m; i++) v[i] /= length;
	return v;
}

/** Applies I - 2 v vᵀ to column j of the column-major matrix `x`. */
function reflect(v: Float64Array, x: Float64Array, m: number, j: number, k: number): void {
	let dot = 0;
	for (let i = k; i < m; i++) dot += v[i] * x[j * m + i];
	for (let i = k; i < m; i++) x[j * m + i] -= 2 * v[i] * dot;
}
