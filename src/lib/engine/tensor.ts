/**
 * Tensor: a strided view onto a storage, with autograd state. Every method is spelled and
 * behaves as its PyTorch namesake. The work happens in ops/ (one file per family), so the
 * class reads as the table of contents of what a tensor can do.
 */
import { backwardInto, Node, type BackwardOptions } from './autograd';
import type { View } from './backends/backend';
import { backendNamed } from './backends/registry';
import {
	bool,
	float32,
	float64,
	int64,
	toDType,
	type DType,
	type DTypeLike,
	type TypedArray
} from './dtype';
import { Device } from './device';
import { AutogradError, DTypeError, UnsupportedOpError, ValueError } from './errors';
import * as reduceOps from './ops/reduce';
import * as unaryOps from './ops/unary';
import { dimArgs, dimList, isOptions, singleDim, type DimArg, type DimOptions } from './ops/args';
import * as binaryOps from './ops/binary';
import { binaryInplace, fillFromHost, inplace, unaryInplace } from './ops/inplace';
import * as indexing from './ops/indexing';
import { emptyOn, fullLike, uploadOn } from './ops/kernel';
import { linear, matmul, checkRanks } from './ops/matmul';
import * as movement from './ops/movement';
import * as sorting from './sorting';
import { log_softmax, logsumexp, softmax } from './ops/softmax';
import { formatTensor } from './printing';
import { defaultGenerator, normalFloat32, uniformFloat32, type Generator } from './random';
import { isContiguous, normalizeDim, numelOf, sizesFromArgs } from './shape';
import type { Storage } from './storage';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
export type { DimArg, DimOptions };

/** Data that `torch.tensor` and ops accept: nested arrays, numbers, typed arrays. */
export type TensorLike = Tensor | number | boolean | ArrayLike<number> | NestedArray;
export type NestedArray = ReadonlyArray<number | boolean | NestedArray>;

/** The check that `setReadCheck` installed, or null. */
let readCheck: (() => void) | null = null;

/**
 * Installs a function that runs when each read started from now on completes, before the code
 * that awaited it resumes. The notebook throws there when the run that started the read was
 * cancelled, so a loop that awaits reads stops at its next read instead of running on beside
 * the newer run.
 */
export function setReadCheck(check: (() => void) | null): void {
	readCheck = check;
}

/** A nested array of numbers (or booleans) with the tensor's shape, from `tolist()`. */
export type NestedList = number | boolean | NestedList[];

type Hook = (grad: Tensor) => Tensor | void;

export interface RemovableHandle {
	remove(): void;
}

export class Tensor implements View {
	/** Memory shared with views; kernels read it through shape, strides and offset. */
	storage: Storage;
	shape: readonly number[];
	/** Strides in elements, as `stride()` returns. */
	strides: readonly number[];
	/** Index of the first element in the storage, as `storage_offset()`. */
	offset: number;
	/** The gradient accumulated by backward(); settable, e.g. to null. */
	grad: Tensor | null = null;
	/** The node that created this tensor, or null for leaves. */
	grad_fn: Node | null = null;
	/** @internal The tensor whose storage this view reads, or null. */
	_base: Tensor | null = null;
	/** @internal Hooks on a leaf, run before its gradient accumulates. */
	_hooks: Hook[] | null = null;
	private _requiresGrad = false;

	constructor(
		storage: Storage,
		shape: readonly number[],
		strides: readonly number[],
		offset: number
	) {
		this.storage = storage;
		this.shape = shape;
		this.strides = strides;
		this.offset = offset;
	}

	get dtype(): DType {
		return this.storage.dtype;
	}

	// Metadata.

	get ndim(): number {
		return this.shape.length;
	}

	dim(): number {
		return this.shape.length;
	}

	numel(): number {
		return numelOf(this.shape);
	}

	nelement(): number {
		return numelOf(this.shape);
	}

	/** The shape as a new array, or the size of one dim. */
	size(): number[];
	size(dim: number): number;
	size(dim?: number): number[] | number {
		if (dim === undefined) return this.shape.slice();
		return this.shape[normalizeDim(dim, this.shape.length, 'size')];
	}

	stride(): number[];
	stride(dim: number): number;
	stride(dim?: number): number[] | number {
		if (dim === undefined) return this.strides.slice();
		return this.strides[normalizeDim(dim, this.shape.length, 'stride')];
	}

	storage_offset(): number {
		return this.offset;
	}

	is_contiguous(): boolean {
		return isContiguous(this.shape, this.strides);
	}

	element_size(): number {
		return this.dtype.itemsize;
	}

	is_floating_point(): boolean {
		return this.dtype.is_floating_point;
	}

	/** The backend this tensor lives on: 'cpu' or 'webgpu'. */
	get device(): string {
		return this.storage.backend.name;
	}

	get is_cuda(): boolean {
		return this.storage.backend.name === 'webgpu';
	}

	// Autograd.

	get requires_grad(): boolean {
		return this._requiresGrad;
	}

