package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine;

/**
 * The exit-status rule of every command (the CLI's and the Spark jobs'): a user's mistake ({@link UserError}, a bad
 * argument, a file that cannot be read or written) is one line {@code error: ...} and status 2; anything else (a bug,
 * an environment failure inside the engine: use after close, CUDA out of memory, an unexpected
 * {@link IllegalStateException}) is status 1 and one line saying it is an internal error and naming the log file that
 * holds its stack trace ({@code --debug} or {@code CART_DEBUG=1} prints the trace as well).
 */
public final class Errors {
  public static final int USER = 2;
  public static final int INTERNAL = 1;

  private Errors() {}

  /** Whether {@code ex} is the user's mistake rather than an internal error. */
  public static boolean isUserError(Throwable ex) {
    return ex instanceof UserError || ex instanceof IllegalArgumentException || ex instanceof IOException
        || ex instanceof UncheckedIOException || ex instanceof CommandLine.ParameterException;
  }

  public static boolean debug() {
    return Boolean.getBoolean("cart.debug") || System.getenv("CART_DEBUG") != null;
  }

  /** Prints {@code ex} by the rule above and returns the exit status. */
  public static int report(Throwable ex, PrintWriter err) {
    if (isUserError(ex)) {
      err.println("error: " + oneLine(ex.getMessage() != null ? ex.getMessage() : ex.toString()));
      if (debug()) ex.printStackTrace(err);
      err.flush();
      return USER;
    }
    StringWriter trace = new StringWriter();
    ex.printStackTrace(new PrintWriter(trace));
    String where;
    try {
      Path log = Path.of(System.getProperty("java.io.tmpdir"), "cart-error-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + ProcessHandle.current().pid() + ".log");
      Files.writeString(log, trace.toString(), StandardCharsets.UTF_8);
      where = "stack trace in " + log;
    } catch (IOException | RuntimeException e) {
      where = "stack trace not written (" + e.getMessage() + "); rerun with --debug to print it";
    }
    err.println("internal error (a bug or an environment failure, not a mistake in the input): " + oneLine(ex.toString()) + "; " + where);
    if (debug()) err.print(trace);
    err.flush();
    return INTERNAL;
  }

  static String oneLine(String s) {
    return s.replace("\r", " ").replace('\n', ' ');
  }

  /** The arguments without {@code --debug}, which sets {@code cart.debug} (so it works before or after the subcommand). */
  public static String[] stripDebug(String[] args) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String a : args) {
      if (a.equals("--debug")) System.setProperty("cart.debug", "true");
      else out.add(a);
    }
    return out.toArray(new String[0]);
  }
}
