package org.cartengine.cart.data;

/** A dataset that cannot be read or written; the message names the file and, where there is one, the 1-based line. */
public class DatasetException extends RuntimeException {

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
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