	set requires_grad(value: boolean) {
		if (value && !this.dtype.is_floating_point) {
			throw new DTypeError(
				`requires_grad: only Tensors of floating point dtype can require gradients, got ${this.dtype}`
			);
		}
		if (!value && this.grad_fn !== null) {
			throw new AutogradError(
				`requires_grad: you can only change requires_grad flags of leaf variables. Use .detach() to get a tensor without a graph`
			);
		}
		this._requiresGrad = value;
	}

	get is_leaf(): boolean {
		return this.grad_fn === null;
	}

	get retains_grad(): boolean {
		return this.grad_fn !== null && this.grad_fn.retained === this;
	}

	/** @internal Makes this tensor the output of `node`. */
	_setGradFn(node: Node): void {
		this.grad_fn = node;
		this._requiresGrad = true;
	}

	/** @internal A copy of the current value that keeps the current grad_fn. */
	_snapshot(): Tensor {
		const copy = emptyOn(this.storage.backend, this.shape, this.dtype);
		this.storage.backend.copy(this, copy);
		copy.grad_fn = this.grad_fn;
		copy._requiresGrad = this._requiresGrad;
		copy._hooks = this._hooks;
		return copy;
	}

	/**
	 * Computes gradients of this tensor with respect to graph leaves and accumulates them into
	 * their `.grad`, as `Tensor.backward`. A non-scalar tensor needs `gradient`.
	 */
	backward(gradient?: Tensor | BackwardOptions | null, options: BackwardOptions = {}): void {
		if (isOptions<BackwardOptions>(gradient)) {
			options = gradient;
			gradient = null;
		}
		backwardInto([this], [gradient ?? null], options);
	}

	/** Returns a tensor sharing this storage, outside any graph. */
	detach(): Tensor {
		return this._alias();
	}

	detach_(): this {
		this.grad_fn = null;
		this._requiresGrad = false;
		return this;
	}

	requires_grad_(requires_grad = true): this {
		this.requires_grad = requires_grad;
		return this;
	}

	/** Keeps `.grad` on a non-leaf tensor after backward, as `Tensor.retain_grad`. */
	retain_grad(): void {
		if (!this._requiresGrad) {
			throw new AutogradError(
				"retain_grad: can't retain_grad on Tensor that has requires_grad=False"
			);
		}
		if (this.grad_fn) this.grad_fn.retained = this;
	}

	/** Calls `hook(grad)` when this tensor's gradient is computed; it may return a replacement. */
	register_hook(hook: Hook): RemovableHandle {
		if (!this._requiresGrad) {
			throw new AutogradError(
				"register_hook: cannot register a hook on a tensor that doesn't require gradient"
			);
		}
		const owner = this.grad_fn ?? this;
		const hooks = this.grad_fn ? (this.grad_fn.hooks ??= []) : (this._hooks ??= []);
		hooks.push(hook);
		return {
			remove: () => {
				const list = owner === this ? this._hooks : this.grad_fn?.hooks;
				const i = list ? list.indexOf(hook) : -1;
				if (list && i >= 0) list.splice(i, 1);
			}
		};
	}

	/** The detached tensor sharing this storage, as `Tensor.data`; assigning swaps the storage. */
	get data(): Tensor {
		return this._alias();
	}

	set data(value: Tensor) {
		this.storage = value.storage;
		this.shape = value.shape;
		this.strides = value.strides;
		this.offset = value.offset;
	}

	private _alias(): Tensor {
		const alias = new Tensor(this.storage, this.shape, this.strides, this.offset);
		alias._base = this._base ?? this;
		return alias;
	}

	// Reading values back is asynchronous, because a GPU returns results later.

	/** Reads all elements in row-major order into a new typed array. */
	async array(): Promise<TypedArray> {
		const check = readCheck;
		const values = await this.storage.backend.read(this);
		check?.();
		return values;
	}

	/**
	 * Reads the single value of a one-element tensor, as `Tensor.item`. The result is always
	 * a number (a bool tensor gives 0 or 1), so that `await loss.item()` types as a number.
	 */
	async item(): Promise<number> {
		if (this.numel() !== 1) {
			throw new ValueError(
				`item: a Tensor with ${this.numel()} elements cannot be converted to Scalar. Use .tolist() or index one element first`
			);
		}
		return (await this.array())[0];
	}

	/** Reads the values as nested arrays with this tensor's shape, as `Tensor.tolist`. */
	async tolist(): Promise<NestedList> {
		return nest(await this.array(), this.shape, this.dtype === bool);
	}

	/** @internal Values read synchronously; CPU only (printing, anomaly checks). */
	_readSync(): TypedArray {
		const read = this.storage.backend.readSync;
		if (!read) {
			throw new UnsupportedOpError(
				'synchronous read',
				this.dtype.name,
				this.storage.backend.name,
				'await .array() instead'
			);
		}
		return read.call(this.storage.backend, this);
	}

