/**
 * Turns the `nb=` payload of a link into what a notebook session opens: the notebook, the
 * autosave entry it uses and what to do with a saved copy. A damaged link opens the cells the
 * codec recovered, under an autosave entry of its own, so no saved notebook is touched.
 */

import { decodeNotebook } from './codec';
import { NOTEBOOK_VERSION, type NotebookDocument } from './format';
import { linkAutosaveName } from './link';

export interface OpenedNotebook {
	/** The codec's message when the link is damaged, else null. */
	damage: string | null;
	session: {
		/** Autosave name, one per notebook. */
		name: string;
		original: NotebookDocument;
		saved?: 'apply' | 'offer';
	};
}

export const RECOVERED_TITLE = 'Recovered from a damaged link';

/**
 * Opens a link's notebook in the playground ('link') or in an embed ('embed'). The playground
 * offers a differing saved copy for restoring, because the link's notebook wins. An embed
 * applies it, so that a reader's edits survive a reload of the page that embeds it; the
 * author cannot change an embedded notebook without changing its payload and thus its entry.
 */
export function openLinkedNotebook(payload: string, where: 'link' | 'embed'): OpenedNotebook {
	const decoded = decodeNotebook(payload);
	if (decoded.ok) {
		return {
			damage: null,
			session: {
				name: linkAutosaveName(where, payload),
				original: decoded.notebook,
				saved: where === 'link' ? 'offer' : 'apply'
			}
		};
	}

	const cells = decoded.recovered.length > 0 ? decoded.recovered : [{ id: 'cell-1', code: '' }];
	return {
		damage: decoded.message,
		session: {
			name: linkAutosaveName('damaged', payload),
			original: { version: NOTEBOOK_VERSION, title: RECOVERED_TITLE, cells, inputs: {} },
			saved: 'offer'
		}
	};
}
