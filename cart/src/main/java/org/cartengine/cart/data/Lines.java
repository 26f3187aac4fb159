package org.cartengine.cart.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;

/**
 * Lines of the text files of a dataset (UTF-8). A line ends at LF, CRLF or a lone CR, as with
 * {@link BufferedReader#readLine}; a line longer than {@link #MAX_CHARS} is refused before it can fill the heap, and
 * bytes that are not UTF-8 are reported with their file and line.
 */
final class Lines {
  private Lines() {}

  /** Longest line accepted: far above any caption or item line, far below what would exhaust a heap. */
  static final int MAX_CHARS = 1 << 20;

  /** The line after line {@code before} (1-based numbering), or null at the end of the file. */
  static String next(BufferedReader in, String file, int before) throws IOException {
    StringBuilder sb = new StringBuilder();
    try {
      for (int c; (c = in.read()) != -1; ) {
        if (c == '\n') return sb.toString();
        if (c == '\r') {
          in.mark(1);
          int d = in.read();
          if (d != '\n' && d != -1) in.reset();
          return sb.toString();
        }
        if (sb.length() >= MAX_CHARS) {
          throw DatasetException.at(file, before + 1, "line longer than " + MAX_CHARS + " characters");
        }
        sb.append((char) c);
      }
    } catch (CharacterCodingException e) {
      throw DatasetException.at(file, before + 1, "not valid UTF-8");
    }
    return sb.length() == 0 ? null : sb.toString();
  }
}
