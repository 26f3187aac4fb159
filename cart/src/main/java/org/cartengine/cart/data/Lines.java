package org.cartengine.cart.data;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a text file of a dataset (UTF-8). A line ends at LF, CRLF or a lone CR, as with
 * {@code BufferedReader.readLine}. Each line is decoded on its own, so bytes that are not UTF-8 are reported with the
 * line that holds them; a line longer than {@link #MAX_BYTES} is refused before it can fill the heap.
 */
final class Lines implements Closeable {
  /** Longest line accepted: far above any caption or item line, far below what would exhaust a heap. */
  static final int MAX_BYTES = 1 << 20;

  private final InputStream in;
  private final String file;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
  private int number;
  private int pushedBack = -1;

  /** {@code in} should be buffered; {@code file} names it in errors. */
  Lines(InputStream in, String file) {
    this.in = in;
    this.file = file;
  }

  /** The 1-based number of the line last returned by {@link #next}. */
  int number() {
    return number;
  }

  /** The next line without its line end, or null at the end of the file. */
  String next() throws IOException {
    buf.reset();
    boolean any = false;
    for (int c; (c = read()) != -1; ) {
      any = true;
      if (c == '\n') break;
      if (c == '\r') {
        int d = read();
        if (d != '\n') pushedBack = d;
        break;
      }
      if (buf.size() >= MAX_BYTES) {
        throw DatasetException.at(file, number + 1, "line longer than " + MAX_BYTES + " bytes");
      }
      buf.write(c);
    }
    if (!any) return null;
    number++;
    try {
      return utf8.reset().decode(ByteBuffer.wrap(buf.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw DatasetException.at(file, number, "not valid UTF-8");
    }
  }

  private int read() throws IOException {
    if (pushedBack != -1) {
      int c = pushedBack;
      pushedBack = -1;
      return c;
    }
    return in.read();
  }

  /** The whole of a small file (dataset.json) as one string, refusing more than {@link #MAX_BYTES}. */
  static String readAll(InputStream in, String file) throws IOException {
    byte[] b = in.readNBytes(MAX_BYTES + 1);
    if (b.length > MAX_BYTES) throw DatasetException.at(file, "larger than " + MAX_BYTES + " bytes");
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw DatasetException.at(file, "not valid UTF-8");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