	toString(): string {
		return formatTensor(this);
	}

	[Symbol.for('nodejs.util.inspect.custom')](): string {
		return this.toString();
	}

	// Copies and conversions.

	clone(): Tensor {
		return movement.clone(this);
	}

	contiguous(): Tensor {
		return movement.contiguous(this);
	}

	/**
	 * Converts dtype and/or moves to a backend, as `Tensor.to`: `to(torch.float64)`,
	 * `to('cpu')`, `to('webgpu')` ('cuda' names the GPU too), `to({ dtype, device })` or
	 * `to(other)` for other's dtype and backend.
	 */
	to(
		target: DTypeLike | string | Device | Tensor | { dtype?: DTypeLike; device?: string | Device }
	): Tensor {
		if (target instanceof Tensor) return this.to({ dtype: target.dtype, device: target.device });
		if (target instanceof Device) return this._toBackend(target.type);
		if (typeof target === 'string' && !isDTypeName(target)) return this._toBackend(target);
		if (typeof target === 'object' && !('is_floating_point' in target)) {
			const converted =
				target.dtype !== undefined ? movement.toDtype(this, toDType(target.dtype)) : this;
			return target.device !== undefined ? converted._toBackend(String(target.device)) : converted;
		}
		return movement.toDtype(this, toDType(target as DTypeLike));
	}

	private _toBackend(name: string): Tensor {
		const target = backendNamed(name);
		if (target === this.storage.backend) return this;
		// TODO: moving off a lazy backend needs an awaited read; only CPU sources work for now.
		const values = this._readSync();
		const moved = uploadOn(target, values, this.shape, this.dtype);
		moved._requiresGrad = this._requiresGrad && this.grad_fn === null;
		return moved;
	}

	cpu(): Tensor {
		return this.to('cpu');
	}

	/** Moves to the GPU backend, as `Tensor.cuda`; WebGPU plays CUDA's part here. */
	cuda(): Tensor {
		return this.to('webgpu');
	}

	float(): Tensor {
		return this.to(float32);
	}

	double(): Tensor {
		return this.to(float64);
	}

	long(): Tensor {
		return this.to(int64);
	}

	bool(): Tensor {
		return this.to(bool);
	}

	type_as(other: Tensor): Tensor {
		return this.to(other.dtype);
	}

	new_zeros(...sizes: (number | readonly number[] | { dtype?: DTypeLike })[]): Tensor {
		return this.new_full(sizesFromArgs(sizes, 'new_zeros'), 0, lastOptions(sizes));
	}

	new_ones(...sizes: (number | readonly number[] | { dtype?: DTypeLike })[]): Tensor {
		return this.new_full(sizesFromArgs(sizes, 'new_ones'), 1, lastOptions(sizes));
	}

	new_empty(...sizes: (number | readonly number[] | { dtype?: DTypeLike })[]): Tensor {
		return this.new_full(sizesFromArgs(sizes, 'new_empty'), 0, lastOptions(sizes));
	}

	new_full(size: readonly number[], value: number, options: { dtype?: DTypeLike } = {}): Tensor {
		const dtype = options.dtype !== undefined ? toDType(options.dtype) : this.dtype;
		return fullLike(this, size, value, dtype);
	}

	// Arithmetic.

	add(other: TensorOrScalar, options: { alpha?: number } = {}): Tensor {
		return binaryOps.add(this, other, options.alpha ?? 1);
	}

	sub(other: TensorOrScalar, options: { alpha?: number } = {}): Tensor {
		return binaryOps.sub(this, other, options.alpha ?? 1);
	}

	subtract(other: TensorOrScalar, options: { alpha?: number } = {}): Tensor {
		return this.sub(other, options);
	}

	rsub(other: TensorOrScalar, options: { alpha?: number } = {}): Tensor {
		return binaryOps.sub(other, this, options.alpha ?? 1);
	}

	mul(other: TensorOrScalar): Tensor {
		return binaryOps.mul(this, other);
	}

	multiply(other: TensorOrScalar): Tensor {
		return binaryOps.mul(this, other);
	}

	div(other: TensorOrScalar): Tensor {
		return binaryOps.div(this, other);
	}

	divide(other: TensorOrScalar): Tensor {
		return binaryOps.div(this, other);
	}

	true_divide(other: TensorOrScalar): Tensor {
		return binaryOps.div(this, other);
	}

	neg(): Tensor {
		return unaryOps.neg(this);
	}

	negative(): Tensor {
		return unaryOps.neg(this);
	}

	pow(exponent: TensorOrScalar): Tensor {
		if (exponent instanceof Tensor) return binaryOps.pow_tensor(this, exponent);
		return unaryOps.pow_scalar(this, Number(exponent));
	}

	square(): Tensor {
		return unaryOps.pow_scalar(this, 2);
	}

	exp(): Tensor {
		return unaryOps.exp(this);
	}

	expm1(): Tensor {
		return unaryOps.expm1(this);
	}

