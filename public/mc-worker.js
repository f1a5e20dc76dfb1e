// The strategy lab's Monte Carlo off the page's thread (app/src/pages/strategies.rs):
// the page posts {request, houseEdge}; this answers {kind: "progress", done, total}
// while it runs, then {kind: "done", result} (JSON text) or {kind: "error", message}.
// Cancelling is the page terminating this worker.
import init, { simulate_in_worker } from '/pkg/jetx.js';

const ready = init();

self.onmessage = async (event) => {
  try {
    await ready;
    const { request, houseEdge } = event.data;
    const result = simulate_in_worker(request, houseEdge, (done, total) =>
      self.postMessage({ kind: 'progress', done, total }));
    self.postMessage({ kind: 'done', result });
  } catch (e) {
    self.postMessage({ kind: 'error', message: String((e && e.message) || e) });
  }
};
