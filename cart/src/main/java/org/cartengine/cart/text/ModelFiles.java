package org.cartengine.cart.text;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the pretrained sentence encoder's two files ({@value #ONNX}, {@value #TOKENIZER}) are found, first hit wins:
 * <ol>
 *   <li>the directory named by {@code -Dcart.text.model=DIR} or the environment variable {@code CART_TEXT_MODEL};
 *   <li>{@code models/all-minilm-l6-v2/} next to the running jar (the build unpacks them to
 *       {@code cart/target/models/all-minilm-l6-v2/}, next to {@code cart-engine.jar}; run from classes, next to the
 *       classes directory);
 *   <li>the classpath resources of the dev.langchain4j all-minilm-l6-v2 artifact, copied once to
 *       {@code ~/.cache/cart-engine/all-minilm-l6-v2/} so the weights can be memory-mapped from a file.
 * </ol>
 */
public record ModelFiles(Path onnx, Path tokenizer) {
  public static final String ONNX = "all-minilm-l6-v2.onnx";
  public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  static final String DIR = "models/all-minilm-l6-v2";

  public static ModelFiles locate() throws IOException {
    List<String> tried = new ArrayList<>();
    String explicit = System.getProperty("cart.text.model", System.getenv("CART_TEXT_MODEL"));
    if (explicit != null && !explicit.isBlank()) {
      ModelFiles m = in(Path.of(explicit));
      if (m != null) return m;
      throw new IOException("sentence encoder: " + explicit + " (cart.text.model / CART_TEXT_MODEL) does not hold " + ONNX + " and " + TOKENIZER);
    }
    Path home = codeHome();
    if (home != null) {
      Path dir = home.resolve(DIR);
      tried.add(dir.toString());
      ModelFiles m = in(dir);
      if (m != null) return m;
    }
    ModelFiles m = fromClasspath();
    if (m != null) return m;
    tried.add("classpath resources /" + ONNX + ", /" + TOKENIZER);
    throw new IOException("sentence encoder: model files not found; tried " + String.join("; ", tried)
        + ". Build with ./mvnw package (unpacks them next to the jar) or point CART_TEXT_MODEL at a directory holding " + ONNX + " and " + TOKENIZER);
  }

  /** The files in dir, or null when either is missing. */
  public static ModelFiles in(Path dir) {
    Path o = dir.resolve(ONNX), t = dir.resolve(TOKENIZER);
    return Files.isRegularFile(o) && Files.isRegularFile(t) ? new ModelFiles(o, t) : null;
  }

  /** The directory holding the running jar (or the classes directory's parent). */
  private static Path codeHome() {
    try {
      var src = ModelFiles.class.getProtectionDomain().getCodeSource();
      if (src == null) return null;
      Path p = Path.of(src.getLocation().toURI());
      return p.getParent();
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static ModelFiles fromClasspath() throws IOException {
    if (ModelFiles.class.getResource("/" + ONNX) == null || ModelFiles.class.getResource("/" + TOKENIZER) == null) return null;
    Path dir = Path.of(System.getProperty("user.home"), ".cache", "cart-engine", "all-minilm-l6-v2");
    Files.createDirectories(dir);
    for (String name : new String[] {ONNX, TOKENIZER}) {
      Path target = dir.resolve(name);
      long size = ModelFiles.class.getResource("/" + name).openConnection().getContentLengthLong();
      if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)) continue;
      // copy to a temporary name, then move: a reader never maps a half-written file
      Path tmp = Files.createTempFile(dir, name, ".part");
      try (InputStream in = ModelFiles.class.getResourceAsStream("/" + name)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return in(dir);
  }
}
