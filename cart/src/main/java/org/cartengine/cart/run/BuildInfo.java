package org.cartengine.cart.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The commit this build was made from (cart-git.properties, written by the build), for every run's metrics.json. */
public final class BuildInfo {
  private BuildInfo() {}

  private static final String COMMIT = read();
  private static volatile String commandLine = "";

  /** The arguments of this process's command (set by the CLI's main), as run files record them. */
  public static void setCommandLine(String[] args) {
    commandLine = "cart " + String.join(" ", args);
  }

  /** The command line this process was started with ("" when it was not started from the CLI). */
  public static String commandLine() {
    return commandLine;
  }

  /** The abbreviated commit, with "-dirty" when the working tree had changes; "unknown" outside a git checkout. */
  public static String commit() {
    return COMMIT;
  }

  private static String read() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/cart-git.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      String id = p.getProperty("git.commit.id.abbrev", "").trim();
      if (id.isEmpty()) return "unknown";
      return "true".equals(p.getProperty("git.dirty", "false").trim()) ? id + "-dirty" : id;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
