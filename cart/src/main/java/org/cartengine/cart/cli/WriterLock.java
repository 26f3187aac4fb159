package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One writer per directory: an exclusive OS lock ({@link FileChannel#tryLock()}) on {@value #NAME} inside a
 * run directory, index directory or enhanced dataset, held by {@code train}, {@code index}, {@code enhance}
 * and {@code ablate} for their whole run. The file holds the holder's PID, start time and command, so a
 * second writer is refused at once with one line naming them. The OS drops the lock when its process dies
 * (kill -9 included), so {@code --resume} after a crash needs no clean-up; the file itself stays. Readers
 * ({@code eval}, {@code search}, {@code serve}) take no lock.
 */
public final class WriterLock implements AutoCloseable {
  public static final String NAME = ".cart.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private WriterLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks {@code dir} (created if missing) for {@code command}, or throws a {@link UserError} naming the holder. */
  public static WriterLock acquire(Path dir, String command) {
    Path file = dir.resolve(NAME);
    FileChannel ch = null;
    try {
      Files.createDirectories(dir);
      // No TRUNCATE_EXISTING: the holder's line must survive until this process owns the lock.
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        l = null;  // this JVM holds it already (locks are per process): held all the same
      }
      if (l == null) {
        String holder = holder(ch);
        ch.close();
        throw new UserError(dir + " is in use by another writer (" + (holder.isEmpty() ? "holder unknown" : holder)
            + "); wait for it to finish or stop it (lock file " + file + ")");
      }
      ProcessHandle me = ProcessHandle.current();
      String start = me.info().startInstant().orElse(Instant.now()).truncatedTo(ChronoUnit.SECONDS).toString();
      byte[] line = ("pid " + me.pid() + ", started " + start + ", cart " + command + "\n").getBytes(StandardCharsets.UTF_8);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(line), 0);
      ch.force(false);
      return new WriterLock(ch, l);
    } catch (IOException e) {
      try {
        if (ch != null) ch.close();
      } catch (IOException ignored) {
        // closing after a failure
      }
      throw new UserError("cannot lock " + dir + " for writing: " + e.getMessage(), e);
    }
  }

  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    ch.read(b, 0);
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the process is ending the lock anyway; the OS releases it with the descriptor
    }
  }
}