	log(): Tensor {
		return unaryOps.log(this);
	}

	log1p(): Tensor {
		return unaryOps.log1p(this);
	}

	sqrt(): Tensor {
		return unaryOps.sqrt(this);
	}

	rsqrt(): Tensor {
		return unaryOps.rsqrt(this);
	}

	abs(): Tensor {
		return unaryOps.abs(this);
	}

	sign(): Tensor {
		return unaryOps.sign(this);
	}

	sin(): Tensor {
		return unaryOps.sin(this);
	}

	cos(): Tensor {
		return unaryOps.cos(this);
	}

	tan(): Tensor {
		return unaryOps.tan(this);
	}

	erf(): Tensor {
		return unaryOps.erf(this);
	}

	sigmoid(): Tensor {
		return unaryOps.sigmoid(this);
	}

	tanh(): Tensor {
		return unaryOps.tanh(this);
	}

	relu(): Tensor {
		return unaryOps.relu(this);
	}

	reciprocal(): Tensor {
		return unaryOps.reciprocal(this);
	}

	floor(): Tensor {
		return unaryOps.floor(this);
	}

	ceil(): Tensor {
		return unaryOps.ceil(this);
	}

	round(): Tensor {
		return unaryOps.round(this);
	}

	trunc(): Tensor {
		return unaryOps.trunc(this);
	}

	/** Limits values to [min, max]; either bound may be null or omitted. */
	clamp(
		min?: number | null | { min?: number | null; max?: number | null },
		max?: number | null
	): Tensor {
		const bounds = clampBounds(min, max);
		return unaryOps.clamp(this, bounds.min, bounds.max);
	}

	clip(
		min?: number | null | { min?: number | null; max?: number | null },
		max?: number | null
	): Tensor {
		return this.clamp(min, max);
	}

	clamp_min(min: number): Tensor {
		return unaryOps.clamp(this, min, Infinity);
	}

	clamp_max(max: number): Tensor {
		return unaryOps.clamp(this, -Infinity, max);
	}

	maximum(other: Tensor): Tensor {
		return binaryOps.maximum(this, other);
	}

	minimum(other: Tensor): Tensor {
		return binaryOps.minimum(this, other);
	}

	lerp(end: Tensor, weight: TensorOrScalar): Tensor {
		return lerpOf(this, end, weight);
	}

	addcmul(tensor1: Tensor, tensor2: Tensor, options: { value?: number } = {}): Tensor {
		return this.add(tensor1.mul(tensor2).mul(options.value ?? 1));
	}

	addcdiv(tensor1: Tensor, tensor2: Tensor, options: { value?: number } = {}): Tensor {
		return this.add(tensor1.div(tensor2).mul(options.value ?? 1));
	}

	// Comparisons and masks (bool results).

	eq(other: TensorOrScalar): Tensor {
		return binaryOps.eq(this, other);
	}

	ne(other: TensorOrScalar): Tensor {
		return binaryOps.ne(this, other);
	}

	lt(other: TensorOrScalar): Tensor {
		return binaryOps.lt(this, other);
	}

	le(other: TensorOrScalar): Tensor {
		return binaryOps.le(this, other);
	}

	gt(other: TensorOrScalar): Tensor {
		return binaryOps.gt(this, other);
	}

	ge(other: TensorOrScalar): Tensor {
		return binaryOps.ge(this, other);
	}

	isnan(): Tensor {
		return unaryOps.isnan(this);
	}

	isinf(): Tensor {
		return unaryOps.isinf(this);
	}

	isfinite(): Tensor {
		return unaryOps.isfinite(this);
	}

	logical_not(): Tensor {
		return unaryOps.logical_not(this);
	}

	logical_and(other: TensorOrScalar): Tensor {
		return binaryOps.logical_and(this, other);
	}

	logical_or(other: TensorOrScalar): Tensor {
		return binaryOps.logical_or(this, other);
	}

	logical_xor(other: TensorOrScalar): Tensor {
		return binaryOps.logical_xor(this, other);
	}

	/** this where condition holds, else other, as `Tensor.where(condition, other)`. */
	where(condition: Tensor, other: TensorOrScalar): Tensor {
		return binaryOps.where(condition, this, other);
	}

	masked_fill(mask: Tensor, value: number | Tensor): Tensor {
		return binaryOps.masked_fill(this, mask, value);
	}

	all(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.allAny('all', this, r.dims, r.keepdim);
	}

	any(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.allAny('any', this, r.dims, r.keepdim);
	}

	// Reductions.

	sum(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.sum(this, r.dims, r.keepdim);
	}

	mean(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.mean(this, r.dims, r.keepdim);
	}

	prod(dim?: number | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.prod(this, r.dims, r.keepdim);
	}

