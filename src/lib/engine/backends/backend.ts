/**
 * The contract every backend implements. The frontend (Tensor, autograd, ops) owns shapes,
 * dtypes and autograd; a backend owns memory and runs kernels on strided views.
 *
 * Rules that hold for every member:
 * - Strides and offsets are in elements. A view may be non-contiguous (transpose), broadcast
 *   (stride 0) or offset (slice); kernels read it as it is, without a copy first.
 * - Kernels return nothing. A lazy backend (WebGPU) may record the call and run it later, so
 *   a kernel must not be expected to have run until `read` resolves. Errors that depend on
 *   values (an index out of range) may therefore surface at the next read.
 * - `out` views are written in row-major order of `out.shape`. The frontend allocates them
 *   contiguous, except for in-place ops and copies into slices, where `out` is the target
 *   view. An `out` that aliases an input is allowed only for elementwise kernels with the
 *   same shape and strides (in-place ops).
 * - float32 kernels return what PyTorch 1.13's float32 CPU kernels return, within the
 *   tolerances of the golden op cases.
 */
import type { DType, TypedArray } from '../dtype';

export type BackendName = 'cpu' | 'webgpu';

/** Backend-owned memory: a typed array on the CPU, a GPUBuffer on WebGPU. */
export type StorageData = object;

/** A strided window onto a storage. A Tensor satisfies it. */
export interface View {
	readonly storage: { readonly data: StorageData };
	readonly shape: readonly number[];
	readonly strides: readonly number[];
	readonly offset: number;
	readonly dtype: DType;
}

export type UnaryOp =
	| 'neg'
	| 'exp'
	| 'expm1'
	| 'log'
	| 'log1p'
	| 'sqrt'
	| 'rsqrt'
	| 'abs'
	| 'sign'
	| 'sin'
	| 'cos'
	| 'tan'
	| 'erf'
	| 'sigmoid'
	| 'tanh'
	| 'relu'
	| 'reciprocal'
	| 'square'
	| 'floor'
	| 'ceil'
	| 'round'
	| 'trunc'
	| 'isnan'
	| 'isinf'
	| 'isfinite'
	| 'logical_not'
	/** x > 0 ? x : x * p */
	| 'leaky_relu'
	/** 0.5 x (1 + erf(x / sqrt 2)) */
	| 'gelu'
	/** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
	| 'gelu_tanh'
	/** min(max(x, p), q); NaN stays NaN */
	| 'clamp'
	/** x ** p */
	| 'pow_scalar'
	/** p ** x */
	| 'rpow_scalar';

export type BinaryOp =
	/** a + p * b */
	| 'add'
	/** a - p * b */
	| 'sub'
	| 'mul'
	| 'div'
	| 'pow'
	| 'maximum'
	| 'minimum'
	| 'eq'
	| 'ne'
	| 'lt'
	| 'le'
	| 'gt'
	| 'ge'
	| 'logical_and'
	| 'logical_or'
	| 'logical_xor'
	/** Gradient rules fused into one kernel, with a = gradOutput and b as named. */
	| 'sigmoid_backward' // b = sigmoid output: a * (1 - b) * b
	| 'tanh_backward' // b = tanh output: a * (1 - b * b)
	| 'relu_backward' // b = relu output: b > 0 ? a : 0
	| 'leaky_relu_backward' // b = input, p = slope: b > 0 ? a : a * p
	| 'gelu_backward' // b = input, exact erf form
	| 'gelu_tanh_backward' // b = input, tanh form
	| 'clamp_backward'; // b = input: p <= b <= q ? a : 0

