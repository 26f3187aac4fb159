package org.cartengine.cart.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Pictures for items that have no media of their own, from a directory named by {@code cart serve --pictures}: the file
 * {@code ID.png} (or another image type the dataset's media may have) is the picture of the item with that id, compared without case. The
 * embedded emoji dataset names its items by code point and ships no images (its label is the emoji character, which a
 * machine without a colour emoji font draws as a box); cart/prep/emoji/fetch-pictures.sh fills such a directory with
 * the Twemoji PNGs its embeddings were computed from.
 *
 * <p>The directory is listed once, at start. A request is served only when it names one of the listed files (no
 * subdirectories, no other name reaches the disk), whose real path, after following links, is still a regular file
 * inside the real directory.
 */
final class PictureDir {
  static final PictureDir NONE = new PictureDir(null, Map.of());

  private final Path root;
  private final Map<String, String> byId; // lower-cased id -> file name

  private PictureDir(Path root, Map<String, String> byId) {
    this.root = root;
    this.byId = byId;
  }

  /** The image files of {@code dir}; a missing or unreadable directory is an error that names it. */
  static PictureDir of(Path dir) {
    Map<String, String> byId = new HashMap<>();
    try {
      Path root = dir.toRealPath();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(root)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          int dot = name.lastIndexOf('.');
          if (dot <= 0 || !MediaFiles.IMAGES.contains(MediaFiles.extension(name))) continue;
          if (!inside(root, f)) continue; // a link leading out, or not a file: no picture rather than a broken one
          byId.putIfAbsent(name.substring(0, dot).toLowerCase(Locale.ROOT), name);
        }
      }
      return new PictureDir(root, Map.copyOf(byId));
    } catch (IOException e) {
      throw new UncheckedIOException("--pictures: cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** /pictures/FILE for the item with this id, when the directory has its picture. */
  Optional<String> pictureUrl(String itemId) {
    String f = byId.get(itemId.toLowerCase(Locale.ROOT));
    return f == null ? Optional.empty() : Optional.of("/pictures/" + MediaFiles.encodePath(f));
  }

  /** The file for request path {@code name} (after /pictures/), or empty when it is not one of the listed pictures. */
  Optional<Path> resolve(String name) {
    if (root == null || name == null) return Optional.empty();
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || !name.equals(byId.get(name.substring(0, dot).toLowerCase(Locale.ROOT)))) return Optional.empty();
    Path p = root.resolve(name);
    return inside(root, p) ? Optional.of(p) : Optional.empty();
  }

  /** Whether {@code f}'s real path is a regular file directly in {@code root} (itself a real path). */
  private static boolean inside(Path root, Path f) {
    try {
      Path real = f.toRealPath();
      return root.equals(real.getParent()) && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
