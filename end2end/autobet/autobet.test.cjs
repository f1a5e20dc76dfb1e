// The emulation the server (QuickJS) and the browser's worker run, against an independent
// replay written the way the public bustabit simulators run scripts: every example script,
// and scripts that hit each rule (refused bets, stop(), promises, timers), on the same
// crash points give the same balance, bets, wager total and stop reason.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
require('../../models/src/strategy/autobet.js');
const { replay } = require('./reference.cjs');

const EXAMPLES = path.join(__dirname, '..', '..', 'models', 'src', 'strategy', 'examples');

/** Fair crash points with house edge h from a seeded generator (Mulberry32). */
function crashes(n, seed, h = 0.01) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Math.max(1, Math.floor(100 * (1 - h) / (1 - rand())) / 100));
}

/** Runs a script with the emulation, draining the job queue between games as a host does. */
async function emulate(script, points, balance, chosen = {}) {
  const config = Autobet.configWith(script, chosen);
  const session = Autobet.start(Autobet.compile(script), config, { crashes: points, balance, houseEdge: 0.01 });
  await new Promise((r) => setImmediate(r));
  while (session.next()) await new Promise((r) => setImmediate(r));
  return session.finish();
}

const SCRIPTS = {
  async_bet: `
var config = { w: { value: 200, type: 'balance', label: 'w' } };
let placed = 0;
engine.on('GAME_STARTING', async () => {
  await engine.bet(config.w.value, 1.5);
  placed += 1;
  if (placed === 40) stop('forty bets');
});`,
  too_big: `
let w = 10000;
engine.on('GAME_STARTING', () => engine.bet(w, 3));
engine.on('GAME_ENDED', () => { const g = engine.history.first(); w = g.cashedAt ? 10000 : w * 2; });`,
  invalid: `
let n = 0;
engine.on('GAME_STARTING', () => { n += 1; engine.bet(n < 5 ? 100 : 150, 2); });`,
  low_payout: `engine.on('GAME_STARTING', () => engine.bet(100, n++ < 3 ? 2 : 1)); var n = 0;`,
  cancel_and_queue: `
engine.on('GAME_STARTING', () => {
  engine.bet(100, 2);
  if (engine.history.toArray().length % 3 === 0) engine.cancelQueuedBet();
  if (engine.isBetQueued()) log('queued', engine.getCurrentBet().payout);
});`,
};

test('every example script replays exactly like the reference', async () => {
  for (const name of fs.readdirSync(EXAMPLES)) {
    const script = fs.readFileSync(path.join(EXAMPLES, name), 'utf8');
    for (const seed of [1, 2, 3]) {
      const points = crashes(2000, seed);
      const ours = await emulate(script, points, 1_000_000);
      const ref = await replay(script, points, 1_000_000);
      assert.strictEqual(ours.balance, ref.balance, `${name} seed ${seed}: balance`);
      assert.strictEqual(ours.bets, ref.bets, `${name} seed ${seed}: bets`);
      assert.strictEqual(ours.wagered, ref.wagered, `${name} seed ${seed}: wagered`);
      assert.ok(ours.bets > 0, `${name} placed no bet`);
    }
  }
});

const STOPS = { async_bet: 'forty bets', too_big: 'BET_TOO_BIG', invalid: 'INVALID_BET', low_payout: 'PAYOUT_TOO_LOW', cancel_and_queue: null };

test('refused bets, stop(), promises and a cancelled bet follow the reference', async () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    const points = crashes(500, 7);
    const ours = await emulate(script, points, 50_000);
    const ref = await replay(script, points, 50_000);
    assert.strictEqual(ours.balance, ref.balance, `${name}: balance`);
    assert.strictEqual(ours.bets, ref.bets, `${name}: bets`);
    assert.strictEqual(ours.wagered, ref.wagered, `${name}: wagered`);
    const reason = ours.stopped === null ? null : ours.stopped.replace(/ \(game.*$/, '');
    assert.strictEqual(reason, ref.stopped, `${name}: stop`);
    assert.strictEqual(reason, STOPS[name], `${name}: the rule it is named for`);
  }
});

test('the inputs of the config block become the form, balances given in bits', () => {
  const script = fs.readFileSync(path.join(EXAMPLES, 'martingale.js'), 'utf8');
  const inputs = Autobet.inputs(script);
  assert.deepStrictEqual(inputs.map((i) => [i.key, i.type]), [
    ['baseBet', 'balance'], ['payout', 'multiplier'], ['multiplier', 'multiplier'], ['maxLosses', 'multiplier'],
  ]);
  const config = Autobet.configWith(script, { baseBet: '5', payout: '1,5' });
  assert.strictEqual(config.baseBet.value, 500);
  assert.strictEqual(config.payout.value, 1.5);
  assert.throws(() => Autobet.configWith(script, { nope: '1' }), /no input "nope".*baseBet/);
  assert.throws(() => Autobet.configWith(script, { payout: 'two' }), /needs a number/);
});

test('a manual cash-out is refused by name, and errors name the line and the game', async () => {
  assert.throws(() => Autobet.compile('engine.on("GAME_STARTED", () => engine.cashOut());'), /engine\.cashOut\(\)/);
  const broken = 'engine.on("GAME_STARTING", () => engine.bet(100, 2));\nengine.on("GAME_ENDED", () => {\n  nope();\n});';
  const r = await emulate(broken, crashes(10, 1), 10_000);
  assert.match(r.failure, /nope/);
  assert.match(r.failure, /line 3\)/);
  assert.match(r.failure, /game 1\)/);
  assert.strictEqual(r.bets, 1);
});