	/**
	 * Variance with Bessel's correction by default, as `Tensor.var`: `var()`, `var(dim)`,
	 * `var(dim, unbiased)`, or `var({ dim, correction, unbiased, keepdim })`.
	 */
	var(
		dim?: DimArg | VarOptions | null,
		unbiased?: boolean | VarOptions,
		keepdim?: boolean
	): Tensor {
		const o = varArgs(dim, unbiased, keepdim);
		return reduceOps.variance(this, o.dims, o.correction, o.keepdim, false);
	}

	std(
		dim?: DimArg | VarOptions | null,
		unbiased?: boolean | VarOptions,
		keepdim?: boolean
	): Tensor {
		const o = varArgs(dim, unbiased, keepdim);
		return reduceOps.variance(this, o.dims, o.correction, o.keepdim, true);
	}

	amax(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.amax(this, r.dims, r.keepdim);
	}

	amin(dim?: DimArg | DimOptions | null, keepdim?: boolean | DimOptions): Tensor {
		const r = dimArgs(dim, keepdim);
		return reduceOps.amin(this, r.dims, r.keepdim);
	}

	/**
	 * `max()` is the largest element; `max(dim)` gives `{ values, indices }` (also `[values,
	 * indices]`); `max(other)` is the elementwise maximum.
	 */
	max(): Tensor;
	max(other: Tensor): Tensor;
	max(dim: number | DimOptions, keepdim?: boolean): reduceOps.ValuesIndices;
	max(dim?: number | DimOptions | Tensor, keepdim?: boolean): Tensor | reduceOps.ValuesIndices {
		if (dim === undefined) return reduceOps.max_all(this);
		if (dim instanceof Tensor) return binaryOps.maximum(this, dim);
		const options = isOptions<DimOptions>(dim) ? dim : { dim, keepdim };
		return reduceOps.extremeAlong('max', this, singleDim('max', options), options.keepdim ?? false);
	}

	min(): Tensor;
	min(other: Tensor): Tensor;
	min(dim: number | DimOptions, keepdim?: boolean): reduceOps.ValuesIndices;
	min(dim?: number | DimOptions | Tensor, keepdim?: boolean): Tensor | reduceOps.ValuesIndices {
		if (dim === undefined) return reduceOps.min_all(this);
		if (dim instanceof Tensor) return binaryOps.minimum(this, dim);
		const options = isOptions<DimOptions>(dim) ? dim : { dim, keepdim };
		return reduceOps.extremeAlong('min', this, singleDim('min', options), options.keepdim ?? false);
	}

	argmax(dim?: number | DimOptions | null, keepdim?: boolean): Tensor {
		const options = isOptions<DimOptions>(dim) ? dim : { dim, keepdim };
		const d =
			options.dim === undefined || options.dim === null ? null : singleDim('argmax', options);
		return reduceOps.argExtreme('max', this, d, options.keepdim ?? false);
	}

	argmin(dim?: number | DimOptions | null, keepdim?: boolean): Tensor {
		const options = isOptions<DimOptions>(dim) ? dim : { dim, keepdim };
		const d =
			options.dim === undefined || options.dim === null ? null : singleDim('argmin', options);
		return reduceOps.argExtreme('min', this, d, options.keepdim ?? false);
	}

	/** Sorts along a dim, as `Tensor.sort`; returns `{ values, indices }`, stable for ties. */
	sort(
		dim: number | sorting.SortOptions = -1,
		descending: boolean | sorting.SortOptions = false
	): sorting.SortResult {
		return sorting.sort(this, dim, descending);
	}

	argsort(dim: number | sorting.SortOptions = -1, descending = false): Tensor {
		return sorting.argsort(this, dim, descending);
	}

	/** The k largest entries along a dim, as `Tensor.topk`; returns `{ values, indices }`. */
	topk(k: number, options: number | sorting.TopkOptions = {}): sorting.SortResult {
		return sorting.topk(this, k, options);
	}

	cumsum(dim: number | DimOptions): Tensor {
		return reduceOps.cumsum(this, singleDim('cumsum', dim));
	}

	logsumexp(dim: DimArg | DimOptions, keepdim?: boolean): Tensor {
		const r = dimArgs(dim, keepdim);
		return logsumexp(this, r.dims, r.keepdim);
	}

	/**
	 * Computes the p-norm over all elements or `dim`, as `Tensor.norm`: p = 2 ('fro') by
	 * default, also 1, Infinity, -Infinity, 0 or any positive p.
	 */
	norm(
		p: number | 'fro' | NormOptions | null = 2,
		dim?: DimArg | NormOptions | null,
		keepdim = false
	): Tensor {
		const o: NormOptions = isOptions<NormOptions>(p)
			? p
			: isOptions<NormOptions>(dim)
				? { p: p ?? 2, ...dim }
				: { p: p ?? 2, dim, keepdim };
		const ord = o.p === undefined || o.p === 'fro' || o.p === null ? 2 : o.p;
		return reduceOps.vector_norm(this, ord, dimList(o.dim), o.keepdim ?? false);
	}

	softmax(dim: number | DimOptions): Tensor {
		return softmax(this, singleDim('softmax', dim));
	}

