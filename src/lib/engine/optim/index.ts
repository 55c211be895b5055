/** torch.optim: optimizers and the `lr_scheduler` namespace. */
export { Optimizer, type ParamGroup, type Params, type OptimizerStateDict } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export { RMSprop, type RMSpropOptions } from './rmsprop';
export { Adagrad, type AdagradOptions } from './adagrad';
export * as lr_scheduler from './lr-scheduler';
