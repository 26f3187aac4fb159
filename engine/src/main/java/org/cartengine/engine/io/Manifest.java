package org.cartengine.engine.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code SHA256SUMS}: the checksums of the files of a directory that is written as a whole (an index, a dataset), in
 * the format of {@code sha256sum} ({@code <64 hex digits><two spaces><file name>} per line), so that
 * {@code sha256sum -c SHA256SUMS} checks it too. It is written after the files it lists and removed before they are
 * rewritten, so a directory holding it is complete.
 */
public final class Manifest {
  private Manifest() {}

  public static final String NAME = "SHA256SUMS";
  private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *]([^/\\\\]+)");

  /** The manifest text of files {@code names} of {@code dir}. */
  public static String of(Path dir, List<String> names) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String n : names) sb.append(Checksums.of(dir.resolve(n))).append("  ").append(n).append('\n');
    return sb.toString();
  }

  /** The manifest text of files given by name, read from where they are now (staged temporaries, say). */
  public static String of(Map<String, Path> files) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (var e : files.entrySet()) sb.append(Checksums.of(e.getValue())).append("  ").append(e.getKey()).append('\n');
    return sb.toString();
  }

  /** Writes {@code dir/SHA256SUMS} for files {@code names} of {@code dir}, atomically. */
  public static void write(Path dir, List<String> names) throws IOException {
    AtomicFiles.writeString(dir.resolve(NAME), of(dir, names));
  }

  /**
   * Checks every file that {@code dir/SHA256SUMS} lists. Returns the names checked, or null if there is no manifest;
   * throws an IOException of one line naming the first file (or manifest line) that does not match.
   */
  public static List<String> verify(Path dir) throws IOException {
    Path m = dir.resolve(NAME);
    if (!Files.isRegularFile(m)) return null;
    List<String> lines;
    try {
      lines = Files.readAllLines(m, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(m + ": damaged (not UTF-8 text)");
    }
    List<String> checked = new ArrayList<>();
    int no = 0;
    for (String line : lines) {
      no++;
      if (line.isEmpty()) continue;
      Matcher x = LINE.matcher(line);
      if (!x.matches()) throw new IOException(m + ":" + no + ": damaged (not '<sha256>  <file>')");
      Path f = dir.resolve(x.group(2));
      if (!Files.isRegularFile(f)) throw new IOException(f + ": missing (listed in " + m + ")");
      if (!Checksums.of(f).equals(x.group(1))) {
        throw new IOException(f + ": SHA-256 mismatch with " + m + " (corrupted, or changed after it was written; if it was"
            + " edited on purpose, delete " + NAME + ")");
      }
      checked.add(x.group(2));
    }
    return checked;
  }
}
