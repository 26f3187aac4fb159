package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.cartengine.cart.cli.Main;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.cartengine.cart.run.TrainedRun;
import org.cartengine.engine.backend.Backends;
import org.cartengine.tests.TinyDataset;

/**
 * A small synthetic dataset (coloured things, as in the CLI end-to-end test) trained for a few epochs once per
 * test JVM, with media that exercise the server's file rules: PNG files inside the dataset directory, a URL, a
 * path leading out with "..", a symbolic link leading out, and a secret file beside the dataset.
 */
final class TinyRun {
  /** A 1x1 PNG. */
  static final byte[] PNG = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
  static final String SECRET = "secret: not for the server";

  static Path root, data, run, secret;
  private static TrainedRun loaded;

  private TinyRun() {}

  static synchronized Path run() throws IOException {
    if (run != null) return run;
    root = Files.createTempDirectory("cart-serve");
    data = root.resolve("tiny");
    TinyDataset.write(data, "tiny", i -> switch (i) {
      case 0, 1, 2 -> "media/item" + i + ".png";
      case 3 -> "https://example.org/picture.png";
      case 4 -> "../secret.png";
      case 5 -> "media/link.png";
      case 6 -> "media/missing.png";
      case 7 -> "items.npy.png";
      default -> "";
    });
    Files.createDirectories(data.resolve("media"));
    for (int i = 0; i < 3; i++) Files.write(data.resolve("media/item" + i + ".png"), PNG);
    secret = root.resolve("secret.png");
    Files.writeString(secret, SECRET);
    Files.createSymbolicLink(data.resolve("media/link.png"), secret);
    Path out = root.resolve("run");
    String[] args = {"train", "--data", data.toString(), "--out", out.toString(), "--no-baseline", "--minutes", "0", "--epochs", "3",
        "--d-model", "16", "--heads", "2", "--ffn", "32", "--encoder-layers", "2", "--decoder-layers", "1", "--batch-size", "16",
        "--beam", "5", "--vocab", "200", "--scheme", "cart"};  // the paper's identifiers (k, v1, v2, u), which the server tests read
    assertEquals(0, Main.commandLine().execute(args), "training the tiny run");
    run = out;
    return run;
  }

  static synchronized TrainedRun loaded() throws IOException {
    if (loaded == null) loaded = TrainedRun.load(run(), Backends.get());
    return loaded;
  }

  /** A searcher (beam 5) and a server on an ephemeral loopback port. */
  static SearchServer server(Searcher.Options so, SearchServer.Options o) throws Exception {
    return new SearchServer(Searcher.of(loaded(), so), o).start();
  }

  static SearchServer server() throws Exception {
    return server(Searcher.Options.defaults().withBeam(5), SearchServer.Options.defaults().withAddress("127.0.0.1", 0));
  }

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static HttpResponse<String> get(SearchServer s, String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> post(SearchServer s, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