export type ReduceOp =
	| 'sum'
	| 'mean'
	| 'prod'
	| 'amax'
	| 'amin'
	| 'all'
	| 'any'
	/**
	 * Euclidean norm with PyTorch's float32 results at both ends: Infinity where the float32
	 * sum of squares overflows (above about 1.8e19), and squares that round to subnormals as
	 * float32 rounds them. The CPU backend squares in float32 as PyTorch does. A backend that
	 * flushes subnormals should divide by the largest absolute element before squaring and
	 * still return Infinity where the unscaled float32 sum of squares would overflow.
	 */
	| 'norm2'
	/**
	 * The sum and the mean of x * x, each square rounded to x's dtype before it is added: what
	 * `x.mul(x).sum()` and `x.mul(x).mean()` compute, in one kernel (F.mse_loss uses them).
	 */
	| 'sum_squares'
	| 'mean_squares';

/** A scalar operand, already rounded by the frontend to the dtype the op computes in. */
export type Operand = View | number;

export interface Backend {
	readonly name: BackendName;

	/** Zero-filled memory for `size` elements. */
	allocate(size: number, dtype: DType): StorageData;
	/** Memory holding `values` converted to `dtype`. */
	upload(values: ArrayLike<number>, dtype: DType): StorageData;
	/** The view's elements in row-major order, in a fresh host array. */
	read(view: View): Promise<TypedArray>;
	/** As `read`, synchronously; only CPU-only paths (anomaly checks, printing) call it. */
	readSync?(view: View): TypedArray;
	/** Frees memory early; never required for correctness. */
	release?(data: StorageData): void;
	/**
	 * Called once for each new storage with the frontend object that is the only owner of
	 * `data`, so the backend may reuse the memory once that object is unreachable.
	 */
	own?(owner: object, data: StorageData): void;

	/** out = src, converting dtype; src broadcasts to out.shape. */
	copy(src: View, out: View): void;
	/** Sets every element of `out`. */
	fill(out: View, value: number): void;
	/** out = op(x), with scalar parameters p and q where the op names them. */
	unary(op: UnaryOp, x: View, out: View, p?: number, q?: number): void;
	/** out = op(a, b); a and b broadcast to out.shape, and one of them may be a number. */
	binary(op: BinaryOp, a: Operand, b: Operand, out: View, p?: number, q?: number): void;
	/** out = cond ? a : b, broadcasting all three to out.shape. */
	where(cond: View, a: Operand, b: Operand, out: View): void;
	/** Reduces x over `dims`; out has x's rank with those dims of size 1. */
	reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void;
	/**
	 * Writes the sum or mean of (a - b)^2 over every element into the one-element `out`, for a
	 * and b of one shape and one float dtype. Each difference and square is rounded to that
	 * dtype, as `a.sub(b)` and then a `sum_squares` or `mean_squares` reduction round them.
	 * Backends that launch kernels implement it to save launches; others leave it out.
	 */
	reduceSquaredDifference?(op: 'sum' | 'mean', a: View, b: View, out: View): void;
	/**
	 * Max or min along `dim` with the index of the first extreme (NaN counts as the extreme).
	 * values and indices (int64) have x's rank with `dim` of size 1; values may be null.
	 */
	argReduce(op: 'max' | 'min', x: View, dim: number, values: View | null, indices: View): void;
	/**
	 * Batched matrix product: a [..., n, k] times b [..., k, m] into out [..., n, m]; the batch
	 * dims of a and b broadcast to out's.
	 */
	matmul(a: View, b: View, out: View): void;
	/** out[i][j] = x[i][index[i][j]] along `dim` (shown for dim 1); out.shape = index.shape. */
	gather(x: View, dim: number, index: View, out: View): void;
	/** out[i][index[i][j]] += src[i][j] along `dim`, in place. */
	scatterAdd(out: View, dim: number, index: View, src: View): void;
	/** out = x with positions `index` (1-D int64) taken along `dim`. */
	indexSelect(x: View, dim: number, index: View, out: View): void;
	/** out[index[i]] += src[i] along `dim`, in place. */
	indexAdd(out: View, dim: number, index: View, src: View): void;
	/** Running sum along `dim`. */
	cumsum(x: View, dim: number, out: View): void;
}
