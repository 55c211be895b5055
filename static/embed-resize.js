// Resizes Gradient Playground iframes to their content. Include once on the page that embeds:
//   <script src="https://<playground host>/embed-resize.js" defer></script>
// Each /embed frame posts { height } (CSS pixels) whenever its content height changes; only
// messages whose source is one of this page's playground iframes are accepted.
(function () {
	'use strict';

	function playgroundFrames() {
		return Array.prototype.filter.call(document.getElementsByTagName('iframe'), function (frame) {
			return /\/embed(\/|#|\?|$)/.test(frame.getAttribute('src') || '');
		});
	}

	window.addEventListener('message', function (event) {
		var data = event.data;
		if (!data || typeof data !== 'object' || typeof data.height !== 'number') return;
		if (!isFinite(data.height) || data.height < 0) return;

		var frames = playgroundFrames();
		for (var i = 0; i < frames.length; i++) {
			if (frames[i].contentWindow === event.source) {
				// Cap at 10,000 px so a misbehaving frame cannot stretch the page without bound.
				frames[i].style.height = Math.min(Math.ceil(data.height), 10000) + 'px';
				return;
			}
		}
	});
})();
