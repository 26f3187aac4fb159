package org.cartengine.cart.data;

/** A dataset that cannot be read or written; the message names the file and, where there is one, the 1-based line. */
public class DatasetException extends org.cartengine.cart.UserError {

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Longest piece of a file's content echoed in a message. */
  static final int QUOTE = 60;

  /** {@code s}, cut to {@link #QUOTE} characters, so that a message stays one readable line whatever the file holds. */
  public static String quote(String s) {
    if (s == null) return "null";
    String one = s.replace("\r", "\\r").replace("\n", "\\n");
    return one.length() <= QUOTE ? one : one.substring(0, QUOTE) + "... (" + s.length() + " characters)";
  }

  /** {@code file: message}. */
  public static DatasetException at(String file, String message) {
    return new DatasetException(file + ": " + message);
  }

  /** {@code file:line: message}, the form compilers use, so editors can jump to it. */
  public static DatasetException at(String file, int line, String message) {
    return new DatasetException(file + ":" + line + ": " + message);
  }
}
