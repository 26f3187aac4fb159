package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.cartengine.cart.data.DatasetException;
import org.junit.jupiter.api.Test;

/** The exit-status rule: a user's mistake is one line and 2; an internal error is 1, one line naming a log with the trace. */
class ErrorsTest {
  static String[] run(Throwable ex, int[] code) {
    StringWriter w = new StringWriter();
    code[0] = Errors.report(ex, new PrintWriter(w));
    return w.toString().lines().toArray(String[]::new);
  }

  @Test
  void userMistakesAreOneLineAndStatus2() {
    for (Throwable ex : List.of(new UserError("--k: must be positive"), new DatasetException("/d/items.tsv:3: bad row"),
        new IllegalArgumentException("--rows: unknown row 'x'"), new NoSuchFileException("/runs/x/run.json"))) {
      int[] code = new int[1];
      String[] lines = run(ex, code);
      assertEquals(2, code[0], ex.toString());
      assertEquals(1, lines.length, String.join("\n", lines));
      assertTrue(lines[0].startsWith("error: ") && lines[0].contains(ex.getMessage()), lines[0]);
    }
  }

  @Test
  void internalErrorsAreStatus1AndNameALogWithTheTrace() throws IOException {
    for (Throwable ex : List.of(new IllegalStateException("tensor used after close"), new NullPointerException("x"),
        new RuntimeException("CUDA_ERROR_OUT_OF_MEMORY"))) {
      int[] code = new int[1];
      String[] lines = run(ex, code);
      assertEquals(1, code[0], ex.toString());
      assertEquals(1, lines.length, String.join("\n", lines));
      assertTrue(lines[0].startsWith("internal error"), lines[0]);
      assertTrue(lines[0].contains(ex.getMessage()), lines[0]);
      Path log = Path.of(lines[0].substring(lines[0].indexOf("stack trace in ") + "stack trace in ".length()).trim());
      String trace = Files.readString(log);
      assertTrue(trace.contains(ex.getClass().getName()) && trace.contains("\tat " + ErrorsTest.class.getName()), trace);
      Files.delete(log);
    }
  }

  @Test
  void debugIsTakenFromAnyPosition() {
    String old = System.getProperty("cart.debug");
    try {
      assertEquals(List.of("train", "--epochs", "1"), List.of(Errors.stripDebug(new String[] {"train", "--debug", "--epochs", "1"})));
      assertEquals("true", System.getProperty("cart.debug"));
    } finally {
      if (old == null) System.clearProperty("cart.debug");
      else System.setProperty("cart.debug", old);
    }
  }
}
