// Martingale: double the wager after each loss, back to the base wager after a win or
// after `maxLosses` losses in a row (0 = never give up).
var config = {
  baseBet: { value: 100, type: 'balance', label: 'Base wager' },
  payout: { value: 2, type: 'multiplier', label: 'Cash out at' },
  multiplier: { value: 2, type: 'multiplier', label: 'Wager × after a loss' },
  maxLosses: { value: 0, type: 'multiplier', label: 'Give up after this many losses (0: never)' }
};

var wager = config.baseBet.value;
var losses = 0;

engine.on('GAME_STARTING', function () {
  engine.bet(wager, config.payout.value);
});

engine.on('GAME_ENDED', function () {
  var last = engine.history.first();
  if (!last.wager) return;
  if (last.cashedAt) {
    wager = config.baseBet.value;
    losses = 0;
  } else {
    losses++;
    if (config.maxLosses.value > 0 && losses >= config.maxLosses.value) {
      wager = config.baseBet.value;
      losses = 0;
    } else {
      wager = Math.round(wager * config.multiplier.value / 100) * 100;
    }
  }
});
