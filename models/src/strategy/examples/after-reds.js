// Bet after N reds: wait for `reds` games in a row below `payout`, then bet until a game
// reaches it. (Past games do not change the next one: this shows what waiting costs.)
var config = {
  wager: { value: 100, type: 'balance', label: 'Wager' },
  payout: { value: 2, type: 'multiplier', label: 'Cash out at' },
  reds: { value: 3, type: 'multiplier', label: 'Reds in a row before betting' },
  stopAt: { value: 0, type: 'balance', label: 'Stop when the profit reaches (0: never)' }
};

var reds = 0;
var start = userInfo.balance;

engine.on('GAME_STARTING', function () {
  if (reds >= config.reds.value) {
    engine.bet(config.wager.value, config.payout.value);
  }
});

engine.on('GAME_ENDED', function () {
  var last = engine.history.first();
  reds = last.bust < config.payout.value ? reds + 1 : 0;
  if (config.stopAt.value > 0 && userInfo.balance - start >= config.stopAt.value) {
    stop('profit target reached');
  }
});
