package org.cartengine.cart.cli;

import java.util.List;

/** The CLI's subcommands, one line each, so that adding a command touches one place. */
final class Subcommands {
  private Subcommands() {}

  static List<Object> all() {
    return List.of(
        new IndexCommand(),
        new TrainCommand(),
        new EvalCommand(),
        new SearchCommand(),
        new ServeCommand(),
        new AblateCommand(),
        new DataCommand(),
        new EnhanceCommand());
  }
}