	log_softmax(dim: number | DimOptions): Tensor {
		return log_softmax(this, singleDim('log_softmax', dim));
	}

	// Matrix products.

	matmul(other: Tensor): Tensor {
		return matmul(this, other);
	}

	mm(other: Tensor): Tensor {
		checkRanks('mm', this, other, [2, 2]);
		return matmul(this, other);
	}

	bmm(other: Tensor): Tensor {
		checkRanks('bmm', this, other, [3, 3]);
		return matmul(this, other);
	}

	mv(vec: Tensor): Tensor {
		checkRanks('mv', this, vec, [2, 1]);
		return matmul(this, vec);
	}

	dot(other: Tensor): Tensor {
		checkRanks('dot', this, other, [1, 1]);
		return matmul(this, other);
	}

	/** @internal x W^T + b, the op behind F.linear. */
	_linear(weight: Tensor, bias: Tensor | null): Tensor {
		return linear(this, weight, bias);
	}

	// Shape and views.

	reshape(...shape: (number | readonly number[])[]): Tensor {
		return movement.reshape(this, sizeList(shape));
	}

	view(...shape: (number | readonly number[] | DType)[]): Tensor {
		return movement.view(this, sizeList(shape as (number | readonly number[])[]));
	}

	view_as(other: Tensor): Tensor {
		return movement.view(this, other.shape);
	}

	reshape_as(other: Tensor): Tensor {
		return movement.reshape(this, other.shape);
	}

	/** Merges dims start_dim..end_dim, given positionally or as `{ start_dim, end_dim }`. */
	flatten(start_dim: number | FlattenOptions = 0, end_dim = -1): Tensor {
		const o: FlattenOptions = isOptions<FlattenOptions>(start_dim)
			? start_dim
			: { start_dim, end_dim };
		return movement.flatten(this, o.start_dim ?? 0, o.end_dim ?? -1);
	}

	/** Drops size-1 dims: all, one (`squeeze(1)`) or several (`squeeze([0, 2])`). */
	squeeze(dim?: DimArg | DimOptions | null): Tensor {
		const value = isOptions<DimOptions>(dim) ? dim.dim : dim;
		return movement.squeeze(this, dimList(value));
	}

	unsqueeze(dim: number | DimOptions): Tensor {
		return movement.unsqueeze(this, singleDim('unsqueeze', dim));
	}

	transpose(dim0: number, dim1: number): Tensor {
		return movement.transpose(this, dim0, dim1);
	}

	swapaxes(dim0: number, dim1: number): Tensor {
		return movement.transpose(this, dim0, dim1);
	}

	/** Transpose of a tensor with at most 2 dims, as `Tensor.t`. */
	t(): Tensor {
		if (this.shape.length > 2) {
			throw new ValueError(
				`t() expects a tensor with <= 2 dimensions, but self is ${this.shape.length}D. Use .transpose(dim0, dim1) or .mT`
			);
		}
		return this.shape.length < 2 ? this : movement.transpose(this, 0, 1, 'TBackward0');
	}

	/** All dims reversed, as `Tensor.T`. */
	get T(): Tensor {
		return movement.permute(
			this,
			this.shape.map((_, d) => this.shape.length - 1 - d)
		);
	}

	/** The last two dims swapped, as `Tensor.mT`. */
	get mT(): Tensor {
		return movement.transpose(this, -2, -1);
	}

	permute(...dims: (number | readonly number[])[]): Tensor {
		return movement.permute(this, sizeList(dims));
	}

	expand(...sizes: (number | readonly number[])[]): Tensor {
		return movement.expand(this, sizeList(sizes));
	}

	expand_as(other: Tensor): Tensor {
		return movement.expand(this, other.shape);
	}

	narrow(dim: number, start: number, length: number): Tensor {
		return movement.narrow(this, dim, start, length);
	}

	select(dim: number, index: number): Tensor {
		return movement.select(this, dim, index);
	}

	/** Python indexing written as a string: `x.index(':, 1:3')`, `x.index('..., -1')`. */
	index(spec: string | number): Tensor {
		return indexing.index(this, spec);
	}

	index_select(dim: number | DimOptions, index: Tensor): Tensor;
	index_select(index: Tensor, options: DimOptions): Tensor;
	index_select(first: number | DimOptions | Tensor, second: Tensor | DimOptions): Tensor {
		return indexing.index_select(this, first, second);
	}

	gather(dim: number | DimOptions, index: Tensor): Tensor;
	gather(index: Tensor, options: DimOptions): Tensor;
	gather(first: number | DimOptions | Tensor, second: Tensor | DimOptions): Tensor {
		return indexing.gather(this, first, second);
	}

	scatter_add(dim: number, index: Tensor, src: Tensor): Tensor {
		return indexing.scatter_add(this, dim, index, src);
	}

	split(split_size: number | readonly number[], dim: number | DimOptions = 0): Tensor[] {
		return indexing.split(this, split_size, dim);
	}

