package org.cartengine.cart;

/**
 * A mistake of the user's (a bad argument, a missing or malformed file, a missing run, a directory another
 * writer holds): the CLI and the Spark jobs print its message as one line and exit with status 2. Anything
 * else that escapes a command is an internal error (status 1, stack trace in a log file). The message names
 * the file, row or argument at fault.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
