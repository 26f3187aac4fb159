package org.cartengine.cart.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.DatasetSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cart data}: check datasets and import the public benchmarks into the dataset format. */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Datasets: check one, or import a benchmark's files into the dataset format.",
    subcommands = {DataCommand.Check.class, DataImportCommand.class})
public final class DataCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Validate a dataset and print a summary: items, dim, dtype, captions per split, items without "
          + "train captions, texts shared by several items.",
          "Exits with 2 and names the file and line of the first problem if the dataset is invalid."})
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "a dataset directory, or the name of an embedded dataset (emoji)")
    String dir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        Dataset d = Dataset.open(dir);
        out.print(DatasetSummary.of(d).render());
        out.println();
        out.println("OK: valid dataset (format version 1)");
        out.flush();
        return 0;
      } catch (DatasetException e) {
        out.flush();
        err.println("invalid dataset: " + e.getMessage());
        err.flush();
        return 2;
      }
    }
  }
}