	chunk(chunks: number, dim: number | DimOptions = 0): Tensor[] {
		return indexing.chunk(this, chunks, dim);
	}

	unbind(dim: number | DimOptions = 0): Tensor[] {
		return indexing.unbind(this, dim);
	}

	repeat(...sizes: (number | readonly number[])[]): Tensor {
		return indexing.repeat(this, sizeList(sizes));
	}

	// In-place ops: they return this tensor and bump its storage version.

	add_(other: TensorOrScalar, options: { alpha?: number } = {}): this {
		const alpha = options.alpha ?? 1;
		return binaryInplace('add_', 'add', this, other, (x) => x.add(other, { alpha }), alpha) as this;
	}

	sub_(other: TensorOrScalar, options: { alpha?: number } = {}): this {
		const alpha = options.alpha ?? 1;
		return binaryInplace('sub_', 'sub', this, other, (x) => x.sub(other, { alpha }), alpha) as this;
	}

	mul_(other: TensorOrScalar): this {
		return binaryInplace('mul_', 'mul', this, other, (x) => x.mul(other)) as this;
	}

	div_(other: TensorOrScalar): this {
		return binaryInplace('div_', 'div', this, other, (x) => x.div(other)) as this;
	}

	pow_(exponent: TensorOrScalar): this {
		if (exponent instanceof Tensor) {
			return binaryInplace('pow_', 'pow', this, exponent, (x) => x.pow(exponent)) as this;
		}
		const e = Number(exponent);
		return unaryInplace('pow_', 'pow_scalar', this, (x) => x.pow(e), e) as this;
	}

	/** this += value * tensor1 * tensor2, as `Tensor.addcmul_`. */
	addcmul_(tensor1: Tensor, tensor2: Tensor, options: { value?: number } = {}): this {
		const value = options.value ?? 1;
		return inplace(
			'addcmul_',
			this,
			[tensor1, tensor2],
			() => this.storage.backend.binary('add', this, tensor1.mul(value).mul_(tensor2), this, 1),
			(x) => x.addcmul(tensor1, tensor2, { value })
		) as this;
	}

	/** this += value * tensor1 / tensor2, as `Tensor.addcdiv_`. */
	addcdiv_(tensor1: Tensor, tensor2: Tensor, options: { value?: number } = {}): this {
		const value = options.value ?? 1;
		return inplace(
			'addcdiv_',
			this,
			[tensor1, tensor2],
			() => this.storage.backend.binary('add', this, tensor1.mul(value).div_(tensor2), this, 1),
			(x) => x.addcdiv(tensor1, tensor2, { value })
		) as this;
	}

	/** this += weight * (end - this), as `Tensor.lerp_`. */
	lerp_(end: Tensor, weight: TensorOrScalar): this {
		return inplace(
			'lerp_',
			this,
			[end, weight],
			() => this.storage.backend.copy(lerpOf(this, end, weight), this),
			(x) => lerpOf(x, end, weight)
		) as this;
	}

	/** Copies src (broadcast, converted) into this tensor, as `Tensor.copy_`. */
	copy_(src: Tensor): this {
		return inplace(
			'copy_',
			this,
			[src],
			() => this.storage.backend.copy(src, this),
			(x) => x.masked_fill(x.new_ones(x.shape, { dtype: bool }), 0).add(src.to(x.dtype))
		) as this;
	}

	fill_(value: number | boolean): this {
		const v = Number(value);
		return inplace(
			'fill_',
			this,
			[],
			() =>
				this.storage.backend.fill(
					this,
					this.dtype === bool
						? v
							? 1
							: 0
						: this.dtype === int64
							? Math.trunc(v)
							: this.dtype === float32
								? Math.fround(v)
								: v
				),
			(x) => x.masked_fill(x.new_ones(x.shape, { dtype: bool }), v)
		) as this;
	}

	zero_(): this {
		return this.fill_(0);
	}

	masked_fill_(mask: Tensor, value: number): this {
		return inplace(
			'masked_fill_',
			this,
			[mask],
			() => this.storage.backend.copy(binaryOps.masked_fill(this, mask, value), this),
			(x) => x.masked_fill(mask, value)
		) as this;
	}

	clamp_(
		min?: number | null | { min?: number | null; max?: number | null },
		max?: number | null
	): this {
		const bounds = clampBounds(min, max);
		return unaryInplace(
			'clamp_',
			'clamp',
			this,
			(x) => x.clamp(bounds),
			bounds.min,
			bounds.max
		) as this;
	}

	clamp_min_(min: number): this {
		return this.clamp_({ min });
	}

	clamp_max_(max: number): this {
		return this.clamp_({ max });
	}

	neg_(): this {
		return unaryInplace('neg_', 'neg', this, (x) => x.neg()) as this;
	}

	exp_(): this {
		return unaryInplace('exp_', 'exp', this, (x) => x.exp()) as this;
	}

