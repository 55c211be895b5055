/** torch.optim.lr_scheduler: learning-rate schedules that rewrite `param_groups[i].lr`. */
export { LRScheduler, _LRScheduler } from './scheduler';
export {
	StepLR,
	MultiStepLR,
	ExponentialLR,
	LambdaLR,
	type StepLROptions,
	type MultiStepLROptions,
	type ExponentialLROptions,
	type LambdaLROptions,
	type LrLambda
} from './decay';
export {
	CosineAnnealingLR,
	LinearLR,
	type CosineAnnealingLROptions,
	type LinearLROptions
} from './annealing';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau';
