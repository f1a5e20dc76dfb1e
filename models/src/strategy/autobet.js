// The bustabit autobet engine, emulated: runs a player's unchanged autobet script over a
// list of crash points, the way bustabit and the public script simulators run it. The same
// file runs in QuickJS on the server (models/src/strategy/autobet.rs) and in the browser's
// script worker (public/script-worker.js), so both give the same numbers.
//
// Money is in satoshis as on bustabit (100 satoshis = 1 bit); a wager must be whole bits.
// Per game: GAME_STARTING is emitted; the queued bet is checked (INVALID_BET, BET_TOO_BIG,
// a payout of at most 1 end the run) and its wager leaves the balance; GAME_STARTED; the
// bet wins when its payout is at most the crash point and pays wager × payout (CASHED_OUT);
// the game goes to the front of engine.history; GAME_ENDED. stop() ends the run after the
// game it was called in. Timers run before the next game, never later.
'use strict';

var Autobet = (function () {
  var HISTORY_SIZE = 50;
  var EVENTS = ['GAME_STARTING', 'GAME_STARTED', 'GAME_ENDED', 'CASHED_OUT', 'BET_PLACED',
    'PLAYER_BET', 'CASHED_OUT_PLAYERS', 'CHAT_MESSAGE'];

  // ---------------------------------------------------------------------------------
  // The script's `var config = { … }` block: found with a small scanner (strings, comments
  // and regular expressions skipped), evaluated on its own for the form of inputs, and
  // replaced by the values the player chose before the script runs.

  function skipString(text, i) {
    var quote = text[i];
    for (i++; i < text.length; i++) {
      if (text[i] === '\\') { i++; continue; }
      if (text[i] === quote) return i + 1;
      if (quote === '`' && text[i] === '$' && text[i + 1] === '{') {
        i = matchBrace(text, i + 1) - 1;
      }
    }
    return i;
  }

  function skipComment(text, i) {
    if (text[i + 1] === '/') {
      var end = text.indexOf('\n', i);
      return end < 0 ? text.length : end;
    }
    var close = text.indexOf('*/', i + 2);
    return close < 0 ? text.length : close + 2;
  }

  // The index after the `}` matching the `{` at `open`.
  function matchBrace(text, open) {
    var depth = 0;
    for (var i = open; i < text.length;) {
      var c = text[i];
      if (c === '"' || c === "'" || c === '`') { i = skipString(text, i); continue; }
      if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) { i = skipComment(text, i); continue; }
      if (c === '{') depth++;
      if (c === '}') { depth--; if (depth === 0) return i + 1; }
      i++;
    }
    return -1;
  }

  // Where `config` is declared at the top level: [start, end) of `var config = {…};`.
  function findConfig(text) {
    var re = /(^|[;\s])(var|let|const)\s+config\s*=\s*\{/g;
    var depth = 0;
    for (var i = 0; i < text.length;) {
      var c = text[i];
      if (c === '"' || c === "'" || c === '`') { i = skipString(text, i); continue; }
      if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) { i = skipComment(text, i); continue; }
      if (depth === 0 && (c === 'v' || c === 'l' || c === 'c')) {
        re.lastIndex = Math.max(0, i - 1);
        var m = re.exec(text);
        if (m && m.index + m[1].length === i) {
          var open = re.lastIndex - 1;
          var close = matchBrace(text, open);
          if (close < 0) return null;
          var end = close;
          while (end < text.length && /[ \t]/.test(text[end])) end++;
          if (text[end] === ';') end++;
          return { start: i, end: end, object: text.slice(open, close) };
        }
      }
      if (c === '{') depth++;
      if (c === '}') depth--;
      i++;
    }
    return null;
  }

  var INPUT_TYPES = ['text', 'noop', 'radio', 'checkbox', 'balance', 'multiplier', 'combobox',
    'number'];

  // The inputs the script declares, in order: {key, type, label, value, optional, options}.
  function inputs(script) {
    var found = findConfig(script);
    if (!found) return [];
    var config = (0, eval)('(' + found.object + ')');
    return Object.keys(config).map(function (key) {
      var c = config[key] || {};
      var type = INPUT_TYPES.indexOf(c.type) >= 0 ? c.type : 'text';
      var options = null;
      if (c.options && typeof c.options === 'object') {
        options = Object.keys(c.options).map(function (k) {
          var o = c.options[k];
          return { key: k, label: o && o.label !== undefined ? String(o.label) : k,
            value: o && o.value !== undefined ? o.value : null, type: o && o.type ? o.type : null };
        });
      }
      return { key: key, type: type, label: c.label !== undefined ? String(c.label) : key,
        value: c.value === undefined ? null : c.value, optional: !!c.optional, options: options };
    });
  }

  // Reads a value the player typed for an input (balance in bits → satoshis).
  function readInput(input, text) {
    if (text === null || text === undefined || text === '') {
      if (input.optional) return null;
      throw new Error('the input "' + input.key + '" needs a value');
    }
    var number = function () {
      var x = Number(String(text).trim().replace(',', '.'));
      if (!isFinite(x)) throw new Error('the input "' + input.key + '" needs a number, not "' + text + '"');
      return x;
    };
    switch (input.type) {
      case 'balance': return Math.round(number() * 100);
      case 'multiplier': case 'number': return number();
      case 'checkbox': return text === true || /^(true|1|yes|on)$/i.test(String(text).trim());
      case 'radio': case 'combobox':
        var keys = (input.options || []).map(function (o) { return o.key; });
        if (keys.length && keys.indexOf(String(text)) < 0) {
          throw new Error('the input "' + input.key + '" is one of ' + keys.join(', ') + ', not "' + text + '"');
        }
        return String(text);
      default: return text;
    }
  }

  // The config object the script sees: its own block with the player's values (`chosen`:
  // key → typed text) in place of the defaults.
  function configWith(script, chosen) {
    var found = findConfig(script);
    var config = found ? (0, eval)('(' + found.object + ')') : {};
    var known = inputs(script);
    Object.keys(chosen || {}).forEach(function (key) {
      var input = known.filter(function (i) { return i.key === key; })[0];
      if (!input) {
        throw new Error('the script has no input "' + key + '"' +
          (known.length ? ' (it has: ' + known.map(function (i) { return i.key; }).join(', ') + ')' : ''));
      }
      var value = readInput(input, chosen[key]);
      if ((input.type === 'radio' || input.type === 'combobox') && config[key]) {
        config[key].value = value;
      } else if (config[key]) {
        config[key].value = value;
      }
    });
    return config;
  }

  // ---------------------------------------------------------------------------------
  // The script, compiled once into a function of the names bustabit gives it; each run
  // calls it with a fresh engine, so nothing a run leaves behind reaches the next one.

  var GIVEN = ['config', 'engine', 'userInfo', 'log', 'notify', 'stop', 'SHA256',
    'gameResultFromHash', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'chat'];

  function compile(script) {
    if (/\bengine\s*\.\s*cashOut\s*\(/.test(script)) {
      throw new Error('engine.cashOut() is a manual cash-out at a moment of the round; a replay of ' +
        'crash points cannot know that moment, so this script cannot be simulated');
    }
    var found = findConfig(script);
    var body = found
      ? script.slice(0, found.start) + script.slice(found.start, found.end).replace(/[^\n]/g, ' ') + script.slice(found.end)
      : script;
    // One wrapper line before the body (error lines are body lines + 1); the inner
    // function lets the script declare its own `let stop`, `const log`, … as bustabit does.
    return (0, eval)('(function (' + GIVEN.join(', ') + ') { return (function () {\n' + body +
      '\n})(); })');
  }

  // Whether the script may leave work for later (promises, async listeners, timers): such a
  // script is run one game at a time, with the host's job queue drained between games.
  function needsTicks(script) {
    return /\b(async|await|then|Promise|setTimeout|setInterval)\b/.test(script);
  }

  // ---------------------------------------------------------------------------------
  // SHA-256 and bustabit's game result from a hash, for the scripts that verify games.

  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2];

  function utf8(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  function sha256Bytes(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var m = bytes.slice();
    var bits = bytes.length * 8;
    m.push(0x80);
    while (m.length % 64 !== 56) m.push(0);
    for (var s = 56; s >= 0; s -= 8) m.push(s >= 32 ? Math.floor(bits / Math.pow(2, s)) & 255 : (bits >>> s) & 255);
    var w = new Array(64);
    for (var off = 0; off < m.length; off += 64) {
      for (var t = 0; t < 16; t++) {
        w[t] = (m[off + 4 * t] << 24) | (m[off + 4 * t + 1] << 16) | (m[off + 4 * t + 2] << 8) | m[off + 4 * t + 3];
      }
      for (t = 16; t < 64; t++) {
        var a0 = w[t - 15], a1 = w[t - 2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    var out = [];
    h.forEach(function (x) { out.push((x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255); });
    return out;
  }

  function hex(bytes) {
    return bytes.map(function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function fromHex(text) {
    var out = [];
    for (var i = 0; i + 1 < text.length; i += 2) out.push(parseInt(text.substr(i, 2), 16));
    return out;
  }

  function sha256(value) {
    return hex(sha256Bytes(utf8(String(value))));
  }

  function hmacSha256(keyBytes, messageBytes) {
    var key = keyBytes.length > 64 ? sha256Bytes(keyBytes) : keyBytes.slice();
    while (key.length < 64) key.push(0);
    var inner = key.map(function (b) { return b ^ 0x36; }).concat(messageBytes);
    var outer = key.map(function (b) { return b ^ 0x5c; }).concat(sha256Bytes(inner));
    return sha256Bytes(outer);
  }

  // bustabit's result of a game hash: HMAC-SHA256 of the hash's bytes keyed by the salt.
  var SALT = '0000000000000000004d6ec16dafe9d8370958664c1dc422f452892264c59526';

  function gameResultFromHash(hash) {
    var digest = hex(hmacSha256(utf8(SALT), fromHex(String(hash))));
    var r = parseInt(digest.slice(0, 13), 16);
    var x = r / Math.pow(2, 52);
    return Math.max(1, Math.floor(99 / (1 - x)) / 100);
  }

  // ---------------------------------------------------------------------------------
  // One run.

  function History() {
    this.data = [];
  }
  History.prototype.first = function () { return this.data.length ? this.data[0] : null; };
  History.prototype.last = function () { return this.data.length ? this.data[this.data.length - 1] : null; };
  History.prototype.toArray = function () { return this.data.slice(); };
  Object.defineProperty(History.prototype, 'length', { get: function () { return this.data.length; } });
  History.prototype.add = function (game) {
    this.data.unshift(game);
    if (this.data.length > HISTORY_SIZE) this.data.pop();
  };

  function newUserInfo(balance) {
    return {
      uname: 'you', balance: balance, balanceATH: balance, balanceATL: balance,
      bets: 0, wagered: 0, profit: 0, profitATH: 0, profitATL: 0,
      gamesTotal: 0, gamesPlayed: 0, gamesSkipped: 0, gamesWon: 0, gamesLost: 0,
      sinceWin: 0, sinceLose: 0, winStreak: 0, loseStreak: 0, streakSum: 0, sumWagers: 0,
      highBet: 0, lowBet: 0, avgBet: 0, highPayout: 0, lowPayout: 0, avgPayout: 0
    };
  }

  function describe(e) {
    if (e && e.__autobetStop) return null;
    var text = e && e.message !== undefined ? String(e.message) : String(e);
    var name = e && e.name && e.name !== 'Error' ? e.name + ': ' : '';
    return name + text + lineOf(e);
  }

  // The script line of an error: wrapper lines are not the player's.
  function lineOf(e) {
    var stack = e && e.stack ? String(e.stack) : '';
    // QuickJS names eval'd code <input>, V8 <anonymous>; frames of this file are neither.
    var m = /(?:<input>|<anonymous>):(\d+)/.exec(stack);
    if (!m) return '';
    var line = Number(m[1]) - 1;
    return line > 0 ? ' (line ' + line + ')' : '';
  }

  // Starts the compiled script over `crashes` (numbers, oldest first) with `balance`
  // satoshis: the script runs once and registers its listeners. The session's `next()`
  // plays one game (false once the run is over); `finish()` gives the player's numbers and
  // the path's, with the balance after each round in `checkpoints` (rounds played so far;
  // after the end the balance carries on).
  function start(compiled, config, options) {
    var crashes = options.crashes || [];
    var houseEdge = options.houseEdge === undefined ? 0.01 : options.houseEdge;
    var maxLog = options.maxLog === undefined ? 200 : options.maxLog;
    var checkpoints = options.checkpoints || [];
    var start = options.balance;
    var listeners = {};
    var queued = null;
    var logLines = [];
    var logCount = 0;
    var stopReason = null;
    var stopping = false;
    var timers = [];
    var game = 0;
    var userInfo = newUserInfo(start);
    var history = new History();
    var summary = { rounds: 0, bets: 0, wins: 0, wagered: 0, fairExpected: 0, fairVariance: 0,
      maxDrawdown: 0, longestLosingStreak: 0, largestStake: 0 };
    var losing = 0;
    var peak = start;
    var trace = [];
    var nextCheckpoint = 0;

    function say(args, prefix) {
      logCount++;
      if (logLines.length < maxLog) {
        var text = Array.prototype.map.call(args, function (a) {
          return typeof a === 'object' && a !== null ? safeJson(a) : String(a);
        }).join(' ');
        logLines.push((prefix || '') + text.slice(0, 500));
      }
    }

    var engine = {
      on: function (event, fn) {
        if (typeof fn !== 'function') throw new TypeError('engine.on(' + event + ', …) needs a function');
        (listeners[event] = listeners[event] || []).push(fn);
      },
      off: function (event, fn) {
        listeners[event] = (listeners[event] || []).filter(function (f) { return f !== fn; });
      },
      removeListener: function (event, fn) { engine.off(event, fn); },
      once: function (event, fn) {
        var wrapped = function () { engine.off(event, wrapped); return fn.apply(null, arguments); };
        engine.on(event, wrapped);
      },
      bet: function (wager, payout) {
        var p = new Promise(function (resolve, reject) {
          queued = { wager: wager, payout: Math.round(payout * 100) / 100, resolve: resolve, reject: reject };
        });
        // A refused bet ends the run; the promise's rejection is not an unhandled error.
        p.catch(function () {});
        return p;
      },
      getCurrentBet: function () {
        return queued ? { wager: queued.wager, payout: queued.payout } : undefined;
      },
      isBetQueued: function () { return !!queued; },
      cancelQueuedBet: function () { queued = null; },
      cashOut: function () { throw new Error('engine.cashOut() cannot be simulated'); },
      history: history,
      gameState: 'GAME_ENDED',
      gameId: 0
    };

    function emit(event, data) {
      (listeners[event] || []).slice().forEach(function (fn) { fn(data); });
    }

    function setTimer(fn, ms) {
      if (typeof fn !== 'function') return 0;
      timers.push(fn);
      return timers.length;
    }

    var stop = function (reason) {
      stopping = true;
      if (stopReason === null) stopReason = reason === undefined ? 'stop()' : String(reason);
    };
    var log = function () { say(arguments); };
    var notify = function () { say(arguments, 'notify: '); };

    function record(round) {
      while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] <= round) {
        trace.push(userInfo.balance);
        nextCheckpoint++;
      }
    }

    function settle(bet, crash) {
      var won = bet.payout <= crash;
      var cashedAt = won ? bet.payout : 0;
      if (won) userInfo.balance += cashedAt * bet.wager;
      var p = Math.min(1, (1 - houseEdge) / bet.payout);
      summary.fairExpected += bet.wager * (bet.payout * p - 1);
      summary.fairVariance += bet.wager * bet.wager * bet.payout * bet.payout * p * (1 - p);
      if (userInfo.balance < userInfo.balanceATL) userInfo.balanceATL = userInfo.balance;
      if (userInfo.balance > userInfo.balanceATH) userInfo.balanceATH = userInfo.balance;
      userInfo.profit = userInfo.balance - start;
      if (userInfo.profit < userInfo.profitATL) userInfo.profitATL = userInfo.profit;
      if (userInfo.profit > userInfo.profitATH) userInfo.profitATH = userInfo.profit;
      if (!userInfo.lowBet || bet.wager < userInfo.lowBet) userInfo.lowBet = bet.wager;
      if (bet.wager > userInfo.highBet) userInfo.highBet = bet.wager;
      userInfo.avgBet = userInfo.avgBet
        ? (userInfo.avgBet * (userInfo.gamesPlayed - 1) + bet.wager) / userInfo.gamesPlayed
        : bet.wager;
      if (!userInfo.lowPayout || bet.payout < userInfo.lowPayout) userInfo.lowPayout = bet.payout;
      if (bet.payout > userInfo.highPayout) userInfo.highPayout = bet.payout;
      userInfo.avgPayout = userInfo.avgPayout
        ? (userInfo.avgPayout * (userInfo.gamesPlayed - 1) + bet.payout) / userInfo.gamesPlayed
        : bet.payout;
      if (won) {
        userInfo.gamesWon++;
        summary.wins++;
        userInfo.sinceWin = 0;
        userInfo.sinceLose++;
        if (userInfo.sinceLose > userInfo.winStreak) userInfo.winStreak = userInfo.sinceLose;
        if (userInfo.streakSum < userInfo.sumWagers) userInfo.streakSum = userInfo.sumWagers;
        userInfo.sumWagers = 0;
        losing = 0;
      } else {
        userInfo.gamesLost++;
        userInfo.sinceLose = 0;
        userInfo.sinceWin++;
        if (userInfo.sinceWin > userInfo.loseStreak) userInfo.loseStreak = userInfo.sinceWin;
        losing++;
        if (losing > summary.longestLosingStreak) summary.longestLosingStreak = losing;
      }
      if (userInfo.balance > peak) peak = userInfo.balance;
      if (peak - userInfo.balance > summary.maxDrawdown) summary.maxDrawdown = peak - userInfo.balance;
      return cashedAt;
    }

    // Checks and places the queued bet; a refusal ends the run with its reason.
    function place() {
      var bet = queued;
      queued = null;
      if (!bet) return null;
      var refusal = null;
      if (typeof bet.wager !== 'number' || isNaN(bet.wager) || bet.wager < 100 || bet.wager % 100 !== 0) {
        refusal = 'INVALID_BET';
      } else if (isNaN(bet.payout)) {
        refusal = 'INVALID_PAYOUT';
      } else if (userInfo.balance - bet.wager < 0) {
        refusal = 'BET_TOO_BIG';
      } else if (bet.payout <= 1) {
        refusal = 'PAYOUT_TOO_LOW';
      }
      if (refusal) {
        bet.reject(refusal);
        stopReason = refusal + ' (game ' + (game + 1) + ': engine.bet(' + bet.wager + ', ' + bet.payout + '))';
        return false;
      }
      userInfo.balance -= bet.wager;
      userInfo.gamesPlayed++;
      userInfo.bets++;
      userInfo.wagered += bet.wager;
      userInfo.sumWagers += bet.wager;
      summary.bets++;
      summary.wagered += bet.wager;
      if (bet.wager > summary.largestStake) summary.largestStake = bet.wager;
      bet.resolve(null);
      emit('BET_PLACED', { uname: userInfo.uname, wager: bet.wager, payout: bet.payout });
      return bet;
    }

    var current = null;

    // GAME_STARTING and the queued bet: the bet placed, null for none, false when refused.
    function startGame() {
      userInfo.gamesTotal++;
      engine.gameState = 'GAME_STARTING';
      engine.gameId = game + 1;
      emit('GAME_STARTING', { gameId: game + 1 });
      return place();
    }

    // The rest of the game once its crash point is known.
    function endGame(bet, crash) {
      var entry = { id: game + 1, hash: '', bust: crash, wager: 0, cashedAt: 0 };
      engine.gameState = 'GAME_IN_PROGRESS';
      emit('GAME_STARTED', null);
      if (bet) {
        entry.wager = bet.wager;
        entry.cashedAt = settle(bet, crash);
      } else {
        userInfo.gamesSkipped++;
      }
      history.add(entry);
      if (entry.cashedAt > 0) {
        emit('CASHED_OUT', { uname: userInfo.uname, cashedAt: entry.cashedAt, wager: entry.wager });
      }
      engine.gameState = 'GAME_ENDED';
      emit('GAME_ENDED', { hash: entry.hash, bust: crash });
      while (timers.length) {
        var due = timers;
        timers = [];
        due.forEach(function (fn) { fn(); });
      }
      game++;
      summary.rounds = game;
      record(game);
    }

    function ended() {
      return over || stopping || stopReason !== null;
    }

    var failure = null;
    var over = false;

    function fail(e) {
      var text = describe(e);
      if (text !== null) failure = text + ' (game ' + Math.min(game + 1, Math.max(crashes.length, 1)) + ')';
      over = true;
    }

    record(0);
    try {
      compiled(config, engine, userInfo, log, notify, stop, sha256, gameResultFromHash,
        setTimer, function () {}, setTimer, function () {}, { say: function () {} });
    } catch (e) {
      fail(e);
    }

    return {
      // Starts the next game: {wager, payout} of the bet placed, null for none, false once
      // the run is over (stopped, a bet refused, or a failure).
      begin: function () {
        if (ended()) {
          over = true;
          return false;
        }
        try {
          current = startGame();
        } catch (e) {
          fail(e);
          return false;
        }
        if (current === false) {
          over = true;
          return false;
        }
        return current ? { wager: current.wager, payout: current.payout } : null;
      },
      // Ends the game begun with its crash point; false once the run is over.
      end: function (crash) {
        try {
          endGame(current, crash);
        } catch (e) {
          fail(e);
        }
        current = null;
        return !ended();
      },
      // One whole game of `crashes`; false once the run is over.
      next: function () {
        if (game >= crashes.length) {
          over = true;
          return false;
        }
        if (this.begin() === false) return false;
        return this.end(crashes[game]);
      },
      // Plays to the end without returning to the host (scripts that need no ticks).
      runAll: function () {
        while (this.next()) { /* next game */ }
      },
      fail: function (message) {
        failure = message + ' (game ' + Math.min(game + 1, Math.max(crashes.length, 1)) + ')';
        over = true;
      },
      finish: function () {
        while (trace.length < checkpoints.length) trace.push(userInfo.balance);
        return {
          balance: userInfo.balance,
          bets: summary.bets,
          wins: summary.wins,
          wagered: summary.wagered,
          rounds: summary.rounds,
          stopped: stopReason,
          failure: failure,
          log: logLines,
          logTotal: logCount,
          trace: trace,
          fairExpected: summary.fairExpected,
          fairVariance: summary.fairVariance,
          maxDrawdown: summary.maxDrawdown,
          longestLosingStreak: summary.longestLosingStreak,
          largestStake: summary.largestStake
        };
      }
    };
  }

  function safeJson(value) {
    try { return JSON.stringify(value); } catch (e) { return String(value); }
  }

  return {
    inputs: inputs,
    configWith: configWith,
    compile: compile,
    needsTicks: needsTicks,
    start: start,
    sha256: sha256,
    gameResultFromHash: gameResultFromHash,
    findConfig: findConfig
  };
})();

if (typeof globalThis !== 'undefined') globalThis.Autobet = Autobet;