	log_(): this {
		return unaryInplace('log_', 'log', this, (x) => x.log()) as this;
	}

	sqrt_(): this {
		return unaryInplace('sqrt_', 'sqrt', this, (x) => x.sqrt()) as this;
	}

	abs_(): this {
		return unaryInplace('abs_', 'abs', this, (x) => x.abs()) as this;
	}

	relu_(): this {
		return unaryInplace('relu_', 'relu', this, (x) => x.relu()) as this;
	}

	sigmoid_(): this {
		return unaryInplace('sigmoid_', 'sigmoid', this, (x) => x.sigmoid()) as this;
	}

	tanh_(): this {
		return unaryInplace('tanh_', 'tanh', this, (x) => x.tanh()) as this;
	}

	index_add_(dim: number, index: Tensor, source: Tensor): this {
		const d = normalizeDim(dim, this.shape.length, 'index_add_');
		return inplace(
			'index_add_',
			this,
			[source],
			() => this.storage.backend.indexAdd(this, d, index, source.to(this.dtype)),
			() => {
				throw new UnsupportedOpError(
					'index_add_',
					this.dtype.name,
					this.storage.backend.name,
					'with autograd'
				);
			}
		) as this;
	}

	/** Fills with U(from, to) draws in row-major order, as `Tensor.uniform_`. */
	uniform_(from = 0, to = 1, options: { generator?: Generator } = {}): this {
		const values = uniformFloat32(options.generator ?? defaultGenerator, this.numel(), from, to);
		return fillFromHost('uniform_', this, values, this.dtype) as this;
	}

	/** Fills with N(mean, std^2) draws, as `Tensor.normal_`. */
	normal_(mean = 0, std = 1, options: { generator?: Generator } = {}): this {
		const values = normalFloat32(options.generator ?? defaultGenerator, this.numel(), mean, std);
		return fillFromHost('normal_', this, values, this.dtype) as this;
	}
}

export interface VarOptions {
	dim?: DimArg | null;
	unbiased?: boolean;
	correction?: number;
	keepdim?: boolean;
}

export interface FlattenOptions {
	start_dim?: number;
	end_dim?: number;
}

export interface NormOptions {
	p?: number | 'fro' | null;
	dim?: DimArg | null;
	keepdim?: boolean;
}

function varArgs(
	dim: DimArg | VarOptions | null | undefined,
	unbiased: boolean | VarOptions | undefined,
	keepdim: boolean | undefined
): { dims: readonly number[] | null; correction: number; keepdim: boolean } {
	let o: VarOptions;
	if (isOptions<VarOptions>(dim)) o = dim;
	else if (typeof dim === 'boolean') o = { unbiased: dim };
	else o = { dim, ...(isOptions<VarOptions>(unbiased) ? unbiased : { unbiased, keepdim }) };
	const dims = dimList(o.dim);
	const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
	return { dims, correction, keepdim: o.keepdim ?? false };
}

function clampBounds(
	min: number | null | undefined | { min?: number | null; max?: number | null },
	max: number | null | undefined
): { min: number; max: number } {
	const o = typeof min === 'object' && min !== null ? min : { min, max };
	if ((o.min === undefined || o.min === null) && (o.max === undefined || o.max === null)) {
		throw new ValueError("clamp: At least one of 'min' or 'max' must not be None");
	}
	return { min: o.min ?? -Infinity, max: o.max ?? Infinity };
}

/** PyTorch's lerp: start + w (end - start) below w = 0.5, end - (end - start)(1 - w) above. */
function lerpOf(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
	const diff = end.sub(start);
	if (weight instanceof Tensor) {
		const low = start.add(diff.mul(weight));
		const high = end.sub(diff.mul(binaryOps.sub(1, weight)));
		return low.where(weight.lt(0.5), high);
	}
	const w = Number(weight);
	return w < 0.5 ? start.add(diff.mul(w)) : end.sub(diff.mul(1 - w));
}

function sizeList(args: readonly (number | readonly number[])[]): number[] {
	if (args.length === 1 && typeof args[0] !== 'number')
		return (args[0] as readonly number[]).slice();
	return args as number[];
}

function lastOptions(args: readonly unknown[]): { dtype?: DTypeLike } {
	const last = args[args.length - 1];
	return isOptions<{ dtype?: DTypeLike }>(last) ? last : {};
}

function isDTypeName(name: string): boolean {
	return ['float32', 'float', 'float64', 'double', 'int64', 'long', 'bool'].includes(name);
}

function nest(values: TypedArray, shape: readonly number[], asBool: boolean): NestedList {
	const convert = (v: number) => (asBool ? v !== 0 : v);
	if (shape.length === 0) return convert(values[0]);
	let position = 0;
	const build = (d: number): NestedList[] => {
		const out: NestedList[] = [];
		for (let i = 0; i < shape[d]; i++) {
			if (d === shape.length - 1) out.push(convert(values[position++]));
			else out.push(build(d + 1));
		}
		return out;
	};
	return build(0);
}
