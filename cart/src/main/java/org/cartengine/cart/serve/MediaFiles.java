package org.cartengine.cart.serve;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cartengine.cart.data.Dataset;

/**
 * The dataset's media files, served only from inside the dataset directory.
 *
 * <p>A request names a path relative to the dataset directory. It is served only when (1) it is the media path
 * of an item in items.tsv, so no other file of the directory (items.npy, captions) is reachable; (2) it is
 * relative, without "..", backslashes or NUL, and stays inside the directory once normalised; (3) its real path,
 * after following symbolic links, is still inside the real dataset directory; (4) it is a regular file. A media
 * column holding an http(s) URL is handed to the client as is and never fetched by the server.
 */
final class MediaFiles {
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"), Map.entry("svg", "image/svg+xml"), Map.entry("wav", "audio/wav"),
      Map.entry("mp3", "audio/mpeg"), Map.entry("flac", "audio/flac"), Map.entry("ogg", "audio/ogg"), Map.entry("mp4", "video/mp4"),
      Map.entry("webm", "video/webm"));
  static final Set<String> IMAGES = Set.of("png", "jpg", "jpeg", "gif", "webp", "bmp", "svg");

  private final Path root; // real path of the dataset directory; null for a dataset read from the classpath
  private final Set<String> listed = new HashSet<>();

  MediaFiles(Dataset ds) {
    Path r = null;
    try {
      Path dir = Path.of(ds.origin());
      if (!ds.origin().isEmpty() && Files.isDirectory(dir)) r = dir.toRealPath();
    } catch (IOException | InvalidPathException e) {
      r = null;
    }
    root = r;
    for (int i = 0; i < ds.size(); i++) if (!ds.mediaPath(i).isEmpty() && !isUrl(ds.mediaPath(i))) listed.add(ds.mediaPath(i));
  }

  static boolean isUrl(String media) {
    String m = media.toLowerCase(Locale.ROOT);
    return m.startsWith("https://") || m.startsWith("http://");
  }

  /**
   * Where a client finds the picture of an item with this media path: its URL, /media/PATH for an image file that
   * {@link #resolve} would serve (a missing file, or one outside the directory, gets no picture rather than a broken
   * image on the page), else empty.
   */
  Optional<String> pictureUrl(String media) {
    if (media.isEmpty()) return Optional.empty();
    if (isUrl(media)) {
      try {
        URI u = URI.create(media); // only well-formed URLs reach the page
        return Optional.of(u.toString());
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    if (root == null || !IMAGES.contains(extension(media)) || resolve(media).isEmpty()) return Optional.empty();
    return Optional.of("/media/" + encodePath(media));
  }

  /** The file for request path {@code rel}, or empty when it is not a servable media file (see the class comment). */
  Optional<Path> resolve(String rel) {
    if (root == null || rel == null || rel.isEmpty() || !listed.contains(rel)) return Optional.empty();
    if (rel.indexOf('\0') >= 0 || rel.indexOf('\\') >= 0 || rel.startsWith("/")) return Optional.empty();
    for (String seg : rel.split("/")) if (seg.equals("..")) return Optional.empty();
    try {
      Path p = root.resolve(rel).normalize();
      if (!p.startsWith(root)) return Optional.empty();
      Path real = p.toRealPath();
      if (!real.startsWith(root) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
      return Optional.of(real);
    } catch (IOException | InvalidPathException | SecurityException e) {
      return Optional.empty();
    }
  }

  static String contentType(Path p) {
    return TYPES.getOrDefault(extension(p.getFileName().toString()), "application/octet-stream");
  }

  static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  static String encodePath(String rel) {
    StringBuilder sb = new StringBuilder();
    for (String seg : rel.split("/", -1)) {
      if (sb.length() > 0) sb.append('/');
      sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }
}
