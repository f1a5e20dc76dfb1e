// An independent replay of bustabit autobet scripts, written the way the public script
// simulators run them (an EventEmitter engine, the script evaluated with the names it is
// given, setImmediate between games so promise callbacks run between games). The tests
// check models/src/strategy/autobet.js against it game for game.
const { EventEmitter } = require('node:events');

function replay(script, crashes, balance, chosen = {}) {
  return new Promise((resolve) => {
    const engine = new EventEmitter();
    let next = null;
    const history = [];
    engine.history = {
      first: () => history[0] ?? null,
      last: () => history[history.length - 1] ?? null,
      toArray: () => history.slice(),
    };
    engine.bet = (wager, payout) => new Promise((res, rej) => {
      next = { wager, payout: Math.round(payout * 100) / 100, res, rej };
    }).catch(() => {});
    engine.getCurrentBet = () => (next ? { wager: next.wager, payout: next.payout } : undefined);
    engine.isBetQueued = () => !!next;
    engine.cancelQueuedBet = () => { next = null; };
    const userInfo = { balance, bets: 0, wagered: 0, profit: 0 };
    const lines = [];
    let stopped = null;
    const log = (...a) => lines.push(a.join(' '));
    const stop = (why) => { if (stopped === null) stopped = why === undefined ? 'stop()' : String(why); };
    // The config block: the script's own, with the player's values.
    const m = /var\s+config\s*=\s*(\{[\s\S]*?\});/.exec(script);
    const config = m ? eval('(' + m[1] + ')') : {};
    for (const [k, v] of Object.entries(chosen)) config[k].value = v;
    const body = m ? script.replace(m[0], '') : script;
    new Function('config', 'engine', 'userInfo', 'log', 'stop', body)(config, engine, userInfo, log, stop);
    let i = 0;
    let wagered = 0;
    let bets = 0;
    const end = (reason) => resolve({ balance: userInfo.balance, bets, wagered, stopped: reason ?? stopped, log: lines });
    const game = () => {
      if (i >= crashes.length || stopped !== null) return end();
      const bust = crashes[i];
      engine.emit('GAME_STARTING', { gameId: i + 1 });
      const bet = next;
      next = null;
      const entry = { id: i + 1, hash: '', bust, wager: 0, cashedAt: 0 };
      if (bet) {
        if (isNaN(bet.wager) || bet.wager < 100 || bet.wager % 100 !== 0) { bet.rej('INVALID_BET'); return end('INVALID_BET'); }
        if (userInfo.balance - bet.wager < 0) { bet.rej('BET_TOO_BIG'); return end('BET_TOO_BIG'); }
        if (bet.payout <= 1) { bet.rej('PAYOUT_TOO_LOW'); return end('PAYOUT_TOO_LOW'); }
        userInfo.balance -= bet.wager;
        bets += 1;
        wagered += bet.wager;
        bet.res(null);
      }
      engine.emit('GAME_STARTED', null);
      if (bet) {
        entry.wager = bet.wager;
        if (bet.payout <= bust) entry.cashedAt = bet.payout;
        userInfo.balance += entry.cashedAt * entry.wager;
      }
      history.unshift(entry);
      if (history.length > 50) history.pop();
      if (entry.cashedAt > 0) engine.emit('CASHED_OUT', { cashedAt: entry.cashedAt, wager: entry.wager });
      engine.emit('GAME_ENDED', { hash: '', bust });
      i += 1;
      setImmediate(game);
    };
    setImmediate(game);
  });
}

module.exports = { replay };
