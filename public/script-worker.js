// The strategy lab's Monte Carlo of a player's bustabit autobet script, in this browser
// (app/src/pages/strategies): the page posts {request, houseEdge}; this answers
// {kind: "progress", done, total} while it runs, then {kind: "done", result} (JSON text)
// or {kind: "error", message}. The lab's engine is the app's wasm (the same paths and
// report as the server); the script runs here in JavaScript, with the same emulation the
// server runs in QuickJS (/autobet.js). Cancelling is the page terminating this worker.
import init, { simulate_script_in_worker } from '/pkg/jetx.js';
import '/autobet.js';

const ready = init();

// The script gets no network: what could reach the server is removed before it runs.
function lockDown() {
  const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts',
    'indexedDB', 'caches', 'BroadcastChannel', 'WebTransport'];
  for (let o = self; o; o = Object.getPrototypeOf(o)) {
    for (const name of names) {
      try { delete o[name]; } catch (e) { /* not configurable */ }
    }
  }
  for (const name of names) {
    try { Object.defineProperty(self, name, { value: undefined, configurable: false, writable: false }); } catch (e) { /* gone */ }
  }
}

// The inputs as the form sends them (numbers or text) → text, as the server reads them.
function texts(params) {
  const out = {};
  for (const [k, v] of Object.entries(params || {})) out[k] = String(v);
  return out;
}

self.onmessage = async (event) => {
  try {
    await ready;
    lockDown();
    const { request, houseEdge } = event.data;
    const req = JSON.parse(request);
    if (/\b(async|await|then|Promise)\b/.test(req.script || '')) {
      throw new Error('this script uses promises: it runs on the server (untick "in this browser")');
    }
    const config = Autobet.configWith(req.script, texts(req.params));
    const compiled = Autobet.compile(req.script);
    const sessions = new Map();
    let next = 1;
    self.AutobetHost = {
      start(balance, edge) {
        const id = next++;
        sessions.set(id, Autobet.start(compiled, config, { balance, houseEdge: edge, maxLog: 0 }));
        return id;
      },
      begin(id) { return sessions.get(id).begin(); },
      end(id, crash) { return sessions.get(id).end(crash); },
      failure(id) { const s = sessions.get(id); return s ? s.finish().failure : null; },
      close(id) { sessions.delete(id); },
    };
    const result = simulate_script_in_worker(request, houseEdge, (done, total) =>
      self.postMessage({ kind: 'progress', done, total }));
    self.postMessage({ kind: 'done', result });
  } catch (e) {
    self.postMessage({ kind: 'error', message: String((e && e.message) || e) });
  }
};
