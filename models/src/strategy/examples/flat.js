// Flat betting: the same wager at the same payout every game.
var config = {
  wager: { value: 100, type: 'balance', label: 'Wager' },
  payout: { value: 2, type: 'multiplier', label: 'Cash out at' }
};

engine.on('GAME_STARTING', function () {
  engine.bet(config.wager.value, config.payout.value);
});
