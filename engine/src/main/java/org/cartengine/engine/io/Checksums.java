package org.cartengine.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SHA-256 of the files this project writes. A <em>sealed</em> file (safetensors, JSON) carries its own checksum as a
 * {@code "sha256": "<64 hex digits>"} member near its start (safetensors: in {@code __metadata__}): the hash of the
 * whole file with those 64 digits replaced by {@code 0}s. Carrying it inside the file keeps file and checksum in one
 * atomic rename, so a killed writer can never leave a file and a checksum that disagree.
 *
 * <p>Files written before checksums existed have no such member; they are read with a warning on stderr. A file whose
 * checksum member itself is damaged (a flipped byte in the key or its quotes) is refused, not taken for an old file.
 */
public final class Checksums {
  private Checksums() {}

  /** The member name. */
  public static final String FIELD = "sha256";
  /** The placeholder the hash is computed over. */
  public static final String ZERO = "0".repeat(64);
  /** How far into a file the checksum member is looked for. */
  static final int SEARCH = 512;

  private static final Pattern MEMBER = Pattern.compile("\"sha256\"\\s?:\\s?\"([^\"]{64})\"");
  private static final Pattern TRACE = Pattern.compile("sha256|\"[0-9a-f]{64}\"");

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** SHA-256 of a file, streamed. */
  public static String of(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return hex(md.digest());
  }

  /** Where the 64 placeholder digits of a sealed file's bytes are, or -1 if there is no checksum member. */
  static int position(byte[] bytes) {
    String head = new String(bytes, 0, Math.min(bytes.length, SEARCH), StandardCharsets.ISO_8859_1);
    Matcher m = MEMBER.matcher(head);
    return m.find() ? m.start(1) : -1;
  }

  /** Fills in the checksum of {@code bytes}, which hold the {@link #ZERO} placeholder in a checksum member. */
  public static byte[] seal(byte[] bytes) {
    int at = position(bytes);
    if (at < 0 || !new String(bytes, at, 64, StandardCharsets.ISO_8859_1).equals(ZERO)) {
      throw new IllegalArgumentException("no sha256 placeholder in the first " + SEARCH + " bytes");
    }
    byte[] h = hex(sha256().digest(bytes)).getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = bytes.clone();
    System.arraycopy(h, 0, out, at, 64);
    return out;
  }

  /** The outcome of {@link #verify}. */
  public enum Seal {
    /** The checksum matches. */
    VERIFIED,
    /** No checksum member: a file written before checksums; read it, with a warning. */
    ABSENT
  }

  /**
   * Checks a sealed file's bytes. Throws an IOException naming {@code file} when the checksum does not match or its
   * member is damaged; on a file without one, warns on stderr and returns {@link Seal#ABSENT}.
   */
  public static Seal verify(byte[] bytes, Path file) throws IOException {
    int at = position(bytes);
    if (at < 0) {
      String head = new String(bytes, 0, Math.min(bytes.length, SEARCH), StandardCharsets.ISO_8859_1);
      if (TRACE.matcher(head).find()) {
        throw new IOException(file + ": damaged: its sha256 checksum field is unreadable");
      }
      warnUnverified(file);
      return Seal.ABSENT;
    }
    String claimed = new String(bytes, at, 64, StandardCharsets.ISO_8859_1);
    MessageDigest md = sha256();
    md.update(bytes, 0, at);
    md.update(ZERO.getBytes(StandardCharsets.ISO_8859_1));
    md.update(bytes, at + 64, bytes.length - at - 64);
    String actual = hex(md.digest());
    if (!actual.equals(claimed)) {
      throw new IOException(file + ": SHA-256 mismatch (the file is corrupted or was changed after it was written)");
    }
    return Seal.VERIFIED;
  }

  /** One line on stderr for a file read without a checksum. */
  public static void warnUnverified(Path file) {
    System.err.println("warning: " + file + " has no SHA-256 (written by an older version); read without verification");
  }
}
