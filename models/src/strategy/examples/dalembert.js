// d'Alembert: one unit more after a loss, one unit less after a win (never below the base
// wager).
var config = {
  baseBet: { value: 100, type: 'balance', label: 'Base wager' },
  unit: { value: 100, type: 'balance', label: 'Unit' },
  payout: { value: 2, type: 'multiplier', label: 'Cash out at' }
};

let wager = config.baseBet.value;

engine.on('GAME_STARTING', () => {
  engine.bet(wager, config.payout.value);
});

engine.on('GAME_ENDED', () => {
  const last = engine.history.first();
  if (!last.wager) return;
  wager = last.cashedAt
    ? Math.max(config.baseBet.value, wager - config.unit.value)
    : wager + config.unit.value;
});
