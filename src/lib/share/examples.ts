/**
 * The example notebooks in static/notebooks/, in the order of the blog posts they accompany.
 * A unit test checks this list against the files, so a new file must be added here.
 */

export interface Example {
	/** File name without `.json`, as `?example=` takes it. */
	name: string;
	/** The notebook file's own title. */
	title: string;
	/** The blog post it accompanies, such as "1.2". */
	post: string;
}

export const EXAMPLES: readonly Example[] = [
	{
		name: 'linear-regression',
		title: 'Linear regression: the exact loss surface and the descent path',
		post: '1.2'
	},
	{ name: 'batch-vs-sgd', title: 'Batch against stochastic gradient descent', post: '1.3' },
	{ name: 'loss-landscape', title: 'The loss landscape of an MLP', post: '1.4' },
	{ name: 'gradient-check', title: 'Numerical against analytical gradients', post: '2.1' },
	{ name: 'optimizers', title: 'Optimizers: SGD, momentum, RMSprop and Adam', post: '2.6' },
	{ name: 'lr-schedules', title: 'Learning-rate schedules', post: '2.7' },
	{ name: 'post-3-4', title: 'Deeper Networks and Backprop Challenges (post 3.4)', post: '3.4' },
	{
		name: 'batchnorm',
		title: 'Training a deep network with and without BatchNorm',
		post: '3.5'
	}
];
