package org.cartengine.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The one way files are written: into a temporary name beside the target ({@code .NAME.RANDOM.tmp}), forced to disk,
 * renamed over the target, and the directory forced too. A kill or power loss at any moment leaves either the old file
 * or the new one, never a mix; a failed write (disk full, read-only directory) leaves the old file untouched and
 * removes its temporary file. Temporary files left by a killed writer are removed by the next write of the same target.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's bytes through a channel (for writers that patch bytes in place, e.g. a checksum). */
  public interface ChannelBody {
    void write(FileChannel ch) throws IOException;
  }

  /** Writes a file's bytes to a stream; the stream must not be closed by the body. */
  public interface StreamBody {
    void write(OutputStream out) throws IOException;
  }

  /** Writes {@code target} atomically through a file channel. */
  public static void write(Path target, ChannelBody body) throws IOException {
    commit(stage(target, body), target);
  }

  /** Writes {@code target} atomically through a buffered stream. */
  public static void write(Path target, StreamBody body) throws IOException {
    commit(stage(target, body), target);
  }

  /**
   * The first half of a write: the new content of {@code target} in a temporary file beside it, forced to disk; the
   * target is untouched. {@link #commit} puts it in place. Lets a writer of several files (an index) prepare all of
   * them, so that running out of space fails before any old file is replaced. Errors name {@code target}.
   */
  public static Path stage(Path target, ChannelBody body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(abs.getParent());
      removeStaleTemps(abs);
      tmp = tempFor(abs);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        body.write(ch);
        ch.force(true);
      }
      return tmp;
    } catch (IOException e) {
      if (tmp != null) Files.deleteIfExists(tmp);
      throw new IOException(target + ": cannot write: " + describe(e), e);
    }
  }

  public static Path stage(Path target, StreamBody body) throws IOException {
    return stage(target, (FileChannel ch) -> {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      body.write(out);
      out.flush(); // not closed: the channel is closed by stage(Path, ChannelBody)
    });
  }

  /** The second half of a write: renames a {@link #stage}d file over its target (removing it if that fails). */
  public static void commit(Path staged, Path target) throws IOException {
    try {
      rename(staged, target.toAbsolutePath());
    } catch (IOException e) {
      Files.deleteIfExists(staged);
      throw new IOException(target + ": cannot write: " + describe(e), e);
    }
  }

  /** An I/O error's reason without the Java class name ("No space left on device", "Read-only file system"). */
  public static String describe(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, (StreamBody) out -> out.write(bytes));
  }

  public static Path stageBytes(Path target, byte[] bytes) throws IOException {
    return stage(target, (StreamBody) out -> out.write(bytes));
  }

  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A fresh temporary name beside {@code target}, hidden, recognisable by {@link #isTempOf}. */
  public static Path tempFor(Path target) {
    String r = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    return target.resolveSibling("." + target.getFileName() + "." + r + ".tmp");
  }

  /** Whether {@code name} is a temporary name made by {@link #tempFor} for a file named {@code target}. */
  public static boolean isTempOf(String name, String target) {
    return name.startsWith("." + target + ".") && name.endsWith(".tmp")
        && name.length() > target.length() + 6 && name.substring(target.length() + 2, name.length() - 4)
            .chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  /** Removes what a killed writer of {@code target} left behind (files or directories). */
  public static void removeStaleTemps(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) return;
    String name = target.getFileName().toString();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> isTempOf(p.getFileName().toString(), name))) {
      for (Path p : s) deleteTree(p);
    }
  }

  /** Forces a file's contents to disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Forces a directory's entries (a rename) to disk; a no-op where the platform cannot open directories. */
  public static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Windows cannot open a directory as a channel; the rename is still atomic there
    }
  }

  /** Moves {@code from} onto {@code to} in one step (same file system), replacing it, and syncs the directory. */
  public static void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    fsyncDir(to.toAbsolutePath().getParent());
  }

  /** Deletes a file or a directory tree; what is already gone is ignored. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (NoSuchFileException ignored) {
      // removed meanwhile
    }
  }

  /** {@link #deleteTree} that swallows errors: for cleaning up after a failure already being reported. */
  public static void deleteTreeQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException | RuntimeException ignored) {
      // the original failure matters more than a leftover hidden temporary
    }
  }
}
