// Fibonacci: wagers follow 1, 1, 2, 3, 5, … base wagers; one step up after a loss, two
// steps down after a win.
var config = {
  baseBet: { value: 100, type: 'balance', label: 'Base wager' },
  payout: { value: 2, type: 'multiplier', label: 'Cash out at' }
};

var fib = [1, 1];
var k = 0;

function step(n) {
  while (fib.length <= n) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
  return fib[n];
}

engine.on('GAME_STARTING', function () {
  engine.bet(step(k) * config.baseBet.value, config.payout.value);
});

engine.on('GAME_ENDED', function () {
  var last = engine.history.first();
  if (!last.wager) return;
  k = last.cashedAt ? Math.max(0, k - 2) : k + 1;
});
