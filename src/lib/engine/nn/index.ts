/**
 * torch.nn: Module and Parameter, the layers and losses, and the `functional`, `init` and
 * `utils` namespaces.
 */
export {
	Module,
	type AnyModule,
	type ForwardHook,
	type ForwardPreHook,
	type RemovableHandle
} from './module';
export type { BackwardHook } from './backward-hooks';
export { Parameter } from './parameter';
export { Sequential, ModuleList, ModuleDict } from './containers';
export { Linear, Identity, Flatten } from './linear';
export { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, Softmax, LogSoftmax } from './activation';
export { Dropout } from './dropout';
export {
	BatchNorm1d,
	LayerNorm,
	type BatchNormOptions,
	type LayerNormOptions
} from './normalization';
export {
	MSELoss,
	L1Loss,
	NLLLoss,
	CrossEntropyLoss,
	BCELoss,
	BCEWithLogitsLoss,
	type Reduction
} from './loss';
export * as functional from '../functional';
export * as init from '../init';
export * as utils from './utils';
